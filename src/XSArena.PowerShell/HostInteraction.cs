using System.Management.Automation;

namespace XSArena.PowerShell;

/// <summary>DESIGN §8: ask the user only in an interactive console — ConsoleHost, not -NonInteractive, input not
/// redirected; everywhere else take the documented default and warn.</summary>
internal static class HostInteraction
{
    public static bool IsInteractive(PSCmdlet cmdlet) =>
        cmdlet.Host.Name == "ConsoleHost"
        && !Console.IsInputRedirected
        && !Environment.GetCommandLineArgs().Any(arg => arg.StartsWith("-noni", StringComparison.OrdinalIgnoreCase));
}
