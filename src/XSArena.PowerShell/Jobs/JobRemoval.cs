using XSArena.Core.Store;

namespace XSArena.PowerShell.Jobs;

/// <summary>Deletes a job's folder, and only a folder that really is one job folder under its root's jobs folder.</summary>
internal static class JobRemoval
{
    public static void DeleteJobFolder(XSJob job)
    {
        var jobsFolder = Path.GetFullPath(ProjectRoot.JobsFolder(job.Root));
        var folder = Path.GetFullPath(job.Folder);
        var parent = Path.GetDirectoryName(folder.TrimEnd(Path.DirectorySeparatorChar));
        if (!string.Equals(parent, jobsFolder, StringComparison.Ordinal) || Path.GetFileName(folder) is "" or "." or "..")
        {
            throw new InvalidOperationException($"Refusing to delete '{folder}': it is not a job folder under '{jobsFolder}'.");
        }
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
