using System.Management.Automation;
using XSArena.Core.Control;

namespace XSArena.PowerShell.Commands;

/// <summary>Cancels jobs (from any pwsh process): the request in flight is aborted and its partial text dropped.</summary>
[Cmdlet(VerbsLifecycle.Stop, "XSJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class StopXSJobCommand : XSJobControlCmdletBase
{
    protected override JobCommand Command => JobCommand.Stop;
}
