using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell;

/// <summary>Called by XSArena.psm1 at import: registers the roots this session starts with (DESIGN §3.5), because
/// the job adapter cannot read $PWD itself.</summary>
public static class ModuleState
{
    /// <summary>Jobs this process runs now (their runners end with the process).</summary>
    public static int LiveJobCount => JobLauncher.LiveCount;

    public static void OnImport(string currentLocation)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) JobRegistry.UseRoot(fromEnvironment);
        JobRegistry.UseRoot(ProjectRoot.Resolve(null, currentLocation));
    }
}
