using XSArena.Core.Backends;
using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.Core.Tests.Runner;

/// <summary>The fault matrix of the resilience issue: each failure a server can produce, over a real socket against
/// the fake server, with watchdogs shrunk through the settings and the backoff wait and jitter injected, so the
/// delays are asserted without sleeping. Each case checks the final state, the events, the statistics, and that the
/// book equals the book a healthy server writes for the same job.</summary>
public sealed class FaultMatrixTests : IDisposable
{
    private const int CaseTimeoutMs = 30_000;
    private const string Subject = "Fault Matrix";
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    private readonly TempDirectory _dir = new();
    private readonly List<TimeSpan> _delays = [];

    public void Dispose() => _dir.Dispose();

    /// <summary>Chunk 2's main request, the first time it is sent (a retry of the identical request is healthy).</summary>
    private static FakeScript OnceAtPart2(FakeReply fault, int times = 1) => new()
    {
        Rules = [new FakeRule { Match = new FakeMatch { Part = 2, Pass = 0 }, Times = times, Reply = fault }],
    };

    private static XSSettings Settings(string primaryUrl, string? backupUrl = null, int maxRetries = 3)
    {
        var backends = XSSettings.DefaultBackends().ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        backends["primary"] = new BackendProfile("primary", "openai", primaryUrl, null, "primary-model");
        if (backupUrl is not null)
            backends["backup"] = new BackendProfile("backup", "openai", backupUrl, null, "backup-model");
        return new XSSettings
        {
            Backends = backends,
            Timeouts = new RequestTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20)),
            MaxRetries = maxRetries,
            BackoffBase = TimeSpan.FromSeconds(2),
            BackoffCap = TimeSpan.FromSeconds(60),
            RetryAfterCap = TimeSpan.FromSeconds(120),
            FallbackBackends = backupUrl is null ? [] : ["backup"],
            UseFileWatcher = false,
        };
    }

    /// <summary>Records each backoff wait instead of sleeping; jitter 1.0 makes the wait the whole backoff.</summary>
    private RetryTiming RecordedTiming => new(() => 1.0, (delay, token) =>
    {
        token.ThrowIfCancellationRequested();
        lock (_delays) _delays.Add(delay);
        return Task.CompletedTask;
    });

    private sealed record Outcome(JobState State, StoredJob Job, List<JobEvent> Events, string Book)
    {
        public JobStatistics Stats => Job.Statistics;
        public IEnumerable<JobEvent> OfType(string type) => Events.Where(e => e.Type == type);
    }

    private async Task<Outcome> RunAsync(XSSettings settings, string root, RetryTiming? timing = null)
    {
        var store = new JobStore(root);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(CaseTimeoutMs - 5000));
        JobState state;
        Guid id;
        using (var writer = BookJobs.Create(store, new BookRequest(Subject) { Backend = "primary", Chunks = 3, MinChars = 1000 }, settings, SystemClock.Instance))
        {
            id = writer.InstanceId;
            var runner = new BookRunner(writer, BackendFactory.Create("primary", settings, NoEnvironment), settings,
                name => BackendFactory.Create(name, settings, NoEnvironment), timing ?? RecordedTiming);
            runner.Prepare(force: false);
            state = await runner.RunAsync(timeout.Token);
        }
        var job = store.Find(id)!;
        var book = File.Exists(job.OutputPath) ? await File.ReadAllTextAsync(job.OutputPath) : "";
        return new Outcome(state, job, EventLogReader.ReadAll(job.Folder).ToList(), book);
    }

    private async Task<Outcome> RunAgainstAsync(FakeScript script, int maxRetries = 3)
    {
        await using var server = new FakeLlmServer(script);
        await server.StartAsync();
        return await RunAsync(Settings(server.BaseUrl, maxRetries: maxRetries), _dir.Path);
    }

    /// <summary>The book a healthy server writes for the same job (the fake's text depends only on the prompts).</summary>
    private async Task<string> HealthyBookAsync()
    {
        await using var server = new FakeLlmServer();
        await server.StartAsync();
        using var other = new TempDirectory();
        return (await RunAsync(Settings(server.BaseUrl), other.Path)).Book;
    }

    /// <summary>Final state DONE, the book right, and exactly the retries given (code and delay in ms).</summary>
    private async Task AssertRecovered(Outcome outcome, params (string Code, long DelayMs)[] retries)
    {
        Assert.Equal(JobState.Done, outcome.State);
        Assert.Equal(3, outcome.Stats.ChunksDone);
        var logged = outcome.OfType(EventTypes.Retry).ToList();
        Assert.Equal(retries.Select(r => r.Code), logged.Select(e => e.GetString("error_code")));
        Assert.Equal(retries.Select(r => r.DelayMs), logged.Select(e => e.GetLong("delay_ms")!.Value));
        Assert.All(logged, e => Assert.Equal(2, e.ChunkIndex));
        Assert.All(logged, e => Assert.False(string.IsNullOrWhiteSpace(e.GetString("user_message"))));
        Assert.Equal(retries.Select(r => TimeSpan.FromMilliseconds(r.DelayMs)), _delays);
        Assert.Equal(retries.Length, outcome.Stats.Retries);
        Assert.Equal(retries.Length, outcome.Job.Record.Retries);
        Assert.Equal(0, outcome.Stats.Failovers);
        Assert.DoesNotContain(outcome.Events, e => e.Type == EventTypes.JobFailed);
        Assert.Equal(await HealthyBookAsync(), outcome.Book);
    }

    /// <summary>Final state FAILED with the classified code, the error visible on the job, and no retry.</summary>
    private static void AssertFailedAtOnce(Outcome outcome, string code)
    {
        Assert.Equal(JobState.Failed, outcome.State);
        Assert.Equal(code, outcome.Job.Record.Meta.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Job.Record.Meta.Error));
        Assert.Equal(code, outcome.Stats.LastErrorCode);
        Assert.Equal(outcome.Job.Record.Meta.Error, outcome.Stats.LastError);
        Assert.Equal(0, outcome.Stats.Retries);
        Assert.Empty(outcome.OfType(EventTypes.Retry));
        Assert.Equal(1, outcome.Stats.ChunksDone); // chunk 1 stays; chunk 2 failed
        var failedRequest = outcome.OfType(EventTypes.Request).Last();
        Assert.Equal(code, failedRequest.GetString("error_code"));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Rate_limit_429_with_Retry_After_waits_what_the_server_asked()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 429, RetryAfter = 7 }));
        await AssertRecovered(outcome, ("rate_limited", 7000));
        Assert.Equal(7000, outcome.OfType(EventTypes.Retry).Single().GetLong("retry_after_ms"));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Rate_limit_429_without_Retry_After_backs_off_exponentially()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 429 }, times: 3));
        await AssertRecovered(outcome, ("rate_limited", 2000), ("rate_limited", 4000), ("rate_limited", 8000));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Retry_After_beyond_the_cap_is_capped()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 429, RetryAfter = 3600 }));
        await AssertRecovered(outcome, ("rate_limited", 120_000));
    }

    [Theory(Timeout = CaseTimeoutMs)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task Server_errors_5xx_are_retried(int status)
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = status }));
        await AssertRecovered(outcome, ("server_error", 2000));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Stall_before_the_first_byte_is_a_watchdog_timeout_and_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { FirstByteDelayMs = 60_000 }));
        await AssertRecovered(outcome, ("stall", 2000));
        Assert.Equal(1, outcome.Stats.Stalls);
        var stall = Assert.Single(outcome.OfType(EventTypes.WatchdogTimeout));
        Assert.Equal(2, stall.ChunkIndex);
        Assert.Contains("first-byte", stall.GetString("error"));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Stall_mid_stream_is_a_watchdog_timeout_and_retried_without_keeping_a_partial_chunk()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { StallAfterEvents = 3 }));
        await AssertRecovered(outcome, ("stall", 2000));
        Assert.Equal(1, outcome.Stats.Stalls);
        Assert.Contains("idle", Assert.Single(outcome.OfType(EventTypes.WatchdogTimeout)).GetString("error"));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Keep_alive_comments_between_events_are_skipped_and_are_no_stall()
    {
        // 40 slow events take twice the idle limit in total; only the gaps count. The gaps are a twentieth of the
        // limit, so a busy machine pausing this test for a moment is not a stall.
        await using var server = new FakeLlmServer(OnceAtPart2(new FakeReply { KeepaliveComments = true, EventDelayMs = 100, Events = 40 }));
        await server.StartAsync();
        var settings = Settings(server.BaseUrl) with
        {
            Timeouts = new RequestTimeouts(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20)),
        };
        var outcome = await RunAsync(settings, _dir.Path);
        await AssertRecovered(outcome);
        Assert.Equal(0, outcome.Stats.Stalls);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Disconnect_mid_stream_is_a_truncated_stream_and_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { DisconnectAfterEvents = 3 }));
        await AssertRecovered(outcome, ("truncated_stream", 2000));
        Assert.Equal(0, outcome.Stats.Stalls);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Error_object_inside_a_200_body_is_classified_and_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { ErrorIn200Body = true, ErrorCode = 502 }));
        await AssertRecovered(outcome, ("server_error", 2000));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Error_chunk_mid_stream_with_finish_reason_error_is_classified_and_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { ErrorChunkAfterEvents = 3, ErrorCode = 429 }));
        await AssertRecovered(outcome, ("rate_limited", 2000));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Missing_DONE_after_a_finish_reason_is_a_complete_reply()
    {
        var outcome = await RunAgainstAsync(FakeScript.Always(new FakeReply { OmitDone = true }));
        await AssertRecovered(outcome);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Missing_DONE_and_finish_reason_is_a_truncated_stream_and_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { OmitDone = true, FinishReason = "none" }));
        await AssertRecovered(outcome, ("truncated_stream", 2000));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Utf8_characters_split_across_reads_arrive_intact()
    {
        var text = string.Concat(Enumerable.Repeat("Grüße aus Zürich — 数学は美しい 🚀. Ελληνικά κείμενα εδώ. ", 30)
            .Select((line, i) => $"{i}: {line}\n")) + "\nNEXT: [Fake topic 2]";
        var outcome = await RunAgainstAsync(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 1, Pass = 0 }, Reply = new FakeReply { Text = text, SplitUtf8 = true } }],
        });
        Assert.Equal(JobState.Done, outcome.State);
        Assert.StartsWith(text[..text.IndexOf("\nNEXT:", StringComparison.Ordinal)].TrimEnd(), outcome.Book, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', outcome.Book);
        Assert.Equal(0, outcome.Stats.Retries);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Unauthorized_401_fails_the_job_at_once()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 401, ErrorMessage = "No auth credentials found" }));
        AssertFailedAtOnce(outcome, "auth");
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Payment_required_402_fails_the_job_at_once()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 402, ErrorMessage = "Insufficient credits" }));
        AssertFailedAtOnce(outcome, "payment");
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Context_overflow_400_fails_the_job_at_once_even_with_a_fallback()
    {
        await using var primary = new FakeLlmServer(OnceAtPart2(new FakeReply
        {
            Status = 400,
            ErrorMessage = "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens.",
        }));
        await using var backup = new FakeLlmServer();
        await primary.StartAsync();
        await backup.StartAsync();
        var outcome = await RunAsync(Settings(primary.BaseUrl, backup.BaseUrl), _dir.Path);
        AssertFailedAtOnce(outcome, "context_too_long");
        Assert.Empty(outcome.OfType(EventTypes.Failover)); // the prompt is at fault, not the backend
        Assert.Equal(0, backup.Stats.Requests);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Unknown_model_fails_the_job_at_once()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 404, ErrorMessage = "No endpoints found for nonexistent/model." }));
        AssertFailedAtOnce(outcome, "model_not_found");
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Daily_free_quota_429_is_not_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Status = 429, ErrorMessage = "Rate limit exceeded: free-models-per-day" }));
        AssertFailedAtOnce(outcome, "rate_limited");
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Empty_completion_is_retried()
    {
        var outcome = await RunAgainstAsync(OnceAtPart2(new FakeReply { Text = "" }));
        await AssertRecovered(outcome, ("empty_completion", 2000));
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Repeated_text_loop_is_cut_back_and_logged()
    {
        var intro = "The first part opens with a plain paragraph that sets the scene for everything after it.\n";
        var loop = string.Concat(Enumerable.Repeat("The model keeps writing this very same sentence again. ", 60));
        var outcome = await RunAgainstAsync(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 1, Pass = 0 }, Reply = new FakeReply { Text = intro + loop, FinishReason = "length" } }],
        });
        Assert.Equal(JobState.Done, outcome.State);
        var logged = Assert.Single(outcome.OfType(EventTypes.RepetitionLoop));
        Assert.Equal(1, logged.ChunkIndex);
        Assert.Equal(60, logged.GetInt("occurrences"));
        Assert.True(logged.GetLong("chars_after") < 200);
        var firstChunk = outcome.Book.Split("Fake part 1, extension")[0];
        Assert.Equal(1, CountOf(firstChunk, "The model keeps writing this very same sentence again."));
        Assert.Equal(0, outcome.Stats.Retries);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Finish_reason_length_keeps_the_text_and_continues_the_chunk()
    {
        var cut = new string('w', 400) + " and then the model ran out of tokens in the middle of a";
        var outcome = await RunAgainstAsync(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 2, Pass = 0 }, Reply = new FakeReply { Text = cut, FinishReason = "length" } }],
        });
        Assert.Equal(JobState.Done, outcome.State);
        Assert.Contains(cut, outcome.Book);
        Assert.Contains(outcome.Events, e => e.Type == EventTypes.ExtensionPass && e.ChunkIndex == 2);
        Assert.Empty(outcome.OfType(EventTypes.Retry));
        Assert.Contains(outcome.OfType(EventTypes.Request), e => e.ChunkIndex == 2 && e.GetString("finish_reason") == "length");
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Failover_moves_the_job_to_the_fallback_when_retries_are_exhausted()
    {
        await using var primary = new FakeLlmServer(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 2 }, Reply = new FakeReply { Status = 503 } }],
        });
        await using var backup = new FakeLlmServer();
        await primary.StartAsync();
        await backup.StartAsync();
        var outcome = await RunAsync(Settings(primary.BaseUrl, backup.BaseUrl, maxRetries: 2), _dir.Path);

        Assert.Equal(JobState.Done, outcome.State);
        Assert.Equal(3, outcome.Stats.ChunksDone);
        var failover = Assert.Single(outcome.OfType(EventTypes.Failover));
        Assert.Equal("primary", failover.GetString("from"));
        Assert.Equal("backup", failover.GetString("to"));
        Assert.Equal("retries_exhausted", failover.GetString("reason"));
        Assert.Equal("server_error", failover.GetString("error_code"));
        Assert.Equal(2, failover.ChunkIndex);
        Assert.Equal(1, outcome.Stats.Failovers);
        Assert.Equal(1, outcome.Job.Record.Progress.Failovers);
        Assert.Equal(2, outcome.Stats.Retries);
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], _delays);
        Assert.Equal("backup", outcome.Job.Record.Backend);
        Assert.Equal(4, primary.Stats.Requests); // chunk 1, then chunk 2 three times (first send and two retries)
        Assert.Equal(2, backup.Stats.Requests); // chunks 2 and 3
        Assert.All(backup.Requests, r => Assert.Equal("backup-model", r.Model));
        var after = outcome.OfType(EventTypes.Request).SkipWhile(e => e.GetString("backend") != "backup").ToList();
        Assert.Equal(2, after.Count);
        Assert.Contains("Fake part 2", outcome.Book);
        Assert.Contains("Fake part 3", outcome.Book);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Failover_on_a_backend_side_error_happens_without_retrying()
    {
        await using var primary = new FakeLlmServer(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 2 }, Reply = new FakeReply { Status = 402, ErrorMessage = "Insufficient credits" } }],
        });
        await using var backup = new FakeLlmServer();
        await primary.StartAsync();
        await backup.StartAsync();
        var outcome = await RunAsync(Settings(primary.BaseUrl, backup.BaseUrl), _dir.Path);

        Assert.Equal(JobState.Done, outcome.State);
        Assert.Equal("payment", Assert.Single(outcome.OfType(EventTypes.Failover)).GetString("reason"));
        Assert.Equal(0, outcome.Stats.Retries);
        Assert.Equal("backup", outcome.Job.Record.Backend);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Without_a_fallback_exhausted_retries_fail_the_job_with_the_last_error_visible()
    {
        var outcome = await RunAgainstAsync(new FakeScript
        {
            Rules = [new FakeRule { Match = new FakeMatch { Part = 2 }, Reply = new FakeReply { Status = 503, ErrorMessage = "No provider available" } }],
        }, maxRetries: 2);

        Assert.Equal(JobState.Failed, outcome.State);
        Assert.Equal("server_error", outcome.Job.Record.Meta.ErrorCode);
        Assert.Contains("No provider available", outcome.Job.Record.Meta.Error);
        Assert.Equal("server_error", outcome.Stats.LastErrorCode);
        Assert.Contains("No provider available", outcome.Stats.LastError);
        Assert.Equal(2, outcome.Stats.Retries);
        Assert.Equal(0, outcome.Stats.Failovers);
        Assert.Equal(1, outcome.Stats.ChunksDone);
        Assert.Equal("primary", outcome.Job.Record.Backend);
        Assert.Equal(4, outcome.Stats.Requests); // chunk 1, then chunk 2 three times (first send and two retries)
    }

    /// <summary>A backoff wait that really waits (ten minutes) until its token ends it.</summary>
    private static RetryTiming LongWaits => new(() => 1.0, (delay, token) => Task.Delay(TimeSpan.FromMinutes(10), token));

    private async Task<(Guid Id, JobStore Store, Task<JobState> Run)> StartInBackground(XSSettings settings)
    {
        var store = new JobStore(_dir.Path);
        var writer = BookJobs.Create(store, new BookRequest(Subject) { Backend = "primary", Chunks = 3, MinChars = 1000 }, settings, SystemClock.Instance);
        var runner = new BookRunner(writer, BackendFactory.Create("primary", settings, NoEnvironment), settings, null, LongWaits);
        runner.Prepare(force: false);
        var run = Task.Run(async () =>
        {
            try { return await runner.RunAsync(CancellationToken.None); }
            finally { writer.Dispose(); }
        });
        var id = writer.InstanceId;
        await Until(() => EventLogReader.ReadAll(store.Find(id)!.Folder).Any(e => e.Type == EventTypes.Retry));
        return (id, store, run);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met");
            await Task.Delay(20);
        }
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Stop_during_a_backoff_wait_cancels_the_job_at_once()
    {
        await using var server = new FakeLlmServer(OnceAtPart2(new FakeReply { Status = 503 }, times: 100));
        await server.StartAsync();
        var (id, store, run) = await StartInBackground(Settings(server.BaseUrl));

        var (result, _) = await JobController.SendAsync(store.Find(id)!, JobCommand.Stop, null, TimeSpan.FromSeconds(15), SystemClock.Instance, CancellationToken.None);
        Assert.Equal(ControlResult.Acknowledged, result);
        Assert.Equal(JobState.Cancelled, await run.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.Equal(1, store.Find(id)!.Statistics.Retries);
        Assert.Equal(2, server.Stats.Requests);
    }

    [Fact(Timeout = CaseTimeoutMs)]
    public async Task Pause_during_a_backoff_wait_holds_at_once_and_resume_retries()
    {
        await using var server = new FakeLlmServer(OnceAtPart2(new FakeReply { Status = 503 }, times: 100));
        await server.StartAsync();
        var (id, store, run) = await StartInBackground(Settings(server.BaseUrl));

        var (paused, _) = await JobController.SendAsync(store.Find(id)!, JobCommand.Suspend, null, TimeSpan.FromSeconds(15), SystemClock.Instance, CancellationToken.None);
        Assert.Equal(ControlResult.Acknowledged, paused);
        await Until(() => store.Find(id)!.State == JobState.Paused);
        Assert.Equal(2, server.Stats.Requests);

        server.Script = FakeScript.Empty; // the server has recovered by the time the operator resumes
        var (resumed, _) = await JobController.SendAsync(store.Find(id)!, JobCommand.Resume, null, TimeSpan.FromSeconds(15), SystemClock.Instance, CancellationToken.None);
        Assert.Equal(ControlResult.Acknowledged, resumed);
        Assert.Equal(JobState.Done, await run.WaitAsync(TimeSpan.FromSeconds(15)));
        var job = store.Find(id)!;
        Assert.Equal(1, job.Statistics.Retries);
        Assert.Equal(3, job.Statistics.ChunksDone);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
