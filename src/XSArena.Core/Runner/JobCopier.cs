using System.Text.Json;
using System.Text.Json.Nodes;
using XSArena.Core.Book;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>Copies a job's configuration into a new PENDING job (Copy-XSJob): a fresh id, no history, and its own
/// book. Unlike the upstream <c>clone</c>, it copies neither events nor state nor the output target.</summary>
public static class JobCopier
{
    public const string NameSuffix = " (copy)";

    /// <summary>Writes the copy (job.json and a <c>job_submitted</c> event with <c>cloned_from</c>) and returns it.
    /// </summary>
    /// <param name="name">The copy's name; null for "&lt;name&gt; (copy)".</param>
    /// <param name="outFile">Absolute path of the copy's book, refused when it is a file already or another job's
    /// book; null for <c>books/&lt;safe name&gt;.final.md</c>, made unique so it is neither.</param>
    public static StoredJob Copy(JobStore store, StoredJob source, string? name, string? outFile, IClock clock)
    {
        source = source.InFull();
        var newName = string.IsNullOrWhiteSpace(name) ? source.Record.Name + NameSuffix : name;
        var outPath = outFile is null
            ? UniqueDefaultOutPath(store, newName)
            : UnusedOutPath(store, outFile);

        var id = Guid.NewGuid();
        var now = Timestamps.Format(clock.UtcNow);
        var spec = CloneRunSpec(source.Record.RunSpec);
        spec.OutPath = outPath;
        var meta = source.Record.Meta;
        var chunks = meta.Chunks ?? (source.Record.Progress.ChunksTotal > 0 ? source.Record.Progress.ChunksTotal : null);
        var record = new JobRecord
        {
            Id = id.ToString("D"),
            Name = newName,
            Backend = source.Record.Backend ?? spec.Backend,
            State = JobState.Pending.ToWire(),
            CreatedAt = now,
            UpdatedAt = now,
            Schema = JobRecord.CurrentSchema,
            RunSpec = spec,
            Meta = new JobMeta
            {
                SystemText = meta.SystemText,
                Chunks = chunks,
                MinChars = meta.MinChars,
                ExtensionPasses = meta.ExtensionPasses,
                BaseUrl = meta.BaseUrl,
            },
            Progress = new JobProgress { ChunksTotal = chunks ?? 0 },
        };

        using var writer = BookJobs.Submit(store, id, record, clock, new JsonObject { ["cloned_from"] = source.Record.Id });
        return writer.Job;
    }

    /// <summary><c>books/&lt;safe name&gt;.final.md</c>, or with _2, _3... added to the stem until no file and no
    /// other job of the root uses it (compared without regard to case, for case-insensitive file systems).</summary>
    public static string UniqueDefaultOutPath(JobStore store, string name)
    {
        var taken = new HashSet<string>(store.List().Select(job => job.OutputPath), StringComparer.OrdinalIgnoreCase);
        var stem = OutputName.FromSubject(name)[..^OutputName.Suffix.Length];
        for (var n = 1; ; n++)
        {
            var relative = OutputName.BooksFolder + "/" + (n == 1 ? stem : $"{stem}_{n}") + OutputName.Suffix;
            var full = Path.GetFullPath(Path.Combine(store.Root, relative));
            if (!taken.Contains(full) && !File.Exists(full) && !Directory.Exists(full)) return relative;
        }
    }

    /// <summary>The book the caller named for the copy, if nothing stands there: a copy writes a book of its own, so,
    /// as Start-XSBook without -Overwrite, it never takes over another job's book or cuts an existing file.</summary>
    private static string UnusedOutPath(JobStore store, string outFile)
    {
        var full = Path.GetFullPath(outFile);
        BookOutputs.Validate(full);
        var situation = BookOutputs.Inspect(store, full);
        const string Advice = "Pass another -OutFile, or none for books/<name>.final.md.";
        if ((situation.Resumable ?? situation.Finished) is { } owner)
            throw new ArgumentException($"'{full}' is the book of job '{owner.Record.Name}' ({owner.InstanceId}, {owner.State.ToWire()}); a copy writes a book of its own. {Advice}");
        if (situation.InUse) throw new ArgumentException($"'{full}' is being written by another run. {Advice}");
        if (situation.BookExists) throw new ArgumentException($"'{full}' already exists; a copy never writes over a file. {Advice}");
        return BookJobs.StoredOutPath(store.Root, full);
    }

    // A deep copy through the store's own serializer keeps every field, unknown upstream ones included.
    private static RunSpec CloneRunSpec(RunSpec spec)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(spec, StoreJsonContext.Default.RunSpec);
        var copy = JsonSerializer.Deserialize(json, StoreJsonContext.Default.RunSpec) ?? new RunSpec();
        copy.Overlays ??= [];
        copy.ExtraFiles ??= [];
        return copy;
    }
}
