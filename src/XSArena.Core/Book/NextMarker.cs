using System.Text.RegularExpressions;

namespace XSArena.Core.Book;

/// <summary>A chunk with its trailing <c>NEXT: [...]</c> marker line removed.</summary>
/// <param name="Body">The text without the marker line, leading blank lines and trailing whitespace.</param>
/// <param name="Hint">What the model said comes next, without brackets; null when there was no marker or it was empty.</param>
/// <param name="IsEnd">True when the marker was <c>NEXT: [END]</c>: the model considers the book complete.</param>
public sealed record NextMarkerResult(string Body, string? Hint, bool IsEnd);

/// <summary>Finds and removes the model's end-of-chunk <c>NEXT:</c> marker.</summary>
public static partial class NextMarker
{
    public const string EndHint = "END";

    // Only the last non-blank line is ever inspected: "next:" or brackets anywhere else are the author's prose.
    // Emphasis around a bracketed marker (**NEXT: [x]**) is tolerated because models add it unasked.
    [GeneratedRegex(@"^[\p{Zs}\t]*(?:[*_]{1,2})?[\p{Zs}\t]*NEXT[\p{Zs}\t]*:[\p{Zs}\t]*\[(?<hint>.*)\][\p{Zs}\t]*(?:[*_]{1,2})?[\p{Zs}\t]*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BracketedMarker();

    [GeneratedRegex(@"^[\p{Zs}\t]*NEXT[\p{Zs}\t]*:(?<hint>.*)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BareMarker();

    /// <summary>Strips a trailing marker line, if there is one, and returns the body and the hint.</summary>
    public static NextMarkerResult Strip(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var end = TrimEndIndex(text, text.Length);
        if (end == 0)
        {
            return new NextMarkerResult(string.Empty, null, false);
        }

        var lineStart = text.LastIndexOf('\n', end - 1) + 1;

        var lastLine = text[lineStart..end];
        var match = BracketedMarker().Match(lastLine);
        if (!match.Success)
        {
            match = BareMarker().Match(lastLine);
        }

        if (!match.Success)
        {
            return new NextMarkerResult(TrimBody(text, text.Length), null, false);
        }

        var hint = match.Groups["hint"].Value.Trim().Trim('[', ']').Trim();
        var isEnd = string.Equals(hint, EndHint, StringComparison.OrdinalIgnoreCase);
        return new NextMarkerResult(
            TrimBody(text, lineStart),
            isEnd ? EndHint : hint.Length == 0 ? null : hint,
            isEnd);
    }

    private static int TrimEndIndex(string text, int end)
    {
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end;
    }

    // Drops leading blank lines but keeps the indentation of the first real line (it may be code).
    private static string TrimBody(string text, int end)
    {
        end = TrimEndIndex(text, end);
        var firstContent = 0;
        while (firstContent < end && char.IsWhiteSpace(text[firstContent]))
        {
            firstContent++;
        }

        if (firstContent == end)
        {
            return string.Empty;
        }

        var start = text.LastIndexOf('\n', firstContent) + 1;
        return text[start..end];
    }
}
