namespace XSArena.Core.Jobs;

/// <summary>What the statistics fold reads of one event: its type and its top-level fields by name. A parsed
/// <see cref="JobEvent"/> provides it, and so does the log scanner's in-place view of a raw line, so one fold
/// (<see cref="JobStatistics.Apply"/>) serves both.</summary>
public interface IEventFields
{
    string Type { get; }

    /// <summary>The field as a number, or null when it is missing, not a number, or beyond decimal's range.</summary>
    decimal? GetNumber(string name);

    /// <summary>The field as a string, or null when it is missing or not a string.</summary>
    string? GetString(string name);
}

public static class EventFields
{
    /// <summary>A whole number when the field holds one in int's range (fractions truncated); null otherwise, so a
    /// hostile line like <c>"chunk_idx": 1e20</c> is ignored rather than thrown on.</summary>
    public static int? GetInt(this IEventFields e, string name) =>
        e.GetNumber(name) is { } n && n >= int.MinValue && n <= int.MaxValue ? (int)n : null;

    public static long? GetLong(this IEventFields e, string name) =>
        e.GetNumber(name) is { } n && n >= long.MinValue && n <= long.MaxValue ? (long)n : null;

    public static decimal? GetDecimal(this IEventFields e, string name) => e.GetNumber(name);

    /// <summary>The one conversion of a JSON number to a field value: exact as a decimal when it fits, else its
    /// double when that is finite and within decimal's range (1e300 is not), else no value.</summary>
    public static decimal? NumberFrom(bool isDecimal, decimal exact, bool isDouble, double approximate)
    {
        if (isDecimal) return exact;
        if (isDouble && double.IsFinite(approximate) && Math.Abs(approximate) < (double)decimal.MaxValue) return (decimal)approximate;
        return null;
    }
}
