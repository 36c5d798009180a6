using System.Collections.Concurrent;
using XSArena.Core.Jobs;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Scheduling;

/// <summary>Why a job waits and where it stands: <see cref="Reason"/> is <c>slot</c> or <c>quiet_hours</c>,
/// <see cref="QueuePosition"/> counts from 1 among the root's live tickets; <see cref="Priority"/> is the ticket's
/// priority now (Set-XSJob may change it while the job waits).</summary>
public sealed record SlotWait(string Reason, int QueuePosition, int Priority)
{
    public const string Slot = "slot";
    public const string QuietHours = "quiet_hours";
}

/// <summary>Running-job slots shared by every process (DESIGN §7). Slots are OS-level locks on numbered files —
/// <c>&lt;root&gt;/.xsarena/slots/total-&lt;n&gt;.lock</c> for the root's total, and
/// <c>&lt;per-user locks&gt;/slots/&lt;endpoint key&gt;-&lt;n&gt;.lock</c> for a backend with its own limit, machine-wide —
/// so a process that dies gives its slots back at once. Lock release fires no event across processes: waiters poll;
/// within one process, giving back a slot or a ticket also wakes that process's waiters at once.
/// <para>Order. A waiting job holds a ticket, <c>&lt;root&gt;/.xsarena/queue/*.ticket</c>, locked by its waiter; the
/// name sorts larger priority first, then earlier arrival (<see cref="SlotTicket"/>). A ticket whose lock can be taken
/// has lost its waiter and is deleted. A waiter may take slots only when both hold:
/// (1) endpoint rule — if its backend has a limit, it is the first live ticket of the root that wants that endpoint;
/// (2) total rule — no live ticket before it is eligible, where a ticket is eligible when it has no endpoint limit, or
/// it is the first live ticket of its endpoint and that endpoint has a free slot now. So a job waiting for a busy
/// bridge never holds back a job for another backend, and equal priority is first come, first served, across
/// processes too. Ordering spans one root; the machine-wide endpoint slots between roots go to whichever waiter
/// polls first.</para>
/// <para>Slots are always taken in one order — total first, then the endpoint — and a waiter that gets the first
/// but not the second gives it back before it waits again, so no two waiters can block each other.</para>
/// <para>Quiet hours: inside the window no waiter takes a slot; it keeps its ticket and its place.</para></summary>
public sealed class SlotScheduler
{
    private static long s_lastTicks;

    /// <summary>The tickets this process's waiters hold, by arrival and job (a priority change renames a ticket but
    /// keeps both). They are known to be alive, so listings skip their lock probe: a probe of a held ticket is a failed
    /// open, an exception, and every waiter lists every ticket on every poll.</summary>
    private static readonly ConcurrentDictionary<(long EnqueuedTicks, Guid JobId), byte> s_ownTickets = new();

    /// <summary>Completed, and replaced, whenever this process gives back a slot or a ticket: its own waiters look
    /// again at once instead of at their next poll, so a slot freed here goes to the next in line here without a poll
    /// per place in the queue. Changes made by other processes are still seen by polling.</summary>
    private static TaskCompletionSource s_queueChanged = NewQueueSignal();

    private readonly ConcurrencyLimits _limits;
    private readonly QuietHours _quietHours;
    private readonly IClock _clock;
    private readonly TimeZoneInfo _zone;

    /// <param name="root">The project root (its <c>.xsarena</c> folder holds the queue and the total slots).</param>
    /// <param name="machineFolder">Where machine-wide endpoint slots live; the per-user locks folder by default.</param>
    /// <param name="zone">The zone quiet hours are read in; local time by default.</param>
    public SlotScheduler(string root, ConcurrencyLimits limits, QuietHours quietHours, IClock? clock = null,
        TimeZoneInfo? zone = null, string? machineFolder = null, TimeSpan? pollInterval = null)
    {
        _limits = limits;
        _quietHours = quietHours;
        _clock = clock ?? SystemClock.Instance;
        _zone = zone ?? TimeZoneInfo.Local;
        QueueFolder = QueueFolderOf(root);
        TotalSlotsFolder = Path.Combine(root, ".xsarena", "slots");
        EndpointSlotsFolder = machineFolder ?? Path.Combine(OutputLease.LocksFolder, "slots");
        PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(20);
    }

    public string QueueFolder { get; }
    public string TotalSlotsFolder { get; }
    public string EndpointSlotsFolder { get; }
    public TimeSpan PollInterval { get; }

    public static string QueueFolderOf(string root) => Path.Combine(root, ".xsarena", "queue");

    /// <summary>True inside the configured quiet hours, read on the injected clock in the scheduler's zone.</summary>
    public bool IsQuietNow()
    {
        var local = TimeZoneInfo.ConvertTime(_clock.UtcNow, _zone);
        return _quietHours.IsQuiet(TimeOnly.FromTimeSpan(local.TimeOfDay));
    }

