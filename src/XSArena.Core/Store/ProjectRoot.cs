namespace XSArena.Core.Store;

/// <summary>The one root resolver (DESIGN §4): <c>XSARENA_PROJECT_ROOT</c> if set (a relative one from the PowerShell
/// location, as every path a user types), else the nearest ancestor of that location that contains <c>.xsarena/</c>,
/// else that location.</summary>
public static class ProjectRoot
{
    public const string EnvironmentVariable = "XSARENA_PROJECT_ROOT";
    public const string StateFolderName = ".xsarena";

    public static string Resolve(string? environmentRoot, string currentLocation)
    {
        var start = Path.GetFullPath(currentLocation);
        if (!string.IsNullOrWhiteSpace(environmentRoot)) return Path.GetFullPath(environmentRoot, start);
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, StateFolderName))) return dir.FullName;
        }
        return start;
    }

    public static string JobsFolder(string root) => Path.Combine(root, StateFolderName, "jobs");
}
