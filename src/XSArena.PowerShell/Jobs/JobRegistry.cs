using System.Collections.Concurrent;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Store;

namespace XSArena.PowerShell.Jobs;

/// <summary>The process-wide cache of job objects (one per job per process) and of the roots this process has used
/// (DESIGN §3.5). Refreshes are cheap: a known folder is re-read only when its job is not finished and its job.json
/// changed; RUNNING jobs of other processes get a lease probe, so a dead runner is noticed within a second.</summary>
public static class JobRegistry
{
    private static readonly ConcurrentDictionary<Guid, XSJob> Jobs = new();
    private static readonly ConcurrentDictionary<string, XSJob> ByFolder = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, JobStore> Roots = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, JobFileStamp> Stamps = new(StringComparer.Ordinal);
    private static readonly object Gate = new();
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private const int ProbeEveryTicks = 2;
    private static int _pollerStarted;
    private static int _tick;

    /// <summary>Adds a root to the set this process lists jobs from; returns its store.</summary>
    public static JobStore UseRoot(string root)
    {
        TakePendingRoots();
        return AddRoot(root);
    }

    private static JobStore AddRoot(string root) => Roots.GetOrAdd(Path.GetFullPath(root), path => new JobStore(path));

    /// <summary>The roots sessions named at import: the XSARENA_PROJECT_ROOT root and the root of the location then.</summary>
    private static void TakePendingRoots()
    {
        if (PendingRoots.IsEmpty) return;
        while (PendingRoots.TryTake(out var pending))
        {
            try
            {
                if (!string.IsNullOrWhiteSpace(pending.EnvironmentRoot)) AddRoot(pending.EnvironmentRoot);
                AddRoot(ProjectRoot.Resolve(null, pending.Location));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // A root we cannot inspect lists no jobs; the import went through all the same.
            }
        }
    }

    /// <summary>All known jobs, oldest first, after picking up new folders in every known root.</summary>
    public static IReadOnlyList<XSJob> All(Action<string>? warn = null)
    {
        TakePendingRoots();
        foreach (var store in Roots.Values) Scan(store, warn, recheckFinished: false);
        return Ordered(Jobs.Values);
    }

    /// <summary>Jobs of one root, after a scan of that root.</summary>
    public static IReadOnlyList<XSJob> InRoot(JobStore store, Action<string>? warn = null)
    {
        Scan(store, warn, recheckFinished: true);
        return Ordered(Jobs.Values.Where(job => job.Root == store.Root));
    }

    /// <summary>Oldest first by their recorded creation time, then by session Id.</summary>
    private static IReadOnlyList<XSJob> Ordered(IEnumerable<XSJob> jobs)
    {
        var ordered = jobs.ToArray();
        var keys = Array.ConvertAll(ordered, job => (job.Created ?? DateTime.MinValue, job.Id));
        Array.Sort(keys, ordered); // the keys are unique (session Ids are), so an unstable sort is exact
        return ordered;
    }

    /// <summary>A job by id: memory first (re-read if its job.json changed), then one look for its folder in each
    /// known root. Null too when its job.json can no longer be read: the object in memory would be a stale copy, so it
    /// is dropped until the file can be read again.</summary>
    public static XSJob? Find(Guid id)
    {
        if (Jobs.TryGetValue(id, out var job))
        {
            if (!job.IsOwnedHere && (!Directory.Exists(job.Folder) || !RefreshIfChanged(job)))
            {
                Remove(job);
                return null;
            }
            return Jobs.TryGetValue(id, out var current) ? current : job;
        }
        TakePendingRoots();
        foreach (var store in Roots.Values)
        {
            if (store.Find(id) is { } stored) return ObjectFor(Noticed(stored));
        }
        return null;
    }

    /// <summary>Why a job folder for <paramref name="id"/> in a root this session knows cannot be read; null when
    /// there is none.</summary>
    public static string? WhyUnreadable(Guid id) =>
        Roots.Values.Select(store => store.WhyUnreadable(id)).FirstOrDefault(reason => reason is not null);

    /// <summary>The object for a job: the cached one while it can still change state, otherwise a new one (a
    /// finished PowerShell job cannot run again) that keeps the session Id.</summary>
    /// <param name="forRun">The job is about to run here: a finished object is always replaced, whatever the state
    /// on disk still says.</param>
    /// <param name="stamp">The stamp of the job.json <paramref name="stored"/> was read from; null to take it now.</param>
    internal static XSJob ObjectFor(StoredJob stored, bool forRun = false, JobFileStamp? stamp = null)
    {
        lock (Gate)
        {
            if (Jobs.TryGetValue(stored.InstanceId, out var existing))
            {
                if (!XSJob.IsFinished(existing.JobStateInfo.State) || (stored.State.IsTerminal() && !forRun))
                {
                    existing.Refresh(stored, stored.Statistics);
                    return existing;
                }
                var replacement = XSJob.Replacement(stored, XSJobSourceAdapter.ReuseIdOf(existing), takeDiskState: !forRun);
                Register(replacement, stamp);
                return replacement;
            }
            var job = new XSJob(stored, takeDiskState: !forRun);
            Register(job, stamp);
            return job;
        }
    }

