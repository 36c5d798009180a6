using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.PowerShell.Jobs;

/// <summary>Removes XS jobs for Remove-XSJob and Remove-Job alike: the deletion itself is Core's
/// <see cref="JobDeletion"/>; this adds what only the session knows (jobs it runs, its job cache).</summary>
internal static class JobRemoval
{
    /// <summary>The job as it is on disk now (the session's copy of a finished job is not refreshed, but another
    /// process may have resumed it since); the session's copy when the file cannot be read.</summary>
    public static StoredJob Current(XSJob job) => new JobStore(job.Root).TryLoad(job.Folder) ?? job.Snapshot;

    /// <summary>True while the job may still change: it is PENDING, RUNNING or PAUSED, or some process holds its lease.</summary>
    public static bool IsLive(XSJob job) =>
        job.IsOwnedHere || !Current(job).State.IsTerminal() || RunnerLease.IsHeld(job.Folder);

    /// <summary>Deletes the job (and its book when <paramref name="includeOutput"/>) and forgets it. The caller has
    /// already stopped a job this process runs.</summary>
    /// <exception cref="UnsafeJobPathException">The job's folder is not a job folder under its root.</exception>
    /// <exception cref="Core.Runner.JobBusyException">Another process holds the job's lease.</exception>
    public static JobDeletionResult Remove(XSJob job, bool includeOutput)
    {
        var result = JobDeletion.Delete(Current(job), includeOutput, SystemClock.Instance);
        JobRegistry.Remove(job);
        return result;
    }
}
