using System.Collections.Concurrent;
using XSArena.Core.Store;

namespace XSArena.PowerShell.Jobs;

/// <summary>The process-wide cache of job objects (one per job per process) and of the roots this process has used
/// (DESIGN §3.5). Refreshes are cheap: known folders are not re-read unless their job is not finished and its
/// job.json changed.</summary>
public static class JobRegistry
{
    private static readonly ConcurrentDictionary<Guid, XSJob> Jobs = new();
    private static readonly ConcurrentDictionary<string, JobStore> Roots = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, XSJob> ByFolder = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, FileStamp> Stamps = new(StringComparer.Ordinal);
    private static readonly object ScanGate = new();
    private static readonly Timer Poller = new(_ => SafeRefreshLiveJobs(), null, Timeout.Infinite, Timeout.Infinite);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static int _pollerStarted;

    private readonly record struct FileStamp(DateTime WriteTime, long Length);

    /// <summary>Adds a root to the set this process lists jobs from; returns its store.</summary>
    public static JobStore UseRoot(string root)
    {
        var store = Roots.GetOrAdd(Path.GetFullPath(root), path => new JobStore(path));
        if (Interlocked.Exchange(ref _pollerStarted, 1) == 0) Poller.Change(PollInterval, PollInterval);
        return store;
    }

    public static IReadOnlyCollection<JobStore> KnownRoots => [.. Roots.Values];

    /// <summary>Registers a job this process has just created.</summary>
    internal static void Add(XSJob job)
    {
        Jobs[job.InstanceId] = job;
        ByFolder[job.Folder] = job;
        Stamps[job.Folder] = StampOf(job.Folder);
    }

    internal static void Remove(XSJob job)
    {
        Jobs.TryRemove(job.InstanceId, out _);
        ByFolder.TryRemove(job.Folder, out _);
        Stamps.TryRemove(job.Folder, out _);
    }

    /// <summary>All known jobs, oldest first, after picking up new folders in every known root.</summary>
    public static IReadOnlyList<XSJob> All(Action<string>? warn = null)
    {
        foreach (var store in Roots.Values) Scan(store, warn);
        return [.. Jobs.Values.OrderBy(job => job.Id)];
    }

    /// <summary>Jobs of one root, after a scan of that root.</summary>
    public static IReadOnlyList<XSJob> InRoot(JobStore store, Action<string>? warn = null)
    {
        Scan(store, warn);
        return [.. Jobs.Values.Where(job => job.Root == store.Root).OrderBy(job => job.Id)];
    }

    /// <summary>A job by id: memory first, then one look for its folder in each known root.</summary>
    public static XSJob? Find(Guid id)
    {
        if (Jobs.TryGetValue(id, out var job)) return job;
        foreach (var store in Roots.Values)
        {
            if (store.Find(id) is { } stored) return Adopt(stored);
        }
        return null;
    }

    private static void Scan(JobStore store, Action<string>? warn)
    {
        if (!Directory.Exists(store.JobsFolder)) return;
        lock (ScanGate)
        {
            foreach (var folder in Directory.EnumerateDirectories(store.JobsFolder))
            {
                if (ByFolder.TryGetValue(folder, out var known))
                {
                    RefreshIfChanged(known);
                    continue;
                }
                if (store.TryLoad(folder, warn) is { } stored) Adopt(stored);
            }
        }
    }

    private static XSJob Adopt(StoredJob stored)
    {
        lock (ScanGate)
        {
            if (Jobs.TryGetValue(stored.InstanceId, out var existing)) return existing;
            var job = new XSJob(stored);
            Add(job);
            return job;
        }
    }

    /// <summary>Re-reads job.json of an observed, unfinished job when it changed on disk.</summary>
    private static void RefreshIfChanged(XSJob job)
    {
        var folder = job.Folder;
        if (job.IsOwnedHere || XSJob.IsFinished(job.JobStateInfo.State)) return;
        var stamp = StampOf(folder);
        if (Stamps.TryGetValue(folder, out var known) && known == stamp) return;
        Stamps[folder] = stamp;
        var store = Roots.Values.FirstOrDefault(root => root.Root == job.Root) ?? new JobStore(job.Root);
        if (store.TryLoad(folder) is { } stored) job.Refresh(stored, stored.Statistics);
    }

    private static void SafeRefreshLiveJobs()
    {
        try
        {
            foreach (var job in Jobs.Values)
            {
                RefreshIfChanged(job);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A job folder vanished or is unreadable mid-poll; the next tick or listing reports it.
        }
    }

    private static FileStamp StampOf(string folder)
    {
        var info = new FileInfo(Path.Combine(folder, JobFile.FileName));
        return info.Exists ? new FileStamp(info.LastWriteTimeUtc, info.Length) : default;
    }
}
