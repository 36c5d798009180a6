using XSArena.Core.Backends;
using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.Core.Tests.Control;

/// <summary>Control requests against a running job (in this process, through the same request files another
/// process would use), and resume from disk.</summary>
public sealed class ControlledRunTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();
    private readonly TempDirectory _dir = new();
    private readonly XSSettings _settings = new();
    private FakeLlmServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = new FakeLlmServer(FakeScript.Always(new FakeReply { Events = 10, EventDelayMs = 30 }));
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _dir.Dispose();
    }

    private JobStore Store => new(_dir.Path);

    private (JobWriter Writer, Task<JobState> Run) Start(string subject, int chunks)
    {
        var writer = BookJobs.Create(Store, new BookRequest(subject) { Backend = "openai", Chunks = chunks }, _settings, SystemClock.Instance);
        return (writer, RunPrepared(writer, force: false));
    }

    private Task<JobState> RunPrepared(JobWriter writer, bool force)
    {
        var runner = new BookRunner(writer, BackendFactory.Create("openai", _settings, NoEnvironment, null, _server.BaseUrl), _settings);
        runner.Prepare(force);
        return Task.Run(async () =>
        {
            try { return await runner.RunAsync(CancellationToken.None); }
            finally { writer.Dispose(); }
        });
    }

    private Task<(ControlResult, string?)> Send(Guid id, JobCommand command, string? text = null) =>
        JobController.SendAsync(Store.Find(id)!, command, text, Timeout, SystemClock.Instance, CancellationToken.None);

    private List<JobEvent> Events(Guid id) => EventLogReader.ReadAll(Store.Find(id)!.Folder).ToList();

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met");
            await Task.Delay(20);
        }
    }

    /// <summary>The runner sets PAUSED, then logs job_paused: both are there once it holds.</summary>
    private bool IsHeldPaused(Guid id) =>
        Store.Find(id)!.State == JobState.Paused && Events(id).Any(e => e.Type == EventTypes.JobPaused);

    [Fact]
    public async Task Pause_holds_after_the_request_in_flight_then_hint_and_resume_steer_the_next_chunk()
    {
        var (writer, run) = Start("Controlled", 4);
        var id = writer.InstanceId;
        await _server.WaitForStatsAsync(s => s.Active == 1 && s.Requests == 2, Timeout);

        var (paused, pauseId) = await Send(id, JobCommand.Suspend);
        Assert.Equal(ControlResult.Acknowledged, paused);
        await Until(() => IsHeldPaused(id));
        var events = Events(id);
        var ack = events.FindIndex(e => e.Type == "control_pause" && e.GetString("request_id") == pauseId);
        var held = events.FindIndex(e => e.Type == EventTypes.JobPaused);
        Assert.True(ack >= 0 && held > ack);
        Assert.Contains(events.Skip(ack), e => e.Type == EventTypes.ChunkDone && e.ChunkIndex == 2); // the request in flight finished
        var requestsWhilePaused = _server.Stats.Requests;

        var (hinted, hintId) = await Send(id, JobCommand.Hint, "Cover eigenvalues next");
        Assert.Equal(ControlResult.Acknowledged, hinted);
        await Task.Delay(300);
        Assert.Equal(requestsWhilePaused, _server.Stats.Requests);

        var (resumed, _) = await Send(id, JobCommand.Resume);
        Assert.Equal(ControlResult.Acknowledged, resumed);
        Assert.Equal(JobState.Done, await run.WaitAsync(Timeout));

        var third = _server.Requests.Single(r => r.User.Contains("Part 3 of 4.", StringComparison.Ordinal));
        Assert.Contains("Cover eigenvalues next", third.User);
        Assert.DoesNotContain("Cover eigenvalues next", _server.Requests.Single(r => r.User.Contains("Part 4 of 4.", StringComparison.Ordinal)).User);
        var all = Events(id);
        Assert.Single(all, e => e.Type == "control_next" && e.GetString("request_id") == hintId);
        Assert.Single(all, e => e.Type == EventTypes.NextHintApplied && e.GetString("request_id") == hintId && e.ChunkIndex == 3);
        Assert.Single(all, e => e.Type == EventTypes.JobResumed);
        Assert.Empty(ControlInbox.ReadPending(Store.Find(id)!.Folder));
    }

    [Fact]
    public async Task A_resume_sent_before_the_job_reaches_its_pause_takes_the_pause_back()
    {
        var (writer, run) = Start("Changed Its Mind", 3);
        var id = writer.InstanceId;
        await _server.WaitForStatsAsync(s => s.Active == 1, Timeout);

        Assert.Equal(ControlResult.Acknowledged, (await Send(id, JobCommand.Suspend)).Item1);
        var (resumed, resumeId) = await Send(id, JobCommand.Resume); // the pause waits for the request in flight

        Assert.Equal(ControlResult.Acknowledged, resumed);
        Assert.Equal(JobState.Done, await run.WaitAsync(Timeout)); // nobody has to resume it again
        Assert.Single(Events(id), e => e.Type == "control_resume" && e.GetString("request_id") == resumeId);
    }

    [Fact]
    public async Task Stop_request_cancels_at_once_and_keeps_no_partial_text()
    {
        _server.Script = FakeScript.Always(new FakeReply { Events = 200, EventDelayMs = 50 });
        var (writer, run) = Start("Stopped By Request", 6);
        var id = writer.InstanceId;
        await _server.WaitForStatsAsync(s => s.Active == 1, Timeout);

        var (result, stopId) = await Send(id, JobCommand.Stop);

        Assert.Equal(ControlResult.Acknowledged, result);
        Assert.Equal(JobState.Cancelled, await run.WaitAsync(Timeout));
        var cancelled = Events(id).Single(e => e.Type == EventTypes.JobCancelled);
        Assert.Equal(stopId, cancelled.GetString("request_id"));
        Assert.False(File.Exists(Store.Find(id)!.OutputPath));
        await _server.WaitForStatsAsync(s => s.Aborted == 1, Timeout);
    }

    [Fact]
    public async Task Commands_to_a_job_nobody_runs_are_applied_here_under_its_lease()
    {
        var (writer, run) = Start("Left Alone", 2);
        var id = writer.InstanceId;
        await Send(id, JobCommand.Suspend);
        await Until(() => IsHeldPaused(id));
        await Send(id, JobCommand.Stop); // the runner is alive: it cancels
        Assert.Equal(JobState.Cancelled, await run.WaitAsync(Timeout));

        var (hint, hintId) = await Send(id, JobCommand.Hint, "stored for later");
        Assert.Equal(ControlResult.AppliedHere, hint);
        Assert.Single(ControlInbox.ReadPending(Store.Find(id)!.Folder), r => r.Id == hintId);
        Assert.Single(Events(id), e => e.Type == "control_next" && e.GetString("request_id") == hintId);

        Assert.Equal(ControlResult.NoOp, (await Send(id, JobCommand.Stop)).Item1);
        Assert.Equal(ControlResult.RunHere, (await Send(id, JobCommand.Resume)).Item1);
        var refused = await Assert.ThrowsAsync<JobCommandRefusedException>(() => Send(id, JobCommand.Suspend));
        Assert.Equal("InvalidJobState", refused.ErrorId);
    }

    [Fact]
    public async Task A_resume_sent_while_the_runner_closes_after_a_stop_is_run_here_once_it_lets_go()
    {
        var writer = BookJobs.Create(Store, new BookRequest("Closing") { Backend = "openai", Chunks = 2 }, _settings, SystemClock.Instance);
        var id = writer.InstanceId;
        writer.SetState(JobState.Cancelled); // the runner has ended the job and still holds the lease while it closes

        var send = Send(id, JobCommand.Resume);
        await Task.Delay(300);
        Assert.False(send.IsCompleted, "a resume must not be decided while the closing runner still holds the lease");
        writer.Dispose();

        Assert.Equal(ControlResult.RunHere, (await send.WaitAsync(Timeout)).Item1);
        Assert.Empty(ControlInbox.ReadPending(Store.Find(id)!.Folder));
    }

    [Fact]
    public async Task A_job_held_paused_stays_paused_when_its_process_goes_away_and_any_session_may_resume_it()
    {
        var writer = BookJobs.Create(Store, new BookRequest("Paused At Exit") { Backend = "openai", Chunks = 3 }, _settings, SystemClock.Instance);
        var runner = new BookRunner(writer, BackendFactory.Create("openai", _settings, NoEnvironment, null, _server.BaseUrl), _settings);
        runner.Prepare(force: false);
        var run = Task.Run(() => runner.RunAsync(CancellationToken.None));
        var id = writer.InstanceId;
        await Send(id, JobCommand.Suspend);
        await Until(() => IsHeldPaused(id));

        runner.Interrupt(); // what the process does on its way out
        Assert.Equal(JobState.Paused, await run.WaitAsync(Timeout));
        writer.Dispose();

        Assert.Equal(JobState.Paused, Store.Find(id)!.State);
        Assert.Contains(Events(id), e => e.Type == EventTypes.JobInterrupted);
        Assert.Equal(ControlResult.RunHere, (await Send(id, JobCommand.Resume)).Item1);
    }

    [Fact]
    public async Task A_paused_job_nobody_runs_is_cancelled_by_the_sender_itself()
    {
        var (writer, run) = Start("Paused Then Orphaned", 3);
        var id = writer.InstanceId;
        await Send(id, JobCommand.Suspend);
        await Until(() => IsHeldPaused(id));
        // Simulate the owner's death: the run is abandoned and the lease released.
        writer.Dispose();
        Assert.False(RunnerLease.IsHeld(Store.Find(id)!.Folder));

        var (result, stopId) = await Send(id, JobCommand.Stop);

        Assert.Equal(ControlResult.AppliedHere, result);
        Assert.Equal(JobState.Cancelled, Store.Find(id)!.State);
        Assert.Contains(Events(id), e => e.Type == EventTypes.JobCancelled && e.GetString("request_id") == stopId);
        _ = run;
    }

    [Fact]
    public async Task Done_jobs_refuse_suspend_resume_and_hints()
    {
        var (writer, run) = Start("Finished", 1);
        Assert.Equal(JobState.Done, await run.WaitAsync(Timeout));
        foreach (var command in new[] { JobCommand.Suspend, JobCommand.Resume, JobCommand.Hint })
        {
            var refused = await Assert.ThrowsAsync<JobCommandRefusedException>(() => Send(writer.InstanceId, command, "x"));
            Assert.Equal("JobFinished", refused.ErrorId);
        }
        Assert.Equal(ControlResult.NoOp, (await Send(writer.InstanceId, JobCommand.Stop)).Item1);
    }

    [Fact]
    public void A_running_job_without_a_live_lease_is_marked_interrupted_by_whoever_notices()
    {
        var writer = BookJobs.Create(Store, new BookRequest("Orphan") { Backend = "offline" }, _settings, SystemClock.Instance);
        writer.SetState(JobState.Running);
        var id = writer.InstanceId;
        Assert.Equal(JobState.Running, JobRecovery.MarkInterruptedIfOrphaned(Store.Find(id)!, SystemClock.Instance).State);
        writer.Dispose(); // the runner's process is gone

        var noticed = JobRecovery.MarkInterruptedIfOrphaned(Store.Find(id)!, SystemClock.Instance);

        Assert.Equal(JobState.Failed, noticed.State);
        Assert.Equal("interrupted", Store.Find(id)!.Record.Meta.ErrorCode);
        Assert.Single(Events(id), e => e.Type == EventTypes.JobInterrupted);
        Assert.Equal(JobState.Failed, JobRecovery.MarkInterruptedIfOrphaned(Store.Find(id)!, SystemClock.Instance).State);
        Assert.Single(Events(id), e => e.Type == EventTypes.JobInterrupted);
    }

    [Fact]
    public async Task Resume_after_a_stop_and_a_crash_between_append_and_log_equals_an_uninterrupted_run()
    {
        var (reference, referenceRun) = Start("Exact Resume", 5);
        Assert.Equal(JobState.Done, await referenceRun.WaitAsync(Timeout));
        var expected = File.ReadAllBytes(Store.Find(reference.InstanceId)!.OutputPath);
        Directory.Delete(Path.Combine(_dir.Path, "books"), recursive: true);

        var (writer, run) = Start("Exact Resume", 5);
        var id = writer.InstanceId;
        await Until(() => Store.Find(id)!.Statistics.ChunksDone >= 2);
        await Send(id, JobCommand.Stop);
        Assert.Equal(JobState.Cancelled, await run.WaitAsync(Timeout));
        var book = Store.Find(id)!.OutputPath;
        File.AppendAllText(book, "\n\nhalf a chunk written before a crash");

        var resumed = JobWriter.Open(Store.Find(id)!, SystemClock.Instance);
        Assert.Equal(JobState.Done, await RunPrepared(resumed, force: false).WaitAsync(Timeout));

        Assert.Equal(expected, File.ReadAllBytes(book));
        Assert.Contains(Events(id), e => e.Type == EventTypes.BookReconciled);
        Assert.Equal(5, Store.Find(id)!.Statistics.ChunksDone);
    }

    [Fact]
    public async Task Resume_refuses_an_edited_book_unless_forced()
    {
        var (writer, run) = Start("Edited", 3);
        Assert.Equal(JobState.Done, await run.WaitAsync(Timeout));
        var stored = Store.Find(writer.InstanceId)!;
        File.WriteAllText(stored.OutputPath, "somebody replaced the book");

        using (var again = JobWriter.Open(stored, SystemClock.Instance))
        {
            var runner = new BookRunner(again, new OfflineBackend(), _settings);
            Assert.Throws<BookMismatchException>(() => runner.Prepare(force: false));
            var result = runner.Prepare(force: true);
            Assert.Equal(0, result.ChunksKept);
            Assert.NotNull(result.MovedAsidePath);
            Assert.Equal("somebody replaced the book", File.ReadAllText(result.MovedAsidePath!));
        }
    }

    [Fact]
    public async Task A_pending_job_nobody_waits_on_is_run_by_resume()
    {
        var writer = BookJobs.Create(Store, new BookRequest("Never Started") { Backend = "offline" }, _settings, SystemClock.Instance);
        var id = writer.InstanceId;
        writer.Dispose(); // its process went away before running it
        Assert.Equal(JobState.Pending, Store.Find(id)!.State);
        Assert.Equal(ControlResult.RunHere, (await Send(id, JobCommand.Resume)).Item1);

        using var held = JobWriter.Open(Store.Find(id)!, SystemClock.Instance); // a live waiter: Resume is a no-op
        Assert.Equal(ControlResult.NoOp, (await Send(id, JobCommand.Resume)).Item1);
    }

    [Fact]
    public void A_queued_job_whose_waiter_died_stays_pending_marked_orphaned()
    {
        var writer = BookJobs.Create(Store, new BookRequest("Queued Then Orphaned") { Backend = "offline" }, _settings, SystemClock.Instance);
        writer.Record.Meta.WaitReason = "slot";
        writer.Record.Meta.QueuePosition = 2;
        writer.Save();
        var id = writer.InstanceId;
        Assert.Equal("slot", JobRecovery.MarkInterruptedIfOrphaned(Store.Find(id)!, SystemClock.Instance).Record.Meta.WaitReason);
        writer.Dispose(); // the waiting process is gone

        var noticed = JobRecovery.MarkInterruptedIfOrphaned(Store.Find(id)!, SystemClock.Instance);

        Assert.Equal(JobState.Pending, noticed.State);
        Assert.Equal("orphaned", Store.Find(id)!.Record.Meta.WaitReason);
        Assert.Null(Store.Find(id)!.Record.Meta.QueuePosition);
        Assert.Single(Events(id), e => e.Type == "job_orphaned");
    }
}
