using System.Runtime.ExceptionServices;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;

namespace XSArena.Core.Store;

/// <summary>A job as found on disk: its id, its folder (never rebuilt from the id: upstream clones use 32-hex
/// folder names), the record and its counters. A listed job's record leaves out meta.system_text; whatever writes
/// or copies a job reads its record in full first (<see cref="JobFile.Read"/>).</summary>
public sealed record StoredJob(Guid InstanceId, string Folder, string Root, JobRecord Record, JobStatistics Statistics)
{
    public JobState State => JobStates.TryParse(Record.State, out var state) ? state : JobState.Pending;

    /// <summary>The book's absolute path (run_spec.out_path is relative to the root, as upstream wrote it).</summary>
    public string OutputPath => BookJobs.ResolveOutputPath(Root, Record.RunSpec);

    /// <summary>When the job was created; null when job.json has no readable created_at.</summary>
    public DateTimeOffset? Created => Record.Created;

    /// <summary>Listings and session Ids put jobs in this order: oldest first, unreadable creation times first of all.</summary>
    public DateTimeOffset CreationOrder => Created ?? DateTimeOffset.MinValue;

    /// <summary>This job with its whole record: a listed job (<see cref="JobFile.ReadListed"/>) is read again in full,
    /// as whatever writes or copies a job needs meta.system_text.</summary>
    public StoredJob InFull() => Record.Meta.IsSystemTextSkipped ? this with { Record = JobFile.Read(Folder) } : this;
}

/// <summary>The jobs of one root: <c>&lt;root&gt;/.xsarena/jobs/&lt;id&gt;/</c>.</summary>
public sealed class JobStore(string root)
{
    public string Root { get; } = Path.GetFullPath(root);
    public string JobsFolder => ProjectRoot.JobsFolder(Root);

    /// <summary>Creates the folder of a new job; fails if it exists.</summary>
    public string CreateFolder(Guid id)
    {
        Directory.CreateDirectory(JobsFolder);
        var folder = Path.Combine(JobsFolder, id.ToString("D"));
        if (Directory.Exists(folder)) throw new IOException($"Job folder {folder} already exists.");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Every readable job, oldest first. A folder that cannot be read is reported through
    /// <paramref name="warn"/> (naming the file) and skipped; the others are still listed.</summary>
    public IReadOnlyList<StoredJob> List(Action<string>? warn = null)
    {
        if (!Directory.Exists(JobsFolder)) return [];
        var jobs = LoadAll([.. Directory.EnumerateDirectories(JobsFolder)], warn).Select(loaded => loaded.Job);
        return [.. jobs.OrderBy(job => job.CreationOrder)]; // each timestamp parsed once, equal ones kept in folder order
    }

    /// <summary>Loads many job folders as <see cref="TryLoad(string, Action{string}?, out JobFileStamp)"/> does, in
    /// folder order, the files read on every core; <paramref name="warn"/> is called afterwards on the caller's
    /// thread (a cmdlet may write warnings from its pipeline thread only), in folder order.</summary>
    public IReadOnlyList<(StoredJob Job, JobFileStamp Stamp)> LoadAll(IReadOnlyList<string> folders, Action<string>? warn)
    {
        var loaded = new (StoredJob? Job, JobFileStamp Stamp, List<string>? Warnings)[folders.Count];
        void Load(int i)
        {
            List<string>? warnings = null;
            var job = TryLoad(folders[i], message => (warnings ??= []).Add(message), out var stamp);
            loaded[i] = (job, stamp, warnings);
        }
        // Small sets are read in line: starting threads costs more than it saves below a few dozen files.
        if (folders.Count < ParallelLoadThreshold) for (var i = 0; i < folders.Count; i++) Load(i);
        else OnEveryCore(folders.Count, Load);

        var jobs = new List<(StoredJob, JobFileStamp)>(folders.Count);
        foreach (var (job, stamp, warnings) in loaded)
        {
            foreach (var message in warnings ?? []) warn?.Invoke(message);
            if (job is not null) jobs.Add((job, stamp));
        }
        return jobs;
    }

    private const int ParallelLoadThreshold = 64;

    /// <summary>Runs <paramref name="body"/> for 0 to <paramref name="count"/> - 1 on this thread and on one thread of
    /// its own per other core, and throws the first exception any of them met (the others stop at the next item).
    /// Not the thread pool: its idle workers spin for milliseconds before they sleep, on the cores the listing goes
    /// on with once the files are read.</summary>
    private static void OnEveryCore(int count, Action<int> body)
    {
        var next = -1;
        ExceptionDispatchInfo? failure = null;
        void Work()
        {
            int i;
            while (Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < count)
            {
                try { body(i); }
                catch (Exception ex) { Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(ex), null); }
            }
        }
        var helpers = new Thread[Math.Max(0, Environment.ProcessorCount - 1)];
        for (var k = 0; k < helpers.Length; k++)
        {
            helpers[k] = new Thread(Work) { IsBackground = true, Name = "XSArena job reader" };
            helpers[k].Start();
        }
        Work();
        foreach (var helper in helpers) helper.Join();
        failure?.Throw();
    }

