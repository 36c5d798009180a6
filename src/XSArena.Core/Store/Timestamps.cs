using System.Globalization;

namespace XSArena.Core.Store;

/// <summary>Timestamps on disk: written as UTC with Z; offset-less values (the upstream tool's) are local time.</summary>
public static class Timestamps
{
    private const string FormatPattern = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
    private const int FormatLength = 27;

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString(FormatPattern, CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        // What Format writes (nearly every timestamp read) parses exactly, several times faster than the general parse.
        if (text.Length == FormatLength && DateTime.TryParseExact(text, FormatPattern, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var exact))
        {
            value = new DateTimeOffset(exact, TimeSpan.Zero);
            return true;
        }
        var styles = DateTimeStyles.AllowWhiteSpaces;
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, styles | DateTimeStyles.RoundtripKind, out var parsed))
            return false;
        value = parsed.Kind switch
        {
            DateTimeKind.Utc => new DateTimeOffset(parsed, TimeSpan.Zero),
            DateTimeKind.Local => new DateTimeOffset(parsed),
            _ => new DateTimeOffset(DateTime.SpecifyKind(parsed, DateTimeKind.Local)),
        };
        return true;
    }

    public static DateTimeOffset? ParseOrNull(string? text) => TryParse(text, out var value) ? value : null;
}
