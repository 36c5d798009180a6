namespace XSArena.Core.Book;

/// <summary>The low-growth rule for extension passes: an extension that barely lengthens the chunk is low,
/// and two lows in a row stop extending.</summary>
public static class Growth
{
    public const int MinimumExpectedGrowth = 50;
    public const int ConsecutiveLowsToStop = 2;

    /// <summary>Growth a pass must reach: the larger of 50 characters and 10% of the extension's trimmed length.</summary>
    public static int Expected(int extensionLength) =>
        Math.Max(MinimumExpectedGrowth, Math.Max(0, extensionLength) / 10);

    /// <summary>True when the chunk grew by less than <see cref="Expected"/> for this extension.</summary>
    public static bool IsLow(int previousLength, int newLength, int extensionLength) =>
        newLength - previousLength < Expected(extensionLength);
}

/// <summary>Counts consecutive low-growth passes for one chunk; immutable, so each pass yields a new value.</summary>
/// <param name="LowStreak">Low-growth passes in a row so far.</param>
public readonly record struct LowGrowthGuard(int LowStreak)
{
    /// <summary>Records one pass: a low pass extends the streak, a good pass resets it.</summary>
    public LowGrowthGuard Observe(int previousLength, int newLength, int extensionLength) =>
        new(Growth.IsLow(previousLength, newLength, extensionLength) ? LowStreak + 1 : 0);

    /// <summary>True once enough consecutive lows were seen to stop extending this chunk.</summary>
    public bool ShouldStop => LowStreak >= Growth.ConsecutiveLowsToStop;
}
