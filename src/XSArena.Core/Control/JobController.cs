using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Store;

namespace XSArena.Core.Control;

/// <summary>How a control command ended for the sender.</summary>
public enum ControlResult
{
    /// <summary>The job's runner acknowledged the request.</summary>
    Acknowledged,
    /// <summary>Nobody ran the job, so this process took its lease and applied the command itself.</summary>
    AppliedHere,
    /// <summary>The state table says there is nothing to do.</summary>
    NoOp,
    /// <summary>Resume of a job nobody runs: the caller runs it in this process.</summary>
    RunHere,
}

/// <summary>A command refused by the state table; <see cref="ErrorId"/> is JobFinished or InvalidJobState.</summary>
public sealed class JobCommandRefusedException(string errorId, string message) : InvalidOperationException(message)
{
    public string ErrorId { get; } = errorId;
}

/// <summary>The runner did not acknowledge within the configured time.</summary>
public sealed class ControlTimeoutException(string message) : TimeoutException(message);

/// <summary>The sender's side of control: consult the state table, then either drop a request for the live runner
/// and wait for its acknowledgement, or — when no process runs the job — take the lease and apply it here.</summary>
public static class JobController
{
    private static readonly TimeSpan AckPoll = TimeSpan.FromMilliseconds(20);

    public static async Task<(ControlResult Result, string? RequestId)> SendAsync(
        StoredJob job, JobCommand command, string? text, TimeSpan ackTimeout, IClock clock, CancellationToken cancellationToken)
    {
        job = JobRecovery.MarkInterruptedIfOrphaned(job with { Record = JobFile.Read(job.Folder) }, clock);
        var state = job.State;
        // A PENDING job nobody waits on any more (its process died, or a copy never started) is picked up by Resume.
        if (state == JobState.Pending && command == JobCommand.Resume && !RunnerLease.IsHeld(job.Folder))
            return (ControlResult.RunHere, null);
        switch (JobTransitions.Decide(state, command))
        {
            case CommandOutcome.NoOp:
                return (ControlResult.NoOp, null);
            case CommandOutcome.RefusedFinished:
                throw new JobCommandRefusedException("JobFinished", $"Job '{job.Record.Name}' is DONE; it cannot be {Past(command)}.");
            case CommandOutcome.RefusedState:
                throw new JobCommandRefusedException("InvalidJobState", $"Job '{job.Record.Name}' is {state.ToWire()}; it cannot be {Past(command)}.");
        }

        if (!RunnerLease.IsHeld(job.Folder))
        {
            if (command == JobCommand.Resume) return (ControlResult.RunHere, null);
            if (TryApplyHere(job, command, text, clock) is { } applied) return (ControlResult.AppliedHere, applied);
        }

        var tail = new EventLogTail(job.Folder);
        tail.SkipToEnd();
        var request = ControlInbox.Send(job.Folder, command, text, clock.UtcNow);
        var deadline = DateTime.UtcNow + ackTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (tail.ReadNew().Any(e => e.Type.StartsWith("control_", StringComparison.Ordinal) && e.GetString("request_id") == request.Id))
                return (ControlResult.Acknowledged, request.Id);
            if (!RunnerLease.IsHeld(job.Folder))
            {
                if (command == JobCommand.Resume)
                {
                    // The runner let go meanwhile (it was closing after a stop, say): nobody will read the request,
                    // so it is withdrawn and the job decided afresh, which runs it here if it can still be resumed.
                    ControlInbox.Delete(request);
                    return await SendAsync(job, command, text, deadline - DateTime.UtcNow, clock, cancellationToken).ConfigureAwait(false);
                }
                if (TryApplyHere(job, command, text, clock, request) is { } late)
                    return (ControlResult.AppliedHere, late); // the runner ended meanwhile: nobody else will read it
            }
            await Task.Delay(AckPoll, cancellationToken).ConfigureAwait(false);
        }
        throw new ControlTimeoutException(
            $"The process running job '{job.Record.Name}' did not acknowledge request {request.Id} within {ackTimeout.TotalSeconds:0.#} s; the request stays queued for it.");
    }

    /// <summary>Applies a command to a job no process runs, holding its lease while writing; null if a runner took
    /// the lease first (then the request path is used).</summary>
    private static string? TryApplyHere(StoredJob job, JobCommand command, string? text, IClock clock, ControlRequest? sent = null)
    {
        JobWriter writer;
        try { writer = JobWriter.Open(job with { Record = JobFile.Read(job.Folder) }, clock); }
        catch (JobBusyException) { return null; }
        using (writer)
        {
            var state = writer.State;
            if (command == JobCommand.Resume) return null;
            var request = sent ?? (command == JobCommand.Hint ? ControlInbox.Send(job.Folder, command, text, clock.UtcNow) : null);
            var id = request?.Id ?? ControlInbox.NewLocalId(clock.UtcNow);
            writer.Log("control_" + JobTransitions.Verb(command), new JsonObject
            {
                ["command"] = JobTransitions.Verb(command),
                ["text"] = text,
                ["request_id"] = id,
                ["sender"] = $"{Environment.ProcessId}@{Environment.MachineName}",
            });
            if (JobTransitions.Decide(state, command) != CommandOutcome.Apply) return Done(request, command, id);
            switch (command)
            {
                case JobCommand.Stop:
                    writer.Log(EventTypes.JobCancelled, new JsonObject { ["request_id"] = id, ["chunks_done"] = writer.Statistics.ChunksDone });
                    writer.Log(EventTypes.JobEnded, new JsonObject { ["state"] = JobState.Cancelled.ToWire() });
                    writer.SetState(JobState.Cancelled);
                    break;
                case JobCommand.Suspend:
                    writer.Log(EventTypes.JobPaused, new JsonObject { ["request_id"] = id, ["chunks_done"] = writer.Statistics.ChunksDone });
                    writer.SetState(JobState.Paused);
                    break;
            }
            return Done(request, command, id);
        }
    }

    /// <summary>A hint stays in the request folder for the run that will use it; other requests are finished.</summary>
    private static string Done(ControlRequest? request, JobCommand command, string id)
    {
        if (request is not null && command != JobCommand.Hint) ControlInbox.Delete(request);
        return id;
    }

    private static string Past(JobCommand command) => command switch
    {
        JobCommand.Suspend => "suspended",
        JobCommand.Resume => "resumed",
        JobCommand.Stop => "stopped",
        _ => "given a hint",
    };
}
