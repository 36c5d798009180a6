using XSArena.Core.Jobs;
using XSArena.Core.Runner;

namespace XSArena.Core.Store;

/// <summary>What one deletion removed.</summary>
/// <param name="Folder">The job folder (or the symbolic link to it) that was removed.</param>
/// <param name="DeletedOutput">The book that was deleted too, or null when it was kept or did not exist.</param>
public sealed record JobDeletionResult(Guid InstanceId, string Name, string Folder, string? DeletedOutput);

/// <summary>The one place that deletes jobs (Remove-XSJob, Remove-Job). It deletes only a folder directly under
/// <c>&lt;root&gt;/.xsarena/jobs</c>, only while holding the job's lease (a job whose lease is held elsewhere is
/// live), never follows symbolic links (a linked job folder is unlinked, its target kept), and deletes the book only
/// when asked, and then only the file the job names as its output.</summary>
public static class JobDeletion
{
    /// <exception cref="UnsafeJobPathException">The folder is not exactly one folder under the jobs folder.</exception>
    /// <exception cref="JobBusyException">Another runner holds the job's lease.</exception>
    public static JobDeletionResult Delete(StoredJob job, bool includeOutput, IClock clock)
    {
        var folder = ValidateJobFolder(job.Root, job.Folder);
        if (!Directory.Exists(folder)) return new JobDeletionResult(job.InstanceId, job.Record.Name, folder, null);

        string? deletedOutput = null;
        var isLink = IsLink(folder);
        using (var lease = RunnerLease.TryAcquire(folder, clock.UtcNow) ?? throw new JobBusyException(job.InstanceId, folder))
        {
            if (includeOutput && File.Exists(job.OutputPath) && !BookBelongsToAnotherJob(job))
            {
                File.Delete(job.OutputPath);
                deletedOutput = job.OutputPath;
            }
            if (isLink)
            {
                Unlink(folder);
                return new JobDeletionResult(job.InstanceId, job.Record.Name, folder, deletedOutput);
            }
            // job.json first: from here on no listing sees the job. The lock file stays until the lease is let go
            // (Windows cannot delete a file that is open).
            File.Delete(Path.Combine(folder, JobFile.FileName));
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos())
            {
                if (entry.Name != RunnerLease.LockFileName) DeleteEntry(entry);
            }
        }
        DeleteEntry(new DirectoryInfo(folder));
        return new JobDeletionResult(job.InstanceId, job.Record.Name, folder, deletedOutput);
    }

    /// <summary>True when another job of the root writes the same file (e.g. a newer job started with -Overwrite,
    /// which moved this job's book aside): that book is never this job's to delete.</summary>
    public static bool BookBelongsToAnotherJob(StoredJob job)
    {
        var key = OutputLease.RealPath(job.OutputPath);
        return OutputLease.IsHeld(job.OutputPath)
            || new JobStore(job.Root).List().Any(other => other.InstanceId != job.InstanceId && OutputLease.RealPath(other.OutputPath) == key);
    }

    /// <summary>Returns the full path of <paramref name="folder"/> if it is exactly one folder directly under the
    /// root's jobs folder; otherwise throws.</summary>
    public static string ValidateJobFolder(string root, string folder)
    {
        var jobsFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ProjectRoot.JobsFolder(root)));
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var name = Path.GetFileName(full);
        var parent = Path.GetDirectoryName(full);
        if (name is "" or "." or ".." || !string.Equals(parent, jobsFolder, StringComparison.Ordinal))
        {
            throw new UnsafeJobPathException(full, jobsFolder);
        }
        return full;
    }

    private static bool IsLink(string path) => new DirectoryInfo(path).LinkTarget is not null;

    // Removes the link itself: Windows removes a directory link as a directory, Unix unlinks it like a file.
    private static void Unlink(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.Delete(path);
        else File.Delete(path);
    }

    // Depth first, never following a link: a linked entry is unlinked, its target left alone.
    private static void DeleteEntry(FileSystemInfo entry)
    {
        if (entry.LinkTarget is not null)
        {
            if (entry is DirectoryInfo) Unlink(entry.FullName);
            else File.Delete(entry.FullName);
            return;
        }
        if (entry is DirectoryInfo directory)
        {
            foreach (var child in directory.EnumerateFileSystemInfos()) DeleteEntry(child);
            directory.Delete();
            return;
        }
        entry.Attributes &= ~FileAttributes.ReadOnly;
        entry.Delete();
    }
}

/// <summary>A path that is not exactly one job folder under its root's jobs folder; nothing was deleted.</summary>
public sealed class UnsafeJobPathException(string path, string jobsFolder)
    : InvalidOperationException($"Refusing to delete '{path}': it is not a job folder directly under '{jobsFolder}'. Nothing was deleted.")
{
    public string PathRefused { get; } = path;
}
