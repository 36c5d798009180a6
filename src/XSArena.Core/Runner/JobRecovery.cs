using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>Notices dead runners (DESIGN §3.2): a RUNNING job whose lease nobody holds lost its process, and is
/// marked FAILED <c>interrupted</c> by whichever process notices first, after taking the lease itself.</summary>
public static class JobRecovery
{
    /// <summary>Returns the job as it is after the check: unchanged, or re-read after marking it interrupted.</summary>
    public static StoredJob MarkInterruptedIfOrphaned(StoredJob job, IClock clock)
    {
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
            writer.SetState(JobState.Failed, "interrupted", "The process running the job ended before the job did.");
            return writer.Job with { Statistics = writer.Statistics };
        }
    }
}
