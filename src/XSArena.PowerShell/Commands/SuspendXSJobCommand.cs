using System.Management.Automation;
using XSArena.Core.Control;

namespace XSArena.PowerShell.Commands;

/// <summary>Pauses jobs (from any pwsh process): the request in flight finishes, then the job holds as PAUSED.</summary>
[Cmdlet(VerbsLifecycle.Suspend, "XSJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class SuspendXSJobCommand : XSJobControlCmdletBase
{
    protected override JobCommand Command => JobCommand.Suspend;
}
