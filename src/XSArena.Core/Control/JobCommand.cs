namespace XSArena.Core.Control;

/// <summary>What a user can ask of a job from any process (DESIGN §3.2).</summary>
public enum JobCommand
{
    Suspend,
    Resume,
    Stop,
    Hint,
}

/// <summary>How a command meets a job in a given state.</summary>
public enum CommandOutcome
{
    /// <summary>The command changes the job (or is stored for it).</summary>
    Apply,
    /// <summary>Nothing to do (e.g. Resume on a running job).</summary>
    NoOp,
    /// <summary>Refused: the job is finished (error JobFinished).</summary>
    RefusedFinished,
    /// <summary>Refused: not valid in this state (e.g. Suspend on a failed job).</summary>
    RefusedState,
}

/// <summary>The state table of DESIGN §3.2, as one pure function every caller (cmdlets, runner) consults.</summary>
public static class JobTransitions
{
    public static CommandOutcome Decide(Jobs.JobState state, JobCommand command) => (state, command) switch
    {
        (Jobs.JobState.Done, JobCommand.Stop) => CommandOutcome.NoOp,
        (Jobs.JobState.Done, _) => CommandOutcome.RefusedFinished,
        (Jobs.JobState.Failed or Jobs.JobState.Cancelled, JobCommand.Stop) => CommandOutcome.NoOp,
        (Jobs.JobState.Failed or Jobs.JobState.Cancelled, JobCommand.Suspend) => CommandOutcome.RefusedState,
        (Jobs.JobState.Failed or Jobs.JobState.Cancelled, _) => CommandOutcome.Apply, // Resume restarts; a hint is stored
        (Jobs.JobState.Pending, JobCommand.Resume) => CommandOutcome.NoOp,
        (Jobs.JobState.Paused, JobCommand.Suspend) => CommandOutcome.NoOp,
        // Resume of a RUNNING job goes to its runner too: a pause asked for and not yet reached (it waits for the
        // request in flight) is taken back, not left to hold the job a moment later.
        _ => CommandOutcome.Apply,
    };

    /// <summary>The state a command leads to once applied (for Hint, the state does not change).</summary>
    public static Jobs.JobState Target(Jobs.JobState state, JobCommand command) => command switch
    {
        JobCommand.Suspend => Jobs.JobState.Paused,
        JobCommand.Stop => Jobs.JobState.Cancelled,
        JobCommand.Resume => Jobs.JobState.Running,
        _ => state,
    };

    public static string Verb(JobCommand command) => command switch
    {
        JobCommand.Suspend => "pause",
        JobCommand.Resume => "resume",
        JobCommand.Stop => "cancel",
        _ => "next",
    };

    public static bool TryParseVerb(string? verb, out JobCommand command)
    {
        switch (verb)
        {
            case "pause": command = JobCommand.Suspend; return true;
            case "resume": command = JobCommand.Resume; return true;
            case "cancel": command = JobCommand.Stop; return true;
            case "next": command = JobCommand.Hint; return true;
            default: command = JobCommand.Hint; return false;
        }
    }
}
