using System.Management.Automation;
using XSArena.Core.Jobs;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using JobState = XSArena.Core.Jobs.JobState;

namespace XSArena.PowerShell.Commands;

/// <summary>Writes jobs' events as they are appended (several jobs interleaved), until each job is DONE, FAILED,
/// CANCELLED or PAUSED. Ctrl+C stops the watch, never the jobs.</summary>
[Cmdlet(VerbsCommon.Watch, "XSJob", DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJobEvent))]
public sealed class WatchXSJobCommand : XSJobCmdletBase
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StateCheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan UnclaimedPendingAfter = TimeSpan.FromSeconds(10);

    /// <summary>How many earlier events of each job to show before following (default 10; 0 shows only new ones).</summary>
    [Parameter, ValidateRange(0, int.MaxValue)]
    public int Last { get; set; } = 10;

    private readonly List<XSJob> _jobs = [];
    private readonly CancellationTokenSource _stop = new();

    protected override void ProcessRecord()
    {
        foreach (var job in ResolveJobs())
        {
            if (!_jobs.Contains(job)) _jobs.Add(job);
        }
    }

    protected override void EndProcessing()
    {
        try { Watch(); }
        finally { _stop.Dispose(); }
    }

    protected override void StopProcessing() => _stop.Cancel();

    private sealed record Watched(XSJob Job, EventFollower Follower, int ActivityId)
    {
        public DateTime NextStateCheck { get; set; } = DateTime.UtcNow + StateCheckInterval;
    }

    private void Watch()
    {
        if (_jobs.Count == 0) return;
        var useWatcher = SettingsFor.Root(_jobs[0].Root).Settings.UseFileWatcher;
        using var wake = new SemaphoreSlim(0);
        var active = new List<Watched>();
        try
        {
            foreach (var job in _jobs)
            {
                var watched = new Watched(job, new EventFollower(job.Folder, useWatcher, PollInterval, wake), active.Count + 1);
                var history = watched.Follower.ReadAvailable(WriteWarning);
                foreach (var e in history.TakeLast(Last)) WriteObject(new XSJobEvent(job.InstanceId, e));
                if (history.Any(EventFollower.EndsWatch) && IsAtRest(job)) watched.Follower.Dispose();
                else active.Add(watched);
            }
            while (active.Count > 0 && !_stop.IsCancellationRequested)
            {
                var anyNew = false;
                foreach (var watched in active.ToList())
                {
                    var events = watched.Follower.ReadAvailable(WriteWarning);
                    anyNew |= events.Count > 0;
                    foreach (var e in events) WriteObject(new XSJobEvent(watched.Job.InstanceId, e));
                    if (events.Count > 0) WriteProgress(ProgressOf(watched, events[^1]));
                    if (events.Any(EventFollower.EndsWatch) || (events.Count == 0 && StateCheckDue(watched) && IsAtRest(watched.Job)))
                    {
                        Finish(watched);
                        active.Remove(watched);
                    }
                }
                // A blocking wait on this thread: WaitAsync's timer woke a thread-pool worker ten times a second, and
                // the worker's spinning before it slept again was a good part of an idle watch's CPU.
                if (!anyNew) wake.Wait(PollInterval, _stop.Token);
            }
        }
        catch (OperationCanceledException) { }
        finally
        {
            foreach (var watched in active) watched.Follower.Dispose();
        }
    }

    private void Finish(Watched watched)
    {
        watched.Follower.Dispose();
        if (!Directory.Exists(watched.Job.Folder))
            WriteWarning($"Job '{watched.Job.Name}' ({watched.Job.InstanceId}) was removed while it was watched.");
        WriteProgress(new ProgressRecord(watched.ActivityId, $"Watching '{watched.Job.Name}'", "done")
        {
            RecordType = ProgressRecordType.Completed,
        });
    }

    private static bool StateCheckDue(Watched watched)
    {
        if (DateTime.UtcNow < watched.NextStateCheck) return false;
        watched.NextStateCheck = DateTime.UtcNow + StateCheckInterval;
        return true;
    }

    /// <summary>The job is not running: finished, paused, removed, or no process holds its lease any more.</summary>
    /// <remarks>A PENDING job with no process is left alone for a while first: the background pwsh it was just
    /// handed to takes its lease within seconds.</remarks>
    private bool IsAtRest(XSJob job)
    {
        if (job.IsOwnedHere) return false;
        if (!Directory.Exists(job.Folder)) return true;
        JobState state;
        try { state = JobFile.ReadState(job.Folder); }
        catch (JobStoreException ex)
        {
            if (RunnerLease.IsHeld(job.Folder)) return false; // its runner may yet write it again: look at the next check
            WriteWarning($"Job '{job.Name}' ({job.InstanceId}) cannot be read and no process runs it, so its watch ends: {ex.Message}");
            return true;
        }
        if (state.IsTerminal() || state == JobState.Paused) return true;
        if (RunnerLease.IsHeld(job.Folder)) return false;
        if (state == JobState.Running) return true; // its runner died
        if (DateTime.UtcNow - File.GetLastWriteTimeUtc(Path.Combine(job.Folder, JobFile.FileName)) < UnclaimedPendingAfter) return false;
        WriteWarning($"Job '{job.Name}' ({job.InstanceId}) is PENDING and no process runs it, so its watch ends. Resume-XSJob or Start-XSWorker starts it.");
        return true;
    }

    private static ProgressRecord ProgressOf(Watched watched, JobEvent last)
    {
        var job = watched.Job;
        var total = Math.Max(job.ChunksTotal, 1);
        var done = last.Type == EventTypes.ChunkDone ? last.ChunkIndex ?? job.ChunksDone : job.ChunksDone;
        return new ProgressRecord(watched.ActivityId, $"Watching '{job.Name}'", $"chunk {done} of {job.ChunksTotal}: {last.Type}")
        {
            PercentComplete = Math.Clamp(done * 100 / total, 0, 100),
        };
    }
}