    /// <summary>Queues the job and waits until it may run: not in quiet hours, its turn, and a slot of the root's
    /// total and of its backend both free. <paramref name="waiting"/> hears each change of reason or position.
    /// Cancelling gives the ticket up.</summary>
    public async Task<SlotGrant> AcquireAsync(SlotRequest request, Action<SlotWait>? waiting, CancellationToken cancellationToken)
    {
        var key = SlotKeys.EndpointKey(request.Backend, request.BaseUrl);
        var limit = _limits.For(request.Backend) ?? 0;
        if (limit <= 0) key = SlotKeys.NoEndpoint;

        using var ticket = Enqueue(request, key, Math.Max(limit, 0));
        SlotWait? last = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var queueChanged = Volatile.Read(ref s_queueChanged).Task; // taken before listing, so no change is missed
            var live = LiveTickets(QueueFolder);
            var mine = live.FindIndex(t => t.JobId == request.JobId);
            SlotWait wait;
            if (IsQuietNow())
            {
                wait = new SlotWait(SlotWait.QuietHours, mine + 1, mine >= 0 ? live[mine].Priority : request.Priority);
            }
            else
            {
                if (mine >= 0 && MayTake(live, mine))
                {
                    var grant = TryTake(key, limit);
                    if (grant is not null)
                    {
                        // A priority changed (Set-XSJob) since the waiter last heard is still reported, whatever the timing.
                        if (live[mine].Priority != (last?.Priority ?? request.Priority))
                            waiting?.Invoke(new SlotWait(SlotWait.Slot, mine + 1, live[mine].Priority));
                        ticket.Dispose();
                        return grant;
                    }
                }
                wait = new SlotWait(SlotWait.Slot, mine + 1, mine >= 0 ? live[mine].Priority : request.Priority);
            }
            if (wait != last && mine >= 0)
            {
                last = wait;
                waiting?.Invoke(wait);
            }
            await Task.WhenAny(queueChanged, Task.Delay(PollInterval, cancellationToken)).ConfigureAwait(false);
        }
    }

    private static TaskCompletionSource NewQueueSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal static void SignalQueueChanged() => Interlocked.Exchange(ref s_queueChanged, NewQueueSignal()).TrySetResult();

    /// <summary>Rules (1) and (2) of the class summary for the ticket at <paramref name="index"/>.</summary>
    private bool MayTake(List<SlotTicket> live, int index)
    {
        var me = live[index];
        if (me.HasEndpoint && live.FindIndex(t => t.EndpointKey == me.EndpointKey) != index) return false;
        for (var i = 0; i < index; i++)
        {
            var other = live[i];
            if (!other.HasEndpoint) return false;
            if (other.EndpointKey == me.EndpointKey) continue; // rule (1) already put me first of my endpoint
            if (live.FindIndex(t => t.EndpointKey == other.EndpointKey) != i) continue;
            if (HasFreeSlot(other.EndpointKey, other.EndpointLimit)) return false;
        }
        return true;
    }

    private SlotGrant? TryTake(string key, int limit)
    {
        FileStream? total = null;
        if (_limits.Total > 0)
        {
            total = TryLockAny(TotalSlotsFolder, "total", _limits.Total);
            if (total is null) return null;
        }
        FileStream? endpoint = null;
        if (key != SlotKeys.NoEndpoint)
        {
            endpoint = TryLockAny(EndpointSlotsFolder, key, limit);
            if (endpoint is null)
            {
                total?.Dispose();
                return null;
            }
        }
        return new SlotGrant(total, endpoint);
    }

    private bool HasFreeSlot(string key, int limit)
    {
        for (var n = 0; n < limit; n++)
        {
            try
            {
                if (!FileLock.IsHeld(Path.Combine(EndpointSlotsFolder, $"{key}-{n}.lock"))) return true;
            }
            catch (UnauthorizedAccessException) { } // a slot we may not open is no free slot
        }
        return false;
    }

    private static FileStream? TryLockAny(string folder, string key, int count)
    {
        Directory.CreateDirectory(folder);
        for (var n = 0; n < count; n++)
        {
            var stream = TryLock(Path.Combine(folder, $"{key}-{n}.lock"));
            if (stream is not null) return stream;
        }
        return null;
    }

    private static FileStream? TryLock(string path, FileMode mode = FileMode.OpenOrCreate)
    {
        try { return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private HeldTicket Enqueue(SlotRequest request, string key, int limit)
    {
        Directory.CreateDirectory(QueueFolder);
        long ticks;
        while (true)
        {
            // Arrival is real time, not the injected clock: order across processes needs one shared time line.
            var now = DateTime.UtcNow.Ticks;
            var previous = Interlocked.Read(ref s_lastTicks);
            ticks = Math.Max(now, previous + 1);
            if (Interlocked.CompareExchange(ref s_lastTicks, ticks, previous) == previous) break;
        }
        // Locked under a name no one lists, then renamed into place: a ticket is never seen unlocked by mistake.
        var temp = Path.Combine(QueueFolder, "." + Guid.NewGuid().ToString("N") + ".tmp");
        var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        var ownKey = (ticks, request.JobId);
        s_ownTickets[ownKey] = 0;
        try
        {
            File.Move(temp, Path.Combine(QueueFolder, SlotTicket.FileName(request.Priority, ticks, request.JobId, key, limit)));
        }
        catch
        {
            s_ownTickets.TryRemove(ownKey, out _);
            stream.Dispose();
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
        return new HeldTicket(QueueFolder, stream, ownKey);
    }

    /// <summary>The root's waiting tickets in queue order; tickets whose waiter is gone are deleted on the way.</summary>
    public static List<SlotTicket> LiveTickets(string queueFolder)
    {
        var result = new List<SlotTicket>();
        if (!Directory.Exists(queueFolder)) return result;
        var names = Directory.EnumerateFiles(queueFolder, "*" + SlotTicket.Extension).Select(Path.GetFileName).OfType<string>()
            .Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            var path = Path.Combine(queueFolder, name);
            var ticket = SlotTicket.TryParse(path);
            if (ticket is null) continue;
            var probe = s_ownTickets.ContainsKey((ticket.EnqueuedTicks, ticket.JobId)) ? null : TryLock(path, FileMode.Open);
            if (probe is not null)
            {
                // Dead waiter: remove it while holding it, so a live one never loses its file.
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                probe.Dispose();
                continue;
            }
            if (File.Exists(path)) result.Add(ticket);
        }
        return result;
    }

    /// <summary>The job's place (from 1) among the root's live tickets, or null when it is not waiting.</summary>
    public static int? QueuePosition(string root, Guid jobId)
    {
        var index = LiveTickets(QueueFolderOf(root)).FindIndex(t => t.JobId == jobId);
        return index < 0 ? null : index + 1;
    }

    /// <summary>Gives a waiting job another priority by renaming its ticket (its arrival time is kept, so among equal
    /// priorities it keeps its turn). False when the job is not waiting.</summary>
    public static bool SetPriority(string root, Guid jobId, int priority)
    {
        foreach (var ticket in LiveTickets(QueueFolderOf(root)).Where(t => t.JobId == jobId))
        {
            var target = Path.Combine(QueueFolderOf(root), SlotTicket.FileName(priority, ticket.EnqueuedTicks, jobId, ticket.EndpointKey, ticket.EndpointLimit));
            if (target == ticket.Path) return true;
            try
            {
                File.Move(ticket.Path, target);
                return true;
            }
            catch (FileNotFoundException) { return false; } // it got its slot meanwhile
        }
        return false;
    }

    /// <summary>The waiter's open ticket; disposing deletes it (found by job id, since a priority change renames it)
    /// and then lets go of its lock.</summary>
    private sealed class HeldTicket(string folder, FileStream stream, (long EnqueuedTicks, Guid JobId) ownKey) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            s_ownTickets.TryRemove(ownKey, out _); // from now on listings probe it like anyone else's
            try
            {
                foreach (var path in Directory.EnumerateFiles(folder, "*" + SlotTicket.Extension))
                {
                    if (SlotTicket.TryParse(path) is { } ticket && ticket.JobId == ownKey.JobId)
                    {
                        try { File.Delete(path); } catch (IOException) { }
                    }
                }
            }
            catch (IOException) { } // unlisted: once the lock is gone the next listing deletes it as dead
            stream.Dispose();
            SignalQueueChanged();
        }
    }
}

/// <summary>The right to run: one total slot and, for a backend with its own limit, one endpoint slot. Disposing
/// gives both back (the OS also does when the process dies).</summary>
public sealed class SlotGrant : IDisposable, IAsyncDisposable
{
    private FileStream? _total;
    private FileStream? _endpoint;

    internal SlotGrant(FileStream? total, FileStream? endpoint)
    {
        _total = total;
        _endpoint = endpoint;
    }

    public string? TotalSlot => _total?.Name;
    public string? EndpointSlot => _endpoint?.Name;

    public void Dispose()
    {
        var endpoint = Interlocked.Exchange(ref _endpoint, null);
        var total = Interlocked.Exchange(ref _total, null);
        if (endpoint is null && total is null) return;
        endpoint?.Dispose();
        total?.Dispose();
        SlotScheduler.SignalQueueChanged();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
