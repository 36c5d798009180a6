using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>Follows a job's events.jsonl as lines are appended. A file-system watcher is only a wake-up hint (it
/// misses events on network file systems and is limited per user); a short poll is what makes it correct.</summary>
public sealed class EventFollower : IDisposable
{
    private readonly EventLogTail _tail;
    private readonly IDisposable? _watch;
    private readonly SemaphoreSlim _wake;
    private readonly bool _ownsWake;
    private readonly TimeSpan _pollInterval;

    /// <param name="wake">A signal shared by several followers (one waiter follows many jobs); null for its own.</param>
    public EventFollower(string jobFolder, bool useWatcher, TimeSpan pollInterval, SemaphoreSlim? wake = null)
    {
        _tail = new EventLogTail(jobFolder);
        _pollInterval = pollInterval;
        _ownsWake = wake is null;
        _wake = wake ?? new SemaphoreSlim(0);
        if (useWatcher) _watch = FolderWatch.Subscribe(jobFolder, name => name == EventLogWriter.FileName, Wake);
    }

    public bool UsesWatcher => _watch is not null;

    /// <summary>Events already in the file, from the start.</summary>
    public List<JobEvent> ReadAvailable(Action<string>? warn = null) => _tail.ReadNew(warn);

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    public void Dispose()
    {
        _watch?.Dispose();
        if (_ownsWake) _wake.Dispose();
    }

    /// <summary>True for events after which a watch ends (the job stopped running).</summary>
    public static bool EndsWatch(JobEvent e) => e.Type is EventTypes.JobEnded or EventTypes.JobPaused;
}
