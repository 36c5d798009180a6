using System.Globalization;
using XSArena.Core.Settings;

namespace XSArena.Core.Backends;

/// <summary>Per-request time limits folded into one cancellation token: time to first byte, idle time between
/// stream lines, and total time. The caller's token is linked in, so one token aborts the request.</summary>
internal sealed class RequestWatchdog : IDisposable
{
    private readonly CancellationTokenSource _total = new();
    private readonly CancellationTokenSource _stall = new();
    private readonly CancellationTokenSource _linked;
    private readonly RequestTimeouts _limits;

    public RequestWatchdog(RequestTimeouts limits, CancellationToken caller)
    {
        _limits = limits;
        if (limits.Total > TimeSpan.Zero)
            _total.CancelAfter(limits.Total);
        ArmStall(limits.FirstByte);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(caller, _total.Token, _stall.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>True once any line (data or comment) has arrived.</summary>
    public bool SawFirstLine { get; private set; }

    public bool TotalExpired => _total.IsCancellationRequested;

    public bool Stalled => _stall.IsCancellationRequested && !_total.IsCancellationRequested;

    /// <summary>Record liveness: from now on, the idle limit applies.</summary>
    public void Alive()
    {
        SawFirstLine = true;
        ArmStall(_limits.Idle);
    }

    /// <summary>A user-facing description of what expired.</summary>
    public string Describe() => TotalExpired
        ? $"no complete reply within the total limit of {Seconds(_limits.Total)}"
        : SawFirstLine
            ? $"the stream went silent for {Seconds(_limits.Idle)} (idle limit)"
            : $"no first byte within {Seconds(_limits.FirstByte)} (first-byte limit)";

    private void ArmStall(TimeSpan limit)
    {
        if (_stall.IsCancellationRequested)
            return;
        _stall.CancelAfter(limit > TimeSpan.Zero ? limit : Timeout.InfiniteTimeSpan);
    }

    private static string Seconds(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{t.TotalSeconds:0.###} s");

    public void Dispose()
    {
        _linked.Dispose();
        _stall.Dispose();
        _total.Dispose();
    }
}
