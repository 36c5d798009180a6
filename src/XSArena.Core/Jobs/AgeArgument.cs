using System.Globalization;

namespace XSArena.Core.Jobs;

/// <summary>Reads an age such as the value of <c>Remove-XSJob -OlderThan</c>. A bare number means days (PowerShell's
/// own conversion would read <c>30</c> as 30 ticks, which selects every job); text is read culture-invariantly; spans
/// under a minute are refused unless they were given as a real <see cref="TimeSpan"/>, because a tiny age is almost
/// always a slip that would select every job.</summary>
public static class AgeArgument
{
    /// <summary>Spans shorter than this are refused unless the caller passed a TimeSpan.</summary>
    public static readonly TimeSpan Minimum = TimeSpan.FromMinutes(1);

    private static readonly string[] SpanFormats = ["c", "g", "G"];

    private const string Forms =
        "Give a number of days (30, 0.5), a time span as text ('30.00:00:00', '12:00:00'), or a [TimeSpan].";

    /// <summary>Converts <paramref name="value"/> to an age.</summary>
    /// <exception cref="ArgumentException">The value is not an age, is negative, or is under a minute without being a TimeSpan.</exception>
    public static TimeSpan Parse(object? value)
    {
        switch (value)
        {
            case null:
                throw new ArgumentException("An age is required. " + Forms);
            case TimeSpan span:
                return CheckSign(span, span.ToString("c", CultureInfo.InvariantCulture));
            case string text:
                return ParseText(text);
            case byte or sbyte or short or ushort or int or uint or long or ulong:
                return FromDays(Convert.ToDecimal(value, CultureInfo.InvariantCulture), Describe(value));
            case float or double:
                var real = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (!double.IsFinite(real)) throw new ArgumentException($"'{Describe(value)}' is not a number of days. " + Forms);
                if (Math.Abs(real) > TimeSpan.MaxValue.TotalDays) real = Math.CopySign(TimeSpan.MaxValue.TotalDays + 1, real);
                return FromDays((decimal)real, Describe(value));
            case decimal number:
                return FromDays(number, Describe(value));
            default:
                throw new ArgumentException($"Cannot read an age from a {value.GetType().Name} ('{Describe(value)}'). " + Forms);
        }
    }

    private static TimeSpan ParseText(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0) throw new ArgumentException("An age is required, but the text is empty. " + Forms);
        if (decimal.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var days))
        {
            return FromDays(days, trimmed);
        }
        if (TimeSpan.TryParseExact(trimmed, SpanFormats, CultureInfo.InvariantCulture, out var span))
        {
            return CheckMinimum(CheckSign(span, trimmed), trimmed);
        }
        throw new ArgumentException($"'{trimmed}' is not an age. " + Forms);
    }

    private static TimeSpan FromDays(decimal days, string shown)
    {
        if (days < 0) throw new ArgumentException($"The age '{shown}' is negative; give how long ago, such as 30 (days).");
        TimeSpan span;
        try { span = TimeSpan.FromTicks(checked((long)(days * TimeSpan.TicksPerDay))); }
        catch (OverflowException) { throw new ArgumentException($"The age '{shown}' days is too large."); }
        return CheckMinimum(span, shown + " days");
    }

    private static TimeSpan CheckSign(TimeSpan span, string shown) =>
        span < TimeSpan.Zero
            ? throw new ArgumentException($"The age '{shown}' is negative; give how long ago, such as 30 (days).")
            : span;

    private static TimeSpan CheckMinimum(TimeSpan span, string shown) =>
        span < Minimum
            ? throw new ArgumentException(
                $"The age '{shown}' is under a minute, which would select almost every job. A bare number means days; " +
                "if you really mean seconds, pass a [TimeSpan], such as ([TimeSpan]'00:00:30').")
            : span;

    private static string Describe(object value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
