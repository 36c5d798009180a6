using System.Management.Automation;
using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;
using JobState = XSArena.Core.Jobs.JobState;

namespace XSArena.PowerShell.Commands;

/// <summary>Resumes jobs: a paused job in the process that runs it, otherwise (paused with no live runner, FAILED,
/// CANCELLED) in this session from its last recorded chunk.</summary>
[Cmdlet(VerbsLifecycle.Resume, "XSJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class ResumeXSJobCommand : XSJobControlCmdletBase
{
    /// <summary>When the book no longer matches its log, cut it back to the last chunk that still matches.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Do not check that the backend can serve before running a job in this session.</summary>
    [Parameter]
    public SwitchParameter SkipPreflight { get; set; }

    /// <summary>Run the job in a background pwsh that outlives this session (output in the job's detached.log).</summary>
    [Parameter]
    public SwitchParameter Detached { get; set; }

    private static readonly TimeSpan TakeOverTimeout = TimeSpan.FromSeconds(30);

    protected override JobCommand Command => JobCommand.Resume;

    /// <summary>With -Detached, a job no process runs is resumed by a new background pwsh; a job whose runner is
    /// alive is resumed there as usual.</summary>
    protected override bool HandledElsewhere(XSJob job)
    {
        if (!Detached) return false;
        // A runner that has just ended the job (a stop a moment ago) holds the lease while it closes: the job goes to
        // a background pwsh once it lets go, rather than to a runner that will never read the request.
        var before = JobFile.ReadState(job.Folder);
        if (RunnerLease.IsHeld(job.Folder))
        {
            if (!before.IsTerminal() || !LeaseLetGo(job)) return false;
            before = JobFile.ReadState(job.Folder);
        }
        if (before == JobState.Done) return false;
        if (!SkipPreflight) JobControlClient.CheckBackend(job, CancellationToken.None); // fail here, not silently in the background
        var run = DetachedRuns.Resume(this, job.Root, job.InstanceId, job.Folder, Force, SkipPreflight);
        WriteVerbose($"'{job.Name}' resumes in background process {run.ProcessId}; its output goes to {run.LogPath}.");
        // The object -PassThru writes must show the job as the background process has it, so Wait-Job on it waits
        // (a finished object would let it return at once).
        if (PassThru && before.IsTerminal() && !DetachedRuns.WaitUntilTaken(run, job.Folder, before, TakeOverTimeout, StopToken))
            WriteWarning($"Background process {run.ProcessId} has not taken '{job.Name}' yet; its output goes to {run.LogPath}.");
        return true;
    }

    /// <summary>Waits, at most the control timeout, for the process holding the job's lease to let it go.</summary>
    private bool LeaseLetGo(XSJob job)
    {
        var deadline = DateTime.UtcNow + SettingsFor.Root(job.Root).Settings.ControlAckTimeout;
        while (RunnerLease.IsHeld(job.Folder))
        {
            if (DateTime.UtcNow > deadline || StopToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(20))) return false;
        }
        return true;
    }

    protected override bool PreflightBeforeRun => !SkipPreflight;

    protected override bool ForceResume => Force;
}
