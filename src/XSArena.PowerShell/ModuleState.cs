using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell;

/// <summary>Called by XSArena.psm1 at import: registers the roots this session starts with (DESIGN §3.5), because
/// the job adapter cannot read $PWD itself.</summary>
public static class ModuleState
{
    /// <summary>Jobs this process runs now (their runners end with the process).</summary>
    public static int LiveJobCount => JobLauncher.LiveCount;

    /// <summary>Makes the project root of a new location known, if the location is inside a project (a folder with
    /// .xsarena/ above it); plain folders are not scanned.</summary>
    public static void OnLocationChanged(string newLocation)
    {
        try
        {
            var root = ProjectRoot.Resolve(null, newLocation);
            if (Directory.Exists(Path.Combine(root, ProjectRoot.StateFolderName))) JobRegistry.UseRoot(root);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // A location we cannot inspect simply adds no root.
        }
    }

    public static void OnImport(string currentLocation)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(ProjectRoot.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) JobRegistry.UseRoot(fromEnvironment);
        JobRegistry.UseRoot(ProjectRoot.Resolve(null, currentLocation));
    }
}
