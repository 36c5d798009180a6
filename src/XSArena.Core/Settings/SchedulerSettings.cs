namespace XSArena.Core.Settings;

/// <summary>How many jobs may run at once: <see cref="Total"/> per root, and per backend name (a backend without
/// an entry is limited by the total only).</summary>
public sealed record ConcurrencyLimits(int Total, IReadOnlyDictionary<string, int> PerBackend)
{
    public static ConcurrencyLimits Default { get; } = new(1,
        new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["bridge"] = 1, ["openrouter"] = 1 });

    /// <summary>The limit for one backend, or null when only the total applies.</summary>
    public int? For(string backend) => PerBackend.TryGetValue(backend, out var limit) ? limit : null;
}

/// <summary>A daily window of local time in which no new job starts. <see cref="Start"/> later than
/// <see cref="End"/> crosses midnight (22:00 to 06:00); equal times mean the whole day.</summary>
public sealed record QuietHours(bool Enabled, TimeOnly Start, TimeOnly End)
{
    public static QuietHours Default { get; } = new(false, new TimeOnly(22, 0), new TimeOnly(6, 0));

    /// <summary>True when enabled and <paramref name="localTime"/> lies in [Start, End).</summary>
    public bool IsQuiet(TimeOnly localTime)
    {
        if (!Enabled) return false;
        if (Start == End) return true;
        return Start < End
            ? localTime >= Start && localTime < End
            : localTime >= Start || localTime < End;
    }

    public bool CrossesMidnight => Start > End;
}

/// <summary>Per-backend request time limits; a null part keeps the global one.</summary>
public sealed record TimeoutOverrides(TimeSpan? FirstByte, TimeSpan? Idle, TimeSpan? Total)
{
    public RequestTimeouts Over(RequestTimeouts global) =>
        new(FirstByte ?? global.FirstByte, Idle ?? global.Idle, Total ?? global.Total);
}
