using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>What already stands at a book's path when a new book is started there.</summary>
/// <param name="Resumable">The newest job for this book that is not DONE (it can go on), if any.</param>
/// <param name="Finished">The newest DONE job for this book, if any.</param>
/// <param name="BookExists">The file exists and is not empty.</param>
public sealed record OutputSituation(StoredJob? Resumable, StoredJob? Finished, bool BookExists, bool InUse);

public static class BookOutputs
{
    /// <summary>Looks for jobs of <paramref name="store"/> that write <paramref name="bookPath"/> (compared by real path,
    /// so relative paths and links meet), and whether another run holds the book now.</summary>
    public static OutputSituation Inspect(JobStore store, string bookPath)
    {
        var key = OutputLease.RealPath(bookPath);
        var jobs = store.List()
            .Where(job => OutputLease.RealPath(job.OutputPath) == key)
            .OrderBy(job => job.CreationOrder)
            .ToList();
        var file = new FileInfo(bookPath);
        return new OutputSituation(
            jobs.LastOrDefault(job => job.State != JobState.Done),
            jobs.LastOrDefault(job => job.State == JobState.Done),
            file.Exists && file.Length > 0,
            OutputLease.IsHeld(bookPath));
    }

    /// <summary>Checks a book path before any job is created: not a folder, not inside a job store, and its folder can
    /// be made.</summary>
    public static void Validate(string bookPath)
    {
        if (string.IsNullOrWhiteSpace(bookPath)) throw new ArgumentException("The book's path is empty.");
        if (Directory.Exists(bookPath)) throw new ArgumentException($"'{bookPath}' is a folder; -OutFile must name a file.");
        if (Path.EndsInDirectorySeparator(bookPath)) throw new ArgumentException($"'{bookPath}' ends in a separator; -OutFile must name a file.");
        var full = Path.GetFullPath(bookPath);
        if (full.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Contains(ProjectRoot.StateFolderName, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"'{bookPath}' is inside a {ProjectRoot.StateFolderName} folder, where jobs keep their files; a book must be written elsewhere.");
        var folder = Path.GetDirectoryName(full);
        if (folder is null) throw new ArgumentException($"'{bookPath}' has no folder.");
        try { Directory.CreateDirectory(folder); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"The folder of '{bookPath}' cannot be created: {ex.Message}", ex);
        }
    }
}

/// <summary>What Start-XSBook does about an existing book or job at its output (issue "resume is exact").</summary>
public enum StartAction
{
    /// <summary>Nothing stands there: a new job.</summary>
    StartNew,
    /// <summary>Move the old book aside (never destroy it), then a new job.</summary>
    MoveAsideThenStartNew,
    /// <summary>Resume the job that can go on.</summary>
    ResumeExisting,
    /// <summary>Resume it, and warn that this was chosen for the user (non-interactive default).</summary>
    ResumeExistingWithWarning,
    /// <summary>Ask the user: resume or overwrite (interactive hosts only).</summary>
    Ask,
    /// <summary>A finished book (or a file) is there: never append to it silently.</summary>
    RefuseExistingBook,
    /// <summary>Another run writes the book now.</summary>
    RefuseInUse,
}

public static class StartDecision
{
    public static StartAction Decide(OutputSituation situation, bool resume, bool overwrite, bool interactive)
    {
        if (resume && overwrite) throw new ArgumentException("-Resume and -Overwrite exclude each other.");
        if (situation.Resumable is not null)
        {
            if (overwrite) return situation.InUse ? StartAction.RefuseInUse : StartAction.MoveAsideThenStartNew;
            if (resume) return StartAction.ResumeExisting;
            return interactive ? StartAction.Ask : StartAction.ResumeExistingWithWarning;
        }
        if (situation.InUse) return StartAction.RefuseInUse;
        if (overwrite) return situation.BookExists ? StartAction.MoveAsideThenStartNew : StartAction.StartNew;
        return situation.BookExists ? StartAction.RefuseExistingBook : StartAction.StartNew;
    }
}
