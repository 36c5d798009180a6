namespace XSArena.Core.Book;

/// <summary>Named length and span presets, resolved into a <see cref="BookPlan"/>.</summary>
public static class BookPresets
{
    private static readonly (string Name, int MinChars, int Passes)[] LengthTable =
    [
        ("standard", 4200, 1),
        ("long", 5800, 3),
        ("very-long", 6200, 4),
        ("max", 6800, 5),
    ];

    private static readonly (string Name, int Chunks)[] SpanTable =
    [
        ("medium", 12),
        ("long", 24),
        ("book", 40),
    ];

    /// <summary>Valid length names, shortest first (for ValidateSet and completion).</summary>
    public static IReadOnlyList<string> LengthNames { get; } = Array.AsReadOnly(LengthTable.Select(l => l.Name).ToArray());

    /// <summary>Valid span names, shortest first (for ValidateSet and completion).</summary>
    public static IReadOnlyList<string> SpanNames { get; } = Array.AsReadOnly(SpanTable.Select(s => s.Name).ToArray());

    public const string DefaultLength = "standard";
    public const string DefaultSpan = "medium";

    /// <summary>Turns preset names plus optional explicit overrides into a plan. Names are case-insensitive;
    /// the plan carries the canonical lower-case names.</summary>
    /// <exception cref="ArgumentException">Unknown preset name, or an override that is not positive.</exception>
    public static BookPlan Resolve(string length, string span, int? chunksOverride, int? minCharsOverride) =>
        Resolve(length, span, chunksOverride, minCharsOverride, PresetOverrides.None);

    /// <summary>As <see cref="Resolve(string, string, int?, int?)"/>, with preset numbers changed by configuration;
    /// explicit overrides still win.</summary>
    public static BookPlan Resolve(string length, string span, int? chunksOverride, int? minCharsOverride, PresetOverrides presets)
    {
        ArgumentNullException.ThrowIfNull(presets);
        ArgumentNullException.ThrowIfNull(length);
        ArgumentNullException.ThrowIfNull(span);

        var lengthIndex = Array.FindIndex(LengthTable, l => Matches(l.Name, length));
        if (lengthIndex < 0)
        {
            throw new ArgumentException(
                $"Unknown length '{length}'. Valid lengths: {string.Join(", ", LengthNames)}.", nameof(length));
        }

        var spanIndex = Array.FindIndex(SpanTable, s => Matches(s.Name, span));
        if (spanIndex < 0)
        {
            throw new ArgumentException(
                $"Unknown span '{span}'. Valid spans: {string.Join(", ", SpanNames)}.", nameof(span));
        }

        if (chunksOverride is <= 0)
        {
            throw new ArgumentException($"Chunks must be positive (got {chunksOverride}).", nameof(chunksOverride));
        }

        if (minCharsOverride is <= 0)
        {
            throw new ArgumentException($"MinChars must be positive (got {minCharsOverride}).", nameof(minCharsOverride));
        }

        var (lengthName, minChars, passes) = LengthTable[lengthIndex];
        var (spanName, chunks) = SpanTable[spanIndex];
        if (presets.Lengths.TryGetValue(lengthName, out var changed))
        {
            minChars = changed.MinChars ?? minChars;
            passes = changed.Passes ?? passes;
        }
        if (presets.Spans.TryGetValue(spanName, out var spanChunks)) chunks = spanChunks;
        return new BookPlan(chunksOverride ?? chunks, minCharsOverride ?? minChars, passes, lengthName, spanName);
    }

    private static bool Matches(string name, string candidate) =>
        string.Equals(name, candidate.Trim(), StringComparison.OrdinalIgnoreCase);
}
