using System.Text;

namespace XSArena.Core.Book;

/// <summary>Builds the system prompt shared by every request of a book.</summary>
public static class SystemPrompt
{
    public const string SubjectPrefix = "SUBJECT: ";

    /// <summary>Overlays a new book gets when the operator names none.</summary>
    public static IReadOnlyList<string> DefaultOverlays { get; } = Array.AsReadOnly(new[] { "narrative", "no_bs" });

    /// <summary>Known overlay names, in their documented order (for ValidateSet and completion).</summary>
    public static IReadOnlyList<string> OverlayNames { get; } = Array.AsReadOnly(new[] { "narrative", "no_bs", "compressed", "bilingual" });

    /// <summary>Composes the prompt. Its first line is always exactly <c>SUBJECT: &lt;subject&gt;</c>; sections
    /// are separated by blank lines and line endings are normalised, so equal input gives equal output.</summary>
    /// <exception cref="ArgumentException">Blank subject or an unknown overlay name.</exception>
    public static string Compose(SystemPromptInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        var subject = OneLine(input.Subject);
        if (subject.Length == 0)
        {
            throw new ArgumentException("The subject must not be empty.", nameof(input));
        }

        var overlays = CanonicalOverlays(input.Overlays);
        var sections = new List<string>
        {
            SubjectPrefix + subject,
            BaseText(input.Directives, subject),
        };

        foreach (var overlay in overlays)
        {
            sections.Add(Directive(input.Directives, DirectiveNames.Overlay(overlay)) ?? PromptTexts.Overlay(overlay));
        }

        sections.Add(PromptTexts.ContinuationRule);

        if (!string.IsNullOrWhiteSpace(input.ExtraNote))
        {
            sections.Add(PromptTexts.ExtraNoteHeading + "\n" + Normalize(input.ExtraNote));
        }

        if (input.GeneratePlan)
        {
            sections.Add(PromptTexts.OutlineFirst);
        }

        sections.AddRange(input.ExtraFileTexts.Where(t => !string.IsNullOrWhiteSpace(t)).Select(Normalize));

        return string.Join("\n\n", sections.Where(s => s.Length > 0));
    }

    private static List<string> CanonicalOverlays(IReadOnlyList<string> requested)
    {
        var result = new List<string>();
        foreach (var name in requested)
        {
            var known = OverlayNames.FirstOrDefault(o => string.Equals(o, name?.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException(
                    $"Unknown overlay '{name}'. Known overlays: {string.Join(", ", OverlayNames)}.", "input");
            if (!result.Contains(known))
            {
                result.Add(known);
            }
        }

        return result;
    }

    private static string BaseText(IDirectiveSource? directives, string subject)
    {
        var text = Directive(directives, DirectiveNames.Base) ?? PromptTexts.ZeroToHero;
        text = text.Replace("{subject}", subject, StringComparison.Ordinal);

        // Upstream-style files open with their own SUBJECT line; ours is already first, so drop the duplicate.
        var firstBreak = text.IndexOf('\n');
        var firstLine = firstBreak < 0 ? text : text[..firstBreak];
        if (firstLine.TrimStart().StartsWith("SUBJECT:", StringComparison.OrdinalIgnoreCase))
        {
            text = firstBreak < 0 ? string.Empty : text[(firstBreak + 1)..].Trim();
        }

        return text;
    }

    private static string? Directive(IDirectiveSource? directives, string relativePath)
    {
        var text = directives?.Read(relativePath);
        return string.IsNullOrWhiteSpace(text) ? null : Normalize(text);
    }

    private static string Normalize(string text) =>
        text.ReplaceLineEndings("\n").Trim();

    private static string OneLine(string? text)
    {
        var builder = new StringBuilder();
        foreach (var part in (text ?? string.Empty).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(builder.Length > 0 ? " " : string.Empty).Append(part);
        }

        return builder.ToString();
    }
}
