using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell;

/// <summary>Called by XSArena.psm1 at import: registers the roots this session starts with (DESIGN §3.5), because
/// the job adapter cannot read $PWD itself.</summary>
public static class ModuleState
{
    public static void OnImport(string currentLocation)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) JobRegistry.UseRoot(fromEnvironment);
        JobRegistry.UseRoot(ProjectRoot.Resolve(null, currentLocation));
    }
}