    internal static void Remove(XSJob job)
    {
        lock (Gate)
        {
            Jobs.TryRemove(job.InstanceId, out _);
            ByFolder.TryRemove(job.Folder, out _);
            Stamps.TryRemove(job.Folder, out _);
        }
    }

    /// <summary>Re-reads a job from disk now (after a control command, or while waiting for another process).</summary>
    internal static void RefreshFromDisk(XSJob job)
    {
        if (job.IsOwnedHere) return;
        var store = StoreOf(job);
        if (store.TryLoad(job.Folder, null, out var stamp) is not { } stored) return;
        Stamps[job.Folder] = stamp;
        ObjectFor(Noticed(stored));
    }

    private static void Register(XSJob job, JobFileStamp? stamp)
    {
        if (Interlocked.Exchange(ref _pollerStarted, 1) == 0) StartPoller(); // nothing to poll before the first job
        Jobs[job.InstanceId] = job;
        ByFolder[job.Folder] = job;
        Stamps[job.Folder] = stamp ?? JobFileStamp.Of(job.Folder);
    }

    /// <param name="recheckFinished">Also look again at finished jobs (a deliberate listing); Get-Job's frequent
    /// calls skip them, so thousands of finished jobs cost one folder listing, not thousands of file checks.</param>
    private static void Scan(JobStore store, Action<string>? warn, bool recheckFinished)
    {
        if (!Directory.Exists(store.JobsFolder)) return;
        var present = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(store.JobsFolder))
        {
            present.Add(folder);
            if (ByFolder.TryGetValue(folder, out var known))
            {
                if ((recheckFinished || !XSJob.IsFinished(known.JobStateInfo.State)) && !RefreshIfChanged(known))
                {
                    // Damaged since it was read: listed no more, and read again below so the listing warns why.
                    Remove(known);
                    unknown.Add(folder);
                }
            }
            else unknown.Add(folder);
        }
        var found = store.LoadAll(unknown, warn);
        foreach (var gone in ByFolder.Values.Where(job => job.Root == store.Root && !present.Contains(job.Folder) && !job.IsOwnedHere).ToList())
        {
            Remove(gone); // deleted by another process
        }
        // New jobs get session Ids in the order they were created.
        foreach (var (stored, stamp) in found.OrderBy(job => job.Job.CreationOrder))
        {
            if (Jobs.TryGetValue(stored.InstanceId, out var twin) && twin.Folder != stored.Folder)
            {
                warn?.Invoke($"{stored.Folder}: job id {stored.InstanceId} is already used by {twin.Folder} (a copied folder?); skipped.");
                continue;
            }
            var noticed = Noticed(stored);
            // A job marked interrupted just now was written after the read: its stamp is taken again.
            ObjectFor(noticed, stamp: ReferenceEquals(noticed, stored) ? stamp : null);
        }
    }

    /// <summary>A RUNNING job nobody holds the lease of is marked interrupted as soon as anyone looks at it.</summary>
    private static StoredJob Noticed(StoredJob stored) => JobRecovery.MarkInterruptedIfOrphaned(stored, SystemClock.Instance);

    /// <summary>False when the job's job.json changed and can no longer be read; it is read again next time.</summary>
    private static bool RefreshIfChanged(XSJob job)
    {
        if (job.IsOwnedHere) return true;
        var stamp = JobFileStamp.Of(job.Folder);
        if (Stamps.TryGetValue(job.Folder, out var known) && known == stamp) return true;
        if (StoreOf(job).TryLoad(job.Folder) is not { } stored)
        {
            Stamps.TryRemove(job.Folder, out _);
            return false;
        }
        Stamps[job.Folder] = stamp;
        ObjectFor(Noticed(stored));
        return true;
    }

    // A thread of its own rather than a thread-pool timer: a pool worker woken four times a second spins before it
    // sleeps again, and that spinning was nearly all the CPU the module added to an idle pwsh.
    private static void StartPoller() => new Thread(() =>
    {
        while (true)
        {
            Thread.Sleep(PollInterval);
            SafeRefreshLiveJobs();
        }
    }) { IsBackground = true, Name = "XSArena job poller" }.Start();

    private static void SafeRefreshLiveJobs()
    {
        var probe = Interlocked.Increment(ref _tick) % ProbeEveryTicks == 0;
        foreach (var job in Jobs.Values)
        {
            try
            {
                if (job.IsOwnedHere) continue;
                if (!job.DiskState.IsTerminal()) RefreshIfChanged(job);
                if (probe && job.DiskState == JobState.Running && Noticed(job.Snapshot) is { } after && after.State != JobState.Running)
                {
                    Stamps[job.Folder] = JobFileStamp.Of(job.Folder);
                    ObjectFor(after);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JobStoreException)
            {
                // A job folder vanished or is unreadable mid-poll; the next tick or listing reports it.
            }
        }
    }

    private static JobStore StoreOf(XSJob job) => Roots.TryGetValue(job.Root, out var store) ? store : new JobStore(job.Root);
}
