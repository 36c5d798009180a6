using XSArena.Core.Backends;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.Core.Tests.Runner;

public sealed class BookRunnerTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(60);
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();
    private readonly TempDirectory _dir = new();
    private readonly XSSettings _settings = new();

    public void Dispose() => _dir.Dispose();

    private async Task<(JobState State, StoredJob Job)> RunAsync(BookRequest request, IChatBackend backend, CancellationToken cancellationToken = default)
    {
        var store = new JobStore(_dir.Path);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TestTimeout);
        JobState state;
        Guid id;
        using (var writer = BookJobs.Create(store, request, _settings, SystemClock.Instance))
        {
            id = writer.InstanceId;
            var runner = new BookRunner(writer, backend, _settings);
            runner.Prepare(force: false);
            state = await runner.RunAsync(timeout.Token);
        }
        return (state, store.Find(id)!);
    }

    private static List<JobEvent> Events(StoredJob job) => EventLogReader.ReadAll(job.Folder).ToList();

    [Fact]
    public async Task Offline_rehearsal_writes_twelve_chunks_with_extension_and_both_repeat_guards()
    {
        var (state, job) = await RunAsync(new BookRequest("Introduction to Linear Algebra") { Backend = "offline" }, new OfflineBackend());

        Assert.Equal(JobState.Done, state);
        var events = Events(job);
        var chunkDone = events.Where(e => e.Type == EventTypes.ChunkDone).ToList();
        Assert.Equal(Enumerable.Range(1, 12), chunkDone.Select(e => e.ChunkIndex!.Value));
        Assert.Contains(events, e => e.Type == EventTypes.ExtensionPass && e.ChunkIndex == 3);
        Assert.Contains(events, e => e.Type == EventTypes.RepetitionGuard && e.ChunkIndex == 7);
        Assert.Contains(events, e => e.Type == EventTypes.ChunkRepeatRejected && e.ChunkIndex == 10);
        Assert.Equal(["job_submitted", "job_started"], events.Take(2).Select(e => e.Type));
        Assert.Equal(["job_completed", "job_ended"], events.TakeLast(2).Select(e => e.Type));

        var book = File.ReadAllBytes(job.OutputPath);
        Assert.Equal(book.Length, chunkDone[^1].GetLong("out_len"));
        var text = File.ReadAllText(job.OutputPath);
        Assert.DoesNotContain("NEXT:", text);
        Assert.All(Enumerable.Range(1, 12), n => Assert.Contains($"part {n}.", text));
        Assert.Contains("Rehearsal text", text);
    }

    [Fact]
    public async Task Counters_in_job_json_equal_a_full_recount_of_the_events()
    {
        var (_, job) = await RunAsync(new BookRequest("Counting") { Backend = "offline", Chunks = 5 }, new OfflineBackend());
        var recount = JobStatistics.Fold(Events(job));
        Assert.Equal(recount.ChunksDone, job.Statistics.ChunksDone);
        Assert.Equal(recount.Requests, job.Statistics.Requests);
        Assert.Equal(recount.PromptTokens, job.Statistics.PromptTokens);
        Assert.Equal(recount.CompletionTokens, job.Statistics.CompletionTokens);
        Assert.Equal(recount.OutLength, job.Statistics.OutLength);
        Assert.Equal(5, job.Record.Progress.ChunksDone);
        Assert.Equal("DONE", job.Record.State);
        Assert.Equal(1, job.Record.Schema);
    }

    [Fact]
    public async Task Openai_backend_writes_a_twelve_chunk_book_through_real_http_with_anchor_and_hint_in_prompts()
    {
        await using var server = new FakeLlmServer();
        await server.StartAsync();
        var backend = BackendFactory.Create("openai", _settings, NoEnvironment, "fake-model", server.BaseUrl);

        var (state, job) = await RunAsync(new BookRequest("Fake Physics") { Backend = "openai", Model = "fake-model" }, backend);

        Assert.Equal(JobState.Done, state);
        var requests = server.Requests;
        Assert.Equal(12, requests.Count);
        Assert.All(requests, r => Assert.Equal("fake-model", r.Model));
        Assert.All(requests, r => Assert.StartsWith("SUBJECT: Fake Physics", r.System));
        Assert.Contains("Part 1 of 12.", requests[0].User);
        var book = File.ReadAllText(job.OutputPath);
        for (var n = 2; n <= 12; n++)
        {
            var user = requests[n - 1].User;
            Assert.Contains($"Part {n} of 12.", user);
            Assert.Contains($"Fake topic {n}", user); // the model's NEXT hint from chunk n-1
            var anchor = user.Split("<<<ANCHOR")[1].Split("ANCHOR>>>")[0].Trim();
            Assert.True(anchor.Length > 50, $"chunk {n} carries an anchor");
            Assert.Contains($"Fake part {n - 1}", anchor + book[..book.IndexOf(anchor, StringComparison.Ordinal)]);
        }
        Assert.Equal(12, Events(job).Count(e => e.Type == EventTypes.ChunkDone));
        Assert.DoesNotContain("NEXT:", book);
        Assert.True(job.Statistics.CompletionTokens > 0, "usage is recorded");
        Assert.True(job.Statistics.Cost > 0, "cost is recorded");
    }

    [Fact]
    public async Task Next_end_marker_finishes_the_book_early_as_done()
    {
        await using var server = new FakeLlmServer(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 4 }, Reply = new FakeReply { Text = new string('x', 4500) + "\nThe end.\nNEXT: [END]" } }],
        });
        await server.StartAsync();
        var backend = BackendFactory.Create("openai", _settings, NoEnvironment, null, server.BaseUrl);

        var (state, job) = await RunAsync(new BookRequest("Short") { Backend = "openai" }, backend);

        Assert.Equal(JobState.Done, state);
        Assert.Equal(4, job.Statistics.ChunksDone);
        Assert.Equal(4, server.Requests.Count);
        Assert.EndsWith("The end.", File.ReadAllText(job.OutputPath));
    }

    [Fact]
    public async Task Stopping_mid_chunk_cancels_keeps_no_partial_text_and_closes_the_connection()
    {
        await using var server = new FakeLlmServer(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 3 }, Reply = new FakeReply { Events = 200, EventDelayMs = 50 } }],
        });
        await server.StartAsync();
        var backend = BackendFactory.Create("openai", _settings, NoEnvironment, null, server.BaseUrl);
        using var stop = new CancellationTokenSource();
        var run = RunAsync(new BookRequest("Stopped") { Backend = "openai" }, backend, stop.Token);
        await server.WaitForStatsAsync(s => s.Requests >= 3 && s.Active == 1, TestTimeout);
        stop.Cancel();

        var (state, job) = await run;

        Assert.Equal(JobState.Cancelled, state);
        Assert.Equal(2, job.Statistics.ChunksDone);
        var lastDone = Events(job).Last(e => e.Type == EventTypes.ChunkDone);
        Assert.Equal(new FileInfo(job.OutputPath).Length, lastDone.GetLong("out_len"));
        Assert.Contains(Events(job), e => e.Type == EventTypes.JobCancelled);
        var stats = await server.WaitForStatsAsync(s => s.Aborted == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(1, stats.Aborted);
    }

    [Fact]
    public async Task Rejected_key_fails_the_job_with_a_classified_reason_visible_in_job_json()
    {
        await using var server = new FakeLlmServer(new FakeScript
        {
            Default = new FakeReply { Status = 401, Body = "{\"error\":{\"code\":401,\"message\":\"No auth credentials found\"}}" },
        });
        await server.StartAsync();
        var backend = BackendFactory.Create("openai", _settings, NoEnvironment, null, server.BaseUrl);

        var (state, job) = await RunAsync(new BookRequest("Denied") { Backend = "openai" }, backend);

        Assert.Equal(JobState.Failed, state);
        Assert.Equal("auth", job.Record.Meta.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(job.Record.Meta.Error));
        Assert.Equal("auth", job.Statistics.LastErrorCode);
        var failed = Events(job).Single(e => e.Type == EventTypes.JobFailed);
        Assert.Equal("auth", failed.GetString("error_code"));
        Assert.False(File.Exists(job.OutputPath));
    }

    [Fact]
    public async Task An_unwritable_book_path_fails_the_job_as_io_error()
    {
        File.WriteAllText(_dir.Combine("blocker"), "a file where a folder should be");
        var request = new BookRequest("Blocked") { Backend = "offline", Chunks = 2, OutFile = _dir.Combine("blocker", "book.md") };

        var (state, job) = await RunAsync(request, new OfflineBackend());

        Assert.Equal(JobState.Failed, state);
        Assert.Equal("io_error", job.Record.Meta.ErrorCode);
        Assert.Equal(0, job.Statistics.ChunksDone);
    }

    [Fact]
    public async Task A_second_runner_cannot_take_a_job_whose_lease_is_held()
    {
        var store = new JobStore(_dir.Path);
        using var writer = BookJobs.Create(store, new BookRequest("Leased") { Backend = "offline" }, _settings, SystemClock.Instance);
        var again = store.Find(writer.InstanceId)!;
        Assert.Throws<JobBusyException>(() => JobWriter.Open(again, SystemClock.Instance));
        Assert.True(RunnerLease.IsHeld(writer.Folder));
        await Task.CompletedTask;
    }

    [Fact]
    public void Bad_requests_leave_no_job_behind()
    {
        var store = new JobStore(_dir.Path);
        Assert.Throws<ArgumentException>(() => BookJobs.Create(store, new BookRequest("x") { Span = "huge" }, _settings, SystemClock.Instance));
        Assert.Throws<ArgumentException>(() => BookJobs.Create(store, new BookRequest("x") { Backend = "nope" }, _settings, SystemClock.Instance));
        Assert.Throws<ArgumentException>(() => BookJobs.Create(store, new BookRequest(" "), _settings, SystemClock.Instance));
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task Presets_are_really_applied()
    {
        var (_, job) = await RunAsync(new BookRequest("Presets") { Backend = "offline", Length = "long", Span = "medium", Chunks = 1 }, new OfflineBackend());
        Assert.Equal(5800, job.Record.Meta.MinChars);
        Assert.Equal(3, job.Record.Meta.ExtensionPasses);
        Assert.Equal(1, job.Record.Meta.Chunks);
        Assert.Equal(1, job.Statistics.ChunksDone);
    }

    [Fact]
    public async Task A_write_failure_mid_chunk_fails_the_job_as_io_error_with_the_book_cut_back_to_the_last_chunk()
    {
        var settings = _settings with { CrashPoint = new CrashPoint(CrashPoints.IoErrorMidAppend, 3) };
        var store = new JobStore(_dir.Path);
        StoredJob job;
        using (var writer = BookJobs.Create(store, new BookRequest("Disk Full") { Backend = "offline", Chunks = 5 }, settings, SystemClock.Instance))
        {
            var runner = new BookRunner(writer, new OfflineBackend(), settings);
            runner.Prepare(force: false);
            Assert.Equal(JobState.Failed, await runner.RunAsync(CancellationToken.None));
            job = store.Find(writer.InstanceId)!;
        }
        Assert.Equal("io_error", job.Record.Meta.ErrorCode);
        Assert.Equal(2, job.Statistics.ChunksDone);
        var lastDone = Events(job).Last(e => e.Type == EventTypes.ChunkDone);
        Assert.Equal(new FileInfo(job.OutputPath).Length, lastDone.GetLong("out_len"));
    }
}
