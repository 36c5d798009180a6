using System.Management.Automation;
using XSArena.Core.Store;

namespace XSArena.PowerShell;

/// <summary>Resolves the project root from the PowerShell location (not the process working directory, which does
/// not follow Set-Location).</summary>
internal static class RootResolver
{
    public static string Resolve(PSCmdlet cmdlet) => ProjectRoot.Resolve(
        Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable),
        cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath);
}
