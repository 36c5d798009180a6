using System.Text;
using System.Text.Json;
using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>Finds, in a range of raw events.jsonl bytes, the lines the statistics fold counts, without building an
/// event object per line: one Utf8JsonReader pass per line notes where each top-level field sits, and a line whose
/// type the fold does not count is left unread after its type. It keeps exactly the lines that
/// <see cref="EventSerializer.TryParse"/> accepts among those the fold counts, so both give the same statistics.
/// Scanners of neighbouring ranges can run in parallel; <see cref="FoldInto"/> then applies their lines in order.</summary>
internal sealed class EventLineScanner
{
    private static readonly string[] CountedTypes = [.. JobStatistics.CountedTypes];

    private readonly List<Field> _fields = [];
    private readonly List<CountedLine> _lines = [];
    private byte[] _buffer = [];

    /// <summary>Scans the lines of <paramref name="buffer"/> from <paramref name="start"/> to <paramref name="end"/>;
    /// like StreamReader.ReadLine, \r, \n and \r\n each end a line (the empty line between \r and \n is skipped).</summary>
    public void Scan(byte[] buffer, int start, int end)
    {
        _buffer = buffer;
        while (start < end)
        {
            var length = buffer.AsSpan(start, end - start).IndexOfAny((byte)'\n', (byte)'\r');
            if (length < 0) length = end - start;
            if (length > 0) ScanLine(start, length);
            start += length + 1;
        }
    }

    /// <summary>Applies the counted lines to <paramref name="statistics"/> in file order and forgets them.</summary>
    public JobStatistics FoldInto(JobStatistics statistics)
    {
        var view = new LineView(this);
        foreach (var line in _lines)
        {
            if (line.Parsed is { } parsed) statistics = statistics.Apply(parsed);
            else
            {
                view.Show(line);
                statistics = statistics.Apply(view);
            }
        }
        _lines.Clear();
        _fields.Clear();
        return statistics;
    }

    private void ScanLine(int start, int length)
    {
        var line = _buffer.AsSpan(start, length);
        if (!Ascii.IsValid(line))
        {
            // Decoded as EventLogReader decodes (invalid bytes replaced), so the line counts exactly as there.
            if (EventSerializer.TryParse(Encoding.UTF8.GetString(line), 0) is { } parsed && JobStatistics.CountedTypes.Contains(parsed.Type))
                _lines.Add(new CountedLine(start, length, parsed.Type, 0, 0, parsed));
            return;
        }
        var firstField = _fields.Count;
        string? type;
        try { type = ReadFields(line, start); }
        catch (JsonException) { type = null; }
        catch (InvalidOperationException) { type = null; } // an escaped lone surrogate in a name
        if (type is null || HasDuplicateNames(firstField))
        {
            _fields.RemoveRange(firstField, _fields.Count - firstField);
            return;
        }
        _lines.Add(new CountedLine(start, length, type, firstField, _fields.Count - firstField, null));
    }

    /// <summary>The line's counted type with its fields added to the table; null when the fold need not see the
    /// line: not a JSON object with a string <c>type</c>, or a type the fold does not count.</summary>
    private string? ReadFields(ReadOnlySpan<byte> line, int lineStart)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? type = null;
        var seenType = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = new Field
            {
                NameStart = lineStart + (int)reader.TokenStartIndex + 1,
                NameLength = reader.ValueSpan.Length,
                EscapedName = reader.ValueIsEscaped ? reader.GetString() : null,
            };
            reader.Read();
            field.Kind = reader.TokenType;
            field.ValueStart = lineStart + (int)reader.TokenStartIndex;
            if (field.Kind is JsonTokenType.StartObject or JsonTokenType.StartArray) reader.Skip();

            if (NameEquals(field, "type"))
            {
                if (seenType || field.Kind != JsonTokenType.String) return null;
                seenType = true;
                type = CountedType(ref reader);
                if (type is null) return null;
            }
            _fields.Add(field);
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0) return null;
        if (reader.Read()) return null; // never true: a second value after the object throws
        return type;
    }

    private static string? CountedType(ref Utf8JsonReader reader)
    {
        foreach (var type in CountedTypes)
        {
            if (reader.ValueTextEquals(type)) return type;
        }
        return null;
    }

    /// <summary>Compares names pairwise only where a cheap signature (length, first and last character) collides.</summary>
    private bool HasDuplicateNames(int firstField)
    {
        ulong seen = 0;
        for (var i = firstField; i < _fields.Count; i++)
        {
            var bit = 1UL << Signature(_fields[i]);
            if ((seen & bit) != 0)
            {
                for (var j = firstField; j < i; j++)
                {
                    if (NamesEqual(_fields[i], _fields[j])) return true;
                }
            }
            seen |= bit;
        }
        return false;
    }

    private int Signature(Field field)
    {
        if (field.EscapedName is { } name) return name.Length == 0 ? 0 : (name.Length * 7 + name[0] + name[^1] * 3) & 63;
        var raw = RawName(field);
        return raw.IsEmpty ? 0 : (raw.Length * 7 + raw[0] + raw[^1] * 3) & 63;
    }

    private bool NamesEqual(Field a, Field b) => a.EscapedName is null && b.EscapedName is null
        ? RawName(a).SequenceEqual(RawName(b))
        : NameEquals(a, b.EscapedName ?? Encoding.ASCII.GetString(RawName(b)));

    private bool NameEquals(Field field, string name) => field.EscapedName is { } escaped
        ? string.Equals(escaped, name, StringComparison.Ordinal)
        : Ascii.Equals(RawName(field), name);

    private ReadOnlySpan<byte> RawName(Field field) => _buffer.AsSpan(field.NameStart, field.NameLength);

    /// <summary>A counted line: where it is, its type and its fields in the table, or the event parsed from a line
    /// that is not ASCII.</summary>
    private readonly record struct CountedLine(int Start, int Length, string Type, int FirstField, int FieldCount, JobEvent? Parsed);

    private struct Field
    {
        public int NameStart;
        public int NameLength;
        public string? EscapedName;
        public JsonTokenType Kind;
        public int ValueStart;
    }

    /// <summary>One counted line as the fold reads it. Values are parsed only when asked for: the fold reads two or
    /// three of a line's fields.</summary>
    private sealed class LineView(EventLineScanner scanner) : IEventFields
    {
        private CountedLine _line;

        public string Type => _line.Type;

        public void Show(CountedLine line) => _line = line;

        public decimal? GetNumber(string name)
        {
            if (Find(name) is not { Kind: JsonTokenType.Number } field) return null;
            var reader = ValueReader(field);
            if (reader.TryGetDecimal(out var exact)) return exact;
            return EventFields.NumberFrom(false, 0, reader.TryGetDouble(out var approximate), approximate);
        }

        public string? GetString(string name)
        {
            if (Find(name) is not { Kind: JsonTokenType.String } field) return null;
            var reader = ValueReader(field);
            try { return reader.GetString(); }
            catch (InvalidOperationException) { return null; } // as JobEvent.GetString: an undecodable string is no value
        }

        private Field? Find(string name)
        {
            for (var i = _line.FirstField; i < _line.FirstField + _line.FieldCount; i++)
            {
                if (scanner.NameEquals(scanner._fields[i], name)) return scanner._fields[i];
            }
            return null;
        }

        private Utf8JsonReader ValueReader(Field field)
        {
            var value = scanner._buffer.AsSpan(field.ValueStart, _line.Start + _line.Length - field.ValueStart);
            var reader = new Utf8JsonReader(value, isFinalBlock: false, state: default);
            reader.Read();
            return reader;
        }
    }
}
