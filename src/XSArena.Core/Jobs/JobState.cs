namespace XSArena.Core.Jobs;

/// <summary>The six job states of the original tool (DESIGN §3.2).</summary>
public enum JobState
{
    Pending,
    Running,
    Paused,
    Done,
    Failed,
    Cancelled,
}

public static class JobStates
{
    public static IReadOnlyList<string> WireNames { get; } = ["PENDING", "RUNNING", "PAUSED", "DONE", "FAILED", "CANCELLED"];

    public static string ToWire(this JobState state) => WireNames[(int)state];

    /// <summary>Reads a state as stored in job.json. Upstream's unused names (STALLED, RETRYING) read as RUNNING.</summary>
    public static bool TryParse(string? text, out JobState state)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "PENDING": state = JobState.Pending; return true;
            case "RUNNING" or "STALLED" or "RETRYING": state = JobState.Running; return true;
            case "PAUSED": state = JobState.Paused; return true;
            case "DONE": state = JobState.Done; return true;
            case "FAILED": state = JobState.Failed; return true;
            case "CANCELLED" or "CANCELED": state = JobState.Cancelled; return true;
            default: state = JobState.Pending; return false;
        }
    }

    public static bool IsTerminal(this JobState state) => state is JobState.Done or JobState.Failed or JobState.Cancelled;
}
