using XSArena.Core.Backends;
using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Scheduling;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Scheduling;

/// <summary>The runner with a scheduler: PENDING while it waits, why, and RUNNING once it has a slot.</summary>
public sealed class ScheduledRunTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _root = new();
    private readonly TempDirectory _machine = new();
    private readonly XSSettings _settings = new();

    public void Dispose()
    {
        _root.Dispose();
        _machine.Dispose();
    }

    private SlotScheduler Scheduler(QuietHours? quiet = null, IClock? clock = null) =>
        new(_root.Path, new ConcurrencyLimits(1, new Dictionary<string, int>()), quiet ?? QuietHours.Default, clock, TimeZoneInfo.Utc, _machine.Path);

    private sealed record Seen(JobState State, string? WaitReason, int? QueuePosition);

    private async Task<(JobState Final, List<Seen> Seen, StoredJob Job)> RunAsync(
        SlotScheduler scheduler, int chunks, Action<BookRunner>? setup = null, CancellationToken token = default, Action<Guid>? created = null)
    {
        var store = new JobStore(_root.Path);
        var seen = new List<Seen>();
        using var writer = BookJobs.Create(store, new BookRequest("Queued") { Backend = "offline", Chunks = chunks }, _settings, SystemClock.Instance);
        created?.Invoke(writer.InstanceId);
        writer.StateChanged += s => { lock (seen) seen.Add(new Seen(s, writer.Record.Meta.WaitReason, writer.Record.Meta.QueuePosition)); };
        var runner = new BookRunner(writer, new OfflineBackend(), _settings) { Scheduler = scheduler };
        setup?.Invoke(runner);
        runner.Prepare(force: false);
        var final = await runner.RunAsync(token).WaitAsync(Patience);
        return (final, seen, store.Find(writer.InstanceId)!);
    }

    [Fact]
    public async Task A_job_without_a_free_slot_waits_pending_and_starts_by_itself()
    {
        var holder = await Scheduler().AcquireAsync(new SlotRequest(Guid.NewGuid(), 0, "offline"), null, default);
        var run = RunAsync(Scheduler(), 1);
        await Task.Delay(200);
        Assert.False(run.IsCompleted);
        holder.Dispose();

        var (final, seen, job) = await run;
        Assert.Equal(JobState.Done, final);
        Assert.Equal(new Seen(JobState.Pending, SlotWait.Slot, 1), seen[0]);
        Assert.Equal(JobState.Running, seen[1].State);
        Assert.Null(seen[1].WaitReason);
        Assert.Null(job.Record.Meta.WaitReason);
        Assert.Empty(Directory.EnumerateFiles(SlotScheduler.QueueFolderOf(_root.Path), "*.ticket"));
    }

    [Fact]
    public async Task Quiet_hours_that_begin_mid_run_hold_the_next_chunk_pending_then_it_continues()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 3, 1, 21, 0, 0, TimeSpan.Zero));
        var quiet = new QuietHours(true, new TimeOnly(22, 0), new TimeOnly(6, 0));
        var (final, seen, job) = await RunAsync(Scheduler(quiet, clock), 2, runner =>
        {
            runner.ChunkCompleted += chunk =>
            {
                if (chunk.ChunkIndex != 1) return;
                clock.UtcNow = clock.UtcNow.AddHours(2); // 23:00: quiet
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300);
                    clock.UtcNow = clock.UtcNow.AddHours(8); // 07:00
                });
            };
        });

        Assert.Equal(JobState.Done, final);
        Assert.Contains(new Seen(JobState.Pending, SlotWait.QuietHours, 1), seen);
        Assert.DoesNotContain(seen, s => s.State == JobState.Paused);
        Assert.Equal(2, job.Statistics.ChunksDone);
    }

    [Fact]
    public async Task Stopping_a_waiting_job_cancels_it_and_gives_up_its_ticket()
    {
        using var holder = await Scheduler().AcquireAsync(new SlotRequest(Guid.NewGuid(), 0, "offline"), null, default);
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var (final, seen, _) = await RunAsync(Scheduler(), 1, token: stop.Token);
        Assert.Equal(JobState.Cancelled, final);
        Assert.Contains(seen, s => s.State == JobState.Pending && s.WaitReason == SlotWait.Slot);
        Assert.Empty(Directory.EnumerateFiles(SlotScheduler.QueueFolderOf(_root.Path), "*.ticket"));
    }

    [Fact]
    public async Task A_priority_changed_while_waiting_is_kept_in_the_job()
    {
        var holder = await Scheduler().AcquireAsync(new SlotRequest(Guid.NewGuid(), 0, "offline"), null, default);
        Guid? id = null;
        var run = RunAsync(Scheduler(), 1, created: job => id = job);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (id is null || SlotScheduler.QueuePosition(_root.Path, id.Value) is null)
        {
            Assert.True(watch.Elapsed < Patience);
            await Task.Delay(10);
        }
        Assert.True(SlotScheduler.SetPriority(_root.Path, id.Value, 7));
        await Task.Delay(150);
        holder.Dispose();
        var (final, _, job) = await run;
        Assert.Equal(JobState.Done, final);
        Assert.Equal(7, job.Record.Meta.Priority);
    }

    [Fact]
    public async Task Suspending_a_waiting_job_pauses_it_without_a_ticket_and_resuming_queues_it_again()
    {
        var holder = await Scheduler().AcquireAsync(new SlotRequest(Guid.NewGuid(), 0, "offline"), null, default);
        Guid? id = null;
        var run = RunAsync(Scheduler(), 1, created: job => id = job);
        await Until(() => id is not null && SlotScheduler.QueuePosition(_root.Path, id.Value) is not null);
        var store = new JobStore(_root.Path);
        var timeout = TimeSpan.FromSeconds(30);

        await JobController.SendAsync(store.Find(id!.Value)!, JobCommand.Suspend, null, timeout, SystemClock.Instance, default);
        await Until(() => store.Find(id.Value)!.State == JobState.Paused);
        await Until(() => SlotScheduler.QueuePosition(_root.Path, id.Value) is null);
        holder.Dispose();
        await Task.Delay(200);
        Assert.Equal(JobState.Paused, store.Find(id.Value)!.State); // a free slot does not end a pause

        await JobController.SendAsync(store.Find(id.Value)!, JobCommand.Resume, null, timeout, SystemClock.Instance, default);
        var (final, seen, _) = await run;
        Assert.Equal(JobState.Done, final);
        Assert.Contains(seen, s => s.State == JobState.Paused);
    }

    private static async Task Until(Func<bool> condition)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < Patience, "timed out");
            await Task.Delay(10);
        }
    }
}
