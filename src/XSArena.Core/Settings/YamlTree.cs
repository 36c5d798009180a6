using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace XSArena.Core.Settings;

/// <summary>A YAML node with the line it starts on.</summary>
internal abstract record YamlItem(int Line);

/// <summary>A scalar; <paramref name="Plain"/> is false for quoted and block scalars.</summary>
internal sealed record YamlText(string Value, bool Plain, int Line) : YamlItem(Line);

internal sealed record YamlList(IReadOnlyList<YamlItem> Items, int Line) : YamlItem(Line);

/// <summary>A mapping in file order. Keys are unique (a duplicate is an error while reading).</summary>
internal sealed record YamlMap(IReadOnlyList<KeyValuePair<YamlText, YamlItem>> Entries, int Line) : YamlItem(Line);

/// <summary>Reads YAML with the low-level event parser, so every node keeps its line and duplicate keys are
/// seen (the representation model would reject or hide them without saying where both are).</summary>
internal static class YamlTree
{
    /// <summary>Null for an empty file.</summary>
    public static YamlItem? Read(string file, string text)
    {
        RejectTabs(file, text);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            YamlItem? root = parser.Accept<DocumentEnd>(out _) ? null : ReadItem(file, parser);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                parser.TryConsume<DocumentStart>(out var next);
                throw new ConfigException(file, Line(next), "", "The file holds more than one YAML document; keep one (remove the '---' separator).");
            }
            return root is YamlText { Plain: true, Value: "" or "~" or "null" } ? null : root;
        }
        catch (YamlException ex)
        {
            throw new ConfigException(file, (int)ex.Start.Line, "", $"Not valid YAML: {Innermost(ex).Message}", ex);
        }
    }

    private static YamlItem ReadItem(string file, IParser parser)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            RejectAnchor(file, scalar);
            return new YamlText(scalar.Value, scalar.Style == ScalarStyle.Plain, Line(scalar));
        }
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            RejectAnchor(file, sequenceStart);
            var items = new List<YamlItem>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadItem(file, parser));
            return new YamlList(items, Line(sequenceStart));
        }
        if (parser.TryConsume<MappingStart>(out var mappingStart))
        {
            RejectAnchor(file, mappingStart);
            var entries = new List<KeyValuePair<YamlText, YamlItem>>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                if (ReadItem(file, parser) is not YamlText key)
                    throw new ConfigException(file, Line(parser.Current), "", "A key must be a plain name, not a list or a mapping.");
                if (seen.TryGetValue(key.Value, out var firstLine))
                    throw new ConfigException(file, key.Line, key.Value, $"Duplicate key: it is set on line {firstLine} and again on line {key.Line}; keep one.");
                seen[key.Value] = key.Line;
                entries.Add(new(key, ReadItem(file, parser)));
            }
            return new YamlMap(entries, Line(mappingStart));
        }
        var current = parser.Current;
        if (current is AnchorAlias alias)
            throw new ConfigException(file, Line(alias), "", $"YAML aliases (*{alias.Value}) are not supported in XSArena configuration; write the value out.");
        throw new ConfigException(file, Line(current), "", $"Unexpected YAML content ({current?.GetType().Name}).");
    }

    private static void RejectAnchor(string file, NodeEvent node)
    {
        if (!node.Anchor.IsEmpty)
            throw new ConfigException(file, Line(node), "", $"YAML anchors (&{node.Anchor}) are not supported in XSArena configuration; write the value out.");
    }

    /// <summary>YAML forbids tabs for indentation; say so with the line instead of a parser error.</summary>
    private static void RejectTabs(string file, string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var c in lines[i])
            {
                if (c == ' ') continue;
                if (c == '\t')
                    throw new ConfigException(file, i + 1, "", "A tab is used for indentation; YAML indents with spaces only. Replace the tab with spaces.");
                break;
            }
        }
    }

    private static int Line(ParsingEvent? e) => e is null ? 0 : (int)e.Start.Line;

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }
}
