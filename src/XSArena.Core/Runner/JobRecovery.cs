using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>Notices dead runners (DESIGN §3.2): a RUNNING job whose lease nobody holds lost its process, and is
/// marked FAILED <c>interrupted</c> by whichever process notices first, after taking the lease itself.</summary>
public static class JobRecovery
{
    public const string InterruptedCode = "interrupted";
    public const string InterruptedMessage = "The process running the job ended before the job did.";

    /// <summary>Returns the job as it is after the check: unchanged, or re-read after marking it interrupted.</summary>
    public static StoredJob MarkInterruptedIfOrphaned(StoredJob job, IClock clock)
    {
        if (job.State == JobState.Pending && job.Record.Meta.WaitReason is Scheduling.SlotWait.Slot or Scheduling.SlotWait.QuietHours && !RunnerLease.IsHeld(job.Folder))
            return MarkOrphaned(job, clock);
        if (job.State != JobState.Running || RunnerLease.IsHeld(job.Folder)) return job;
        JobWriter writer;
        try { writer = JobWriter.Open(job with { Record = JobFile.Read(job.Folder) }, clock); }
        catch (JobBusyException) { return job; } // a runner (re)started meanwhile
        catch (JobStoreException) { return job; }
        using (writer)
        {
            if (writer.State != JobState.Running) return writer.Job; // it finished properly before letting go
            writer.Log(EventTypes.JobInterrupted, new JsonObject
            {
                ["reason"] = "runner_gone",
                ["noticed_by"] = $"{Environment.ProcessId}@{Environment.MachineName}",
                ["chunks_done"] = writer.Statistics.ChunksDone,
            });
            writer.Log(EventTypes.JobEnded, new JsonObject { ["state"] = JobState.Failed.ToWire() });
            writer.SetState(JobState.Failed, InterruptedCode, InterruptedMessage);
            return writer.Job with { Statistics = writer.Statistics };
        }
    }

    /// <summary>A queued job whose waiting process died stays PENDING, marked <c>orphaned</c>, for any Resume-XSJob or
    /// Start-XSWorker to pick up (DESIGN §3.2).</summary>
    private static StoredJob MarkOrphaned(StoredJob job, IClock clock)
    {
        JobWriter writer;
        try { writer = JobWriter.Open(job with { Record = JobFile.Read(job.Folder) }, clock); }
        catch (JobBusyException) { return job; }
        catch (JobStoreException) { return job; }
        using (writer)
        {
            if (writer.State != JobState.Pending || writer.Record.Meta.WaitReason is not (Scheduling.SlotWait.Slot or Scheduling.SlotWait.QuietHours)) return writer.Job;
            writer.Record.Meta.WaitReason = "orphaned";
            writer.Record.Meta.QueuePosition = null;
            writer.Log("job_orphaned", new JsonObject { ["noticed_by"] = $"{Environment.ProcessId}@{Environment.MachineName}" });
            writer.Save();
            return writer.Job with { Statistics = writer.Statistics };
        }
    }
}
