namespace XSArena.Core.Store;

/// <summary>The one root resolver (DESIGN §4): <c>XSARENA_PROJECT_ROOT</c> if set, else the nearest ancestor of the
/// PowerShell location that contains <c>.xsarena/</c>, else that location.</summary>
public static class ProjectRoot
{
    public const string EnvironmentVariable = "XSARENA_PROJECT_ROOT";
    public const string StateFolderName = ".xsarena";

    public static string Resolve(string? environmentRoot, string currentLocation)
    {
        if (!string.IsNullOrWhiteSpace(environmentRoot)) return Path.GetFullPath(environmentRoot);
        var start = Path.GetFullPath(currentLocation);
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, StateFolderName))) return dir.FullName;
        }
        return start;
    }

    public static string JobsFolder(string root) => Path.Combine(root, StateFolderName, "jobs");
}
