using System.Globalization;

namespace XSArena.Core.Store;

/// <summary>Timestamps on disk: written as UTC with Z; offset-less values (the upstream tool's) are local time.</summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
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
