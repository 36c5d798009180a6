using System.Diagnostics;
using XSArena.Core.Scheduling;
using XSArena.Core.Settings;
using Xunit.Abstractions;

namespace XSArena.Core.Tests.Scheduling;

public sealed class SlotSchedulerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _root = new();
    private readonly TempDirectory _machine = new();

    public void Dispose()
    {
        _root.Dispose();
        _machine.Dispose();
    }

    private static ConcurrencyLimits Limits(int total, params (string Backend, int Limit)[] backends) =>
        new(total, backends.ToDictionary(b => b.Backend, b => b.Limit, StringComparer.OrdinalIgnoreCase));

    private SlotScheduler Scheduler(ConcurrencyLimits limits, QuietHours? quiet = null, FixedClock? clock = null) =>
        new(_root.Path, limits, quiet ?? QuietHours.Default, clock, TimeZoneInfo.Utc, _machine.Path);

    private static SlotRequest Job(string backend = "offline", int priority = 0, string? baseUrl = null) =>
        new(Guid.NewGuid(), priority, backend, baseUrl);

    private static Task<SlotGrant> Acquire(SlotScheduler scheduler, SlotRequest request, CancellationToken token = default) =>
        scheduler.AcquireAsync(request, null, token);

    /// <summary>Waits until the job's ticket is listed, so the next arrival is strictly behind it.</summary>
    private async Task Queued(Guid job)
    {
        var watch = Stopwatch.StartNew();
        while (SlotScheduler.QueuePosition(_root.Path, job) is null)
        {
            Assert.True(watch.Elapsed < Patience, "the job never queued");
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task Total_limits_the_number_of_grants_in_one_root()
    {
        var scheduler = Scheduler(Limits(2));
        using var first = await Acquire(scheduler, Job());
        using var second = await Acquire(scheduler, Job());
        Assert.NotEqual(first.TotalSlot, second.TotalSlot);

        var third = Acquire(Scheduler(Limits(2)), Job());
        await Task.Delay(150);
        Assert.False(third.IsCompleted);

        var freed = first.TotalSlot;
        first.Dispose();
        using var granted = await third.WaitAsync(Patience);
        Assert.Equal(freed, granted.TotalSlot);
    }

    [Fact]
    public async Task A_freed_slot_is_reused_quickly()
    {
        var holder = await Acquire(Scheduler(Limits(1)), Job());
        var waiter = Acquire(Scheduler(Limits(1)), Job());
        await Task.Delay(100);
        Assert.False(waiter.IsCompleted);

        var watch = Stopwatch.StartNew();
        holder.Dispose();
        using var grant = await waiter.WaitAsync(Patience);
        watch.Stop();
        output.WriteLine($"freed slot taken after {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_slot_freed_in_this_process_goes_to_a_waiter_here_without_waiting_for_its_poll()
    {
        var slowPoll = TimeSpan.FromSeconds(30);
        SlotScheduler SlowScheduler() => new(_root.Path, Limits(1), QuietHours.Default, null, TimeZoneInfo.Utc, _machine.Path, slowPoll);
        var holder = await Acquire(SlowScheduler(), Job());
        var first = Job();
        var firstTask = Acquire(SlowScheduler(), first);
        await Queued(first.JobId);
        var secondTask = Acquire(SlowScheduler(), Job());
        await Task.Delay(100);

        holder.Dispose();
        var grant = await firstTask.WaitAsync(Patience);
        Assert.False(secondTask.IsCompleted);
        grant.Dispose();
        (await secondTask.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task Larger_priority_starts_before_an_earlier_arrival()
    {
        var holder = await Acquire(Scheduler(Limits(1)), Job());
        var low = Job(priority: 0);
        var lowTask = Acquire(Scheduler(Limits(1)), low);
        await Queued(low.JobId);
        var high = Job(priority: 5);
        var highTask = Acquire(Scheduler(Limits(1)), high);
        await Queued(high.JobId);
        Assert.Equal(1, SlotScheduler.QueuePosition(_root.Path, high.JobId));
        Assert.Equal(2, SlotScheduler.QueuePosition(_root.Path, low.JobId));

        holder.Dispose();
        var highGrant = await highTask.WaitAsync(Patience);
        await Task.Delay(100);
        Assert.False(lowTask.IsCompleted);
        highGrant.Dispose();
        (await lowTask.WaitAsync(Patience)).Dispose();
    }

    [Fact]
    public async Task Equal_priority_is_first_come_first_served()
    {
        var holder = await Acquire(Scheduler(Limits(1)), Job());
        var order = new List<int>();
        var jobs = Enumerable.Range(0, 3).Select(_ => Job(priority: 1)).ToList();
        var tasks = new List<Task>();
        for (var i = 0; i < jobs.Count; i++)
        {
            var n = i;
            var scheduler = Scheduler(Limits(1));
            tasks.Add(Task.Run(async () =>
            {
                using var grant = await Acquire(scheduler, jobs[n]);
                lock (order) order.Add(n);
                await Task.Delay(30);
            }));
            await Queued(jobs[i].JobId);
        }
        holder.Dispose();
        await Task.WhenAll(tasks).WaitAsync(Patience);
        Assert.Equal([0, 1, 2], order);
    }

    [Fact]
    public async Task A_job_waiting_for_the_bridge_does_not_block_another_backend()
    {
        var limits = Limits(2, ("bridge", 1), ("openrouter", 1));
        var bridgeUrl = "http://127.0.0.1:5102/v1/";
        using var bridgeHolder = await Acquire(Scheduler(limits), Job("bridge", baseUrl: bridgeUrl));
        var bridgeWaiter = Job("bridge", priority: 9, baseUrl: bridgeUrl);
        var bridgeTask = Acquire(Scheduler(limits), bridgeWaiter);
        await Queued(bridgeWaiter.JobId);

        using var other = await Acquire(Scheduler(limits), Job("openrouter", baseUrl: "https://openrouter.ai/api/v1")).WaitAsync(Patience);
        Assert.False(bridgeTask.IsCompleted);
        Assert.Contains("openrouter-0.lock", other.EndpointSlot);
        bridgeHolder.Dispose(); // frees one total slot and the bridge
        using var bridgeGrant = await bridgeTask.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_dead_ticket_is_skipped_and_removed()
    {
        var scheduler = Scheduler(Limits(1));
        Directory.CreateDirectory(scheduler.QueueFolder);
        var dead = Path.Combine(scheduler.QueueFolder, SlotTicket.FileName(100, 1, Guid.NewGuid(), SlotKeys.NoEndpoint, 0));
        await File.WriteAllTextAsync(dead, "");

        using var grant = await Acquire(scheduler, Job()).WaitAsync(Patience);
        Assert.False(File.Exists(dead));
    }

    [Fact]
    public async Task Quiet_hours_across_midnight_hold_the_start_until_they_end()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 1, 10, 23, 30, 0, TimeSpan.Zero));
        var quiet = new QuietHours(true, new TimeOnly(22, 0), new TimeOnly(6, 0));
        var scheduler = Scheduler(Limits(1), quiet, clock);
        var waits = new List<SlotWait>();
        var task = scheduler.AcquireAsync(Job(), w => { lock (waits) waits.Add(w); }, default);
        await Task.Delay(100);
        clock.UtcNow = clock.UtcNow.AddHours(3); // 02:30, still inside the window after midnight
        await Task.Delay(100);
        Assert.False(task.IsCompleted);
        lock (waits) Assert.Equal(new SlotWait(SlotWait.QuietHours, 1, 0), Assert.Single(waits));

        clock.UtcNow = clock.UtcNow.AddHours(4); // 06:30
        using var grant = await task.WaitAsync(Patience);
    }

    [Fact]
    public async Task Cancelling_a_wait_gives_the_ticket_up()
    {
        using var holder = await Acquire(Scheduler(Limits(1)), Job());
        using var cancel = new CancellationTokenSource();
        var job = Job();
        var task = Acquire(Scheduler(Limits(1)), job, cancel.Token);
        await Queued(job.JobId);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        Assert.Empty(Directory.EnumerateFiles(SlotScheduler.QueueFolderOf(_root.Path), "*.ticket"));
    }

    [Fact]
    public async Task Set_priority_moves_a_waiting_job_forward()
    {
        var holder = await Acquire(Scheduler(Limits(1)), Job());
        var first = Job();
        var firstTask = Acquire(Scheduler(Limits(1)), first);
        await Queued(first.JobId);
        var second = Job();
        var secondTask = Acquire(Scheduler(Limits(1)), second);
        await Queued(second.JobId);

        Assert.True(SlotScheduler.SetPriority(_root.Path, second.JobId, 3));
        Assert.Equal(1, SlotScheduler.QueuePosition(_root.Path, second.JobId));
        holder.Dispose();
        var grant = await secondTask.WaitAsync(Patience);
        Assert.False(firstTask.IsCompleted);
        grant.Dispose();
        (await firstTask.WaitAsync(Patience)).Dispose();
        Assert.False(SlotScheduler.SetPriority(_root.Path, second.JobId, 1));
    }

    [Fact]
    public void Endpoint_keys_share_one_local_server_and_name_remote_services()
    {
        Assert.Equal(SlotKeys.EndpointKey("bridge", "http://127.0.0.1:5102/v1/"), SlotKeys.EndpointKey("bridge", "HTTP://127.0.0.1:5102/v1"));
        Assert.Equal(SlotKeys.EndpointKey("local", "http://localhost:8080/v1"), SlotKeys.EndpointKey("llama", "http://LOCALHOST:8080/v1/"));
        Assert.Equal("openrouter", SlotKeys.EndpointKey("openrouter", "https://openrouter.ai/api/v1"));
        Assert.StartsWith("ep", SlotKeys.EndpointKey("bridge", "http://127.0.0.1:5102/v1"));
        var name = SlotTicket.FileName(-3, 42, Guid.NewGuid(), "openrouter", 1);
        var parsed = SlotTicket.TryParse(name)!;
        Assert.Equal((-3, 42L, "openrouter", 1), (parsed.Priority, parsed.EnqueuedTicks, parsed.EndpointKey, parsed.EndpointLimit));
        Assert.True(string.CompareOrdinal(SlotTicket.FileName(5, 99, Guid.Empty, "x", 1), SlotTicket.FileName(-5, 1, Guid.Empty, "x", 1)) < 0);
    }
}