    /// <summary>Loads one job folder as listings see it (without meta.system_text: <see cref="JobFile.ReadListed"/>),
    /// or reports why it cannot and returns null.</summary>
    public StoredJob? TryLoad(string folder, Action<string>? warn = null) => TryLoad(folder, warn, out _);

    /// <inheritdoc cref="TryLoad(string, Action{string}?)"/>
    /// <param name="stamp">The stamp of the job.json that was read.</param>
    public StoredJob? TryLoad(string folder, Action<string>? warn, out JobFileStamp stamp)
    {
        JobRecord record;
        stamp = default;
        try { record = JobFile.ReadListed(folder, out stamp); }
        catch (JobStoreException ex) when (ex.InnerException is FileNotFoundException or DirectoryNotFoundException)
        {
            return null; // not a job folder, or one still being created
        }
        catch (JobStoreException ex) { warn?.Invoke(ex.Message); return null; }

        if (!TryGetId(record, folder, out var id))
        {
            warn?.Invoke($"{Path.Combine(folder, JobFile.FileName)}: job id '{record.Id}' is not a GUID; skipped.");
            return null;
        }
        var statistics = record.IsUpstream
            ? EventLogStatistics.Recount(folder)
            : StatisticsOf(record);
        _ = record.Created; // parsed here, on whichever thread reads the file: listings sort by it
        return new StoredJob(id, folder, Root, record, statistics);
    }

    /// <summary>Finds a job by id: its usual folder names first, then a scan (for folders named otherwise).</summary>
    public StoredJob? Find(Guid id, Action<string>? warn = null)
    {
        foreach (var folder in UsualFolders(id))
        {
            if (Directory.Exists(folder) && TryLoad(folder, warn) is { } job && job.InstanceId == id) return job;
        }
        return List().FirstOrDefault(job => job.InstanceId == id);
    }

    /// <summary>Why the folder named for <paramref name="id"/> holds no job that can be read (a damaged job.json, say);
    /// null when there is no such folder or it reads fine.</summary>
    public string? WhyUnreadable(Guid id)
    {
        foreach (var folder in UsualFolders(id))
        {
            string? reason = null;
            if (Directory.Exists(folder) && TryLoad(folder, message => reason = message) is null && reason is not null) return reason;
        }
        return null;
    }

    private IEnumerable<string> UsualFolders(Guid id) =>
        [Path.Combine(JobsFolder, id.ToString("D")), Path.Combine(JobsFolder, id.ToString("N"))];

    public static JobStatistics StatisticsOf(JobRecord record) => new()
    {
        ChunksDone = record.Progress.ChunksDone,
        Requests = record.Progress.Requests,
        Retries = record.Progress.Retries,
        Failovers = record.Progress.Failovers,
        Stalls = record.Progress.Stalls,
        PromptTokens = record.Progress.PromptTokens,
        CompletionTokens = record.Progress.CompletionTokens,
        Cost = record.Progress.Cost,
        OutLength = record.Progress.OutLength,
        LastError = record.Meta.Error,
        LastErrorCode = record.Meta.ErrorCode,
    };

    private static bool TryGetId(JobRecord record, string folder, out Guid id) =>
        Guid.TryParse(record.Id, out id) || Guid.TryParse(Path.GetFileName(folder), out id);
}
