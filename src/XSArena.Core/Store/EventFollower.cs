using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>Follows a job's events.jsonl as lines are appended. A file-system watcher is only a wake-up hint (it
/// misses events on network file systems and is limited per user); a short poll is what makes it correct.</summary>
public sealed class EventFollower : IDisposable
{
    /// <summary>Set to 1 to follow by polling alone (tests run both ways).</summary>
    public const string DisableWatcherVariable = "XSARENA_NO_WATCHER";

    private readonly EventLogTail _tail;
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TimeSpan _pollInterval;

    public EventFollower(string jobFolder, bool useWatcher, TimeSpan pollInterval)
    {
        _tail = new EventLogTail(jobFolder);
        _pollInterval = pollInterval;
        if (!useWatcher) return;
        try
        {
            _watcher = new FileSystemWatcher(jobFolder, EventLogWriter.FileName)
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName,
            };
            _watcher.Changed += (_, _) => Wake();
            _watcher.Created += (_, _) => Wake();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher?.Dispose();
            _watcher = null; // e.g. the per-user inotify limit: polling alone still works
        }
    }

    public bool UsesWatcher => _watcher is not null;

    /// <summary>Events already in the file, from the start.</summary>
    public List<JobEvent> ReadAvailable(Action<string>? warn = null) => _tail.ReadNew(warn);

    /// <summary>Waits until new events arrive (or <paramref name="maxWait"/> passes) and returns them.</summary>
    public async Task<List<JobEvent>> WaitForNewAsync(TimeSpan maxWait, Action<string>? warn, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + maxWait;
        while (true)
        {
            var events = _tail.ReadNew(warn);
            if (events.Count > 0) return events;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return events;
            await _wake.WaitAsync(left < _pollInterval ? left : _pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _wake.Dispose();
    }

    /// <summary>True for events after which a watch ends (the job stopped running).</summary>
    public static bool EndsWatch(JobEvent e) => e.Type is EventTypes.JobEnded or "job_paused";
}
