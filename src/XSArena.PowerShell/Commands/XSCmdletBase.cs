using System.Management.Automation;

namespace XSArena.PowerShell.Commands;

/// <summary>The base of every XSArena cmdlet: before the first one writes anything in a session, the session gets
/// the module's type and format data (<see cref="TypeAndFormatData"/>).</summary>
public abstract class XSCmdletBase : PSCmdlet
{
    protected override void BeginProcessing() => TypeAndFormatData.EnsureLoaded();
}
