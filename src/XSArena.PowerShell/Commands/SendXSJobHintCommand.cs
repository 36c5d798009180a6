using System.Management.Automation;
using XSArena.Core.Control;

namespace XSArena.PowerShell.Commands;

/// <summary>Steers the next chunk of jobs with an operator hint (it takes priority over the model's own NEXT hint).</summary>
[Cmdlet(VerbsCommunications.Send, "XSJobHint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class SendXSJobHintCommand : XSJobControlCmdletBase
{
    /// <summary>What the next chunk should cover or do.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Text { get; set; } = "";

    protected override JobCommand Command => JobCommand.Hint;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (string.IsNullOrWhiteSpace(Text))
        {
            ThrowTerminatingError(ErrorHelper.InvalidArgument(
                new ArgumentException("The hint is blank; say what the next chunk should cover or do."), "InvalidHint", Text));
        }
    }

    protected override string? HintText => Text;
}
