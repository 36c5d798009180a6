using System.Management.Automation;
using XSArena.Core.Jobs;
using XSArena.Core.Store;
using JobState = XSArena.Core.Jobs.JobState;

namespace XSArena.PowerShell.Commands;

/// <summary>Writes a job's events as they are appended, until the job is DONE, FAILED, CANCELLED or PAUSED.
/// Ctrl+C stops the watch, never the job.</summary>
[Cmdlet(VerbsCommon.Watch, "XSJob", DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJobEvent))]
public sealed class WatchXSJobCommand : XSJobCmdletBase
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StateCheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>How many earlier events to show before following (default 10; 0 shows only new ones).</summary>
    [Parameter, ValidateRange(0, int.MaxValue)]
    public int Last { get; set; } = 10;

    private readonly CancellationTokenSource _stop = new();

    protected override void ProcessRecord()
    {
        foreach (var job in ResolveJobs())
        {
            if (_stop.IsCancellationRequested) return;
            Watch(job);
        }
    }

    protected override void StopProcessing() => _stop.Cancel();

    protected override void EndProcessing() => _stop.Dispose();

    private void Watch(XSJob job)
    {
        var useWatcher = Environment.GetEnvironmentVariable(EventFollower.DisableWatcherVariable) != "1";
        using var follower = new EventFollower(job.Folder, useWatcher, PollInterval);
        var history = follower.ReadAvailable(WriteWarning);
        foreach (var e in history.TakeLast(Last)) WriteObject(new XSJobEvent(job.InstanceId, e));
        if (history.Any(EventFollower.EndsWatch) && IsAtRest(job)) return;

        var activityId = Math.Abs(job.InstanceId.GetHashCode() % 100000) + 1;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var events = follower.WaitForNewAsync(StateCheckInterval, WriteWarning, _stop.Token).GetAwaiter().GetResult();
                foreach (var e in events) WriteObject(new XSJobEvent(job.InstanceId, e));
                if (events.Count > 0) WriteProgress(ProgressOf(job, activityId, events[^1]));
                if (events.Any(EventFollower.EndsWatch) || (events.Count == 0 && IsAtRest(job))) break;
            }
        }
        catch (OperationCanceledException) { }
        var done = new ProgressRecord(activityId, $"Watching '{job.Name}'", "done") { RecordType = ProgressRecordType.Completed };
        WriteProgress(done);
    }

    /// <summary>The job is not running: finished, paused, or its runner holds no lease any more.</summary>
    private static bool IsAtRest(XSJob job)
    {
        if (job.IsOwnedHere) return false;
        JobState state;
        try { state = JobStates.TryParse(JobFile.Read(job.Folder).State, out var parsed) ? parsed : JobState.Pending; }
        catch (JobStoreException) { return false; } // unreadable for a moment: look again at the next check
        return state.IsTerminal() || state == JobState.Paused
            || (state == JobState.Running && !RunnerLease.IsHeld(job.Folder));
    }

    private static ProgressRecord ProgressOf(XSJob job, int activityId, JobEvent last)
    {
        var total = Math.Max(job.ChunksTotal, 1);
        var done = last.Type == EventTypes.ChunkDone ? last.ChunkIndex ?? job.ChunksDone : job.ChunksDone;
        return new ProgressRecord(activityId, $"Watching '{job.Name}'", $"chunk {done} of {job.ChunksTotal}: {last.Type}")
        {
            PercentComplete = Math.Clamp(done * 100 / total, 0, 100),
        };
    }
}
