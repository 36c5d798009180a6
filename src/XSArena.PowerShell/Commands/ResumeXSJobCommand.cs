using System.Management.Automation;
using XSArena.Core.Control;

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

    protected override JobCommand Command => JobCommand.Resume;

    protected override bool PreflightBeforeRun => !SkipPreflight;

    protected override bool ForceResume => Force;
}
