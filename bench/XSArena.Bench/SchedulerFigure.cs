using System.Diagnostics;
using XSArena.Core.Backends;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Scheduling;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.Bench;

/// <summary>Figure 4: the makespan of many book jobs queued at once behind the slot scheduler, against the ideal of
/// full waves back to back, ceil(jobs / limit) × chunks × server latency.</summary>
public static class SchedulerFigure
{
    private const int Jobs = 50;
    private const int Limit = 8;
    private const int Chunks = 3;
    private const string Model = "fake-model";
    private const int ReplyChars = 3000;
    private const int MinChars = 2000;
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    private sealed record QueuedJob(JobWriter Writer, BookRunner Runner);

    public static async Task<Figure> RunAsync(string scratch, int latencyMs)
    {
        var root = Directory.CreateDirectory(Path.Combine(scratch, "scheduler")).FullName;
        // Endpoint slots are machine-wide; a scratch folder keeps this run's lock files out of the user's locks folder.
        var machineSlots = Directory.CreateDirectory(Path.Combine(scratch, "scheduler-machine-slots")).FullName;
        // The fake server is on loopback, so its limit is keyed by base address; "openai" names that limit.
        var settings = new XSSettings
        {
            Concurrency = new ConcurrencyLimits(Limit, new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["openai"] = Limit }),
        };
        var instantReply = new FakeReply { Events = 4, Chars = ReplyChars };
        // One fixed wait before the first byte, then the whole reply at once: the latency is the server's, exactly.
        var slowReply = instantReply with { FirstByteDelayMs = latencyMs };
        await using var server = new FakeLlmServer(FakeScript.Always(instantReply));
        await server.StartAsync();
        var store = new JobStore(root);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

        // One instant book outside the measurement warms the runner, the scheduler and the HTTP stack.
        var warmUp = Queue(store, settings, server.BaseUrl, machineSlots, "Warm-up");
        if (await warmUp.Runner.RunAsync(timeout.Token) != JobState.Done) throw new InvalidOperationException("scheduler: the warm-up book did not end DONE.");
        warmUp.Writer.Dispose();
        server.Script = FakeScript.Always(slowReply);
        server.Reset();

        // Every job submitted (job.json PENDING, book reconciled) as Start-XSBook does, before the clock starts.
        var queued = Enumerable.Range(1, Jobs).Select(i => Queue(store, settings, server.BaseUrl, machineSlots, $"Volume {i:00}")).ToList();
        JobState[] finals = [];
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var makespanMs = await Timing.MsAsync(async () =>
        {
            finals = await Task.WhenAll(queued.Select(job => Task.Run(() => job.Runner.RunAsync(timeout.Token))));
        });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var chunksDone = queued.Select(job => job.Writer.Statistics.ChunksDone).ToList();
        var folders = queued.Select(job => job.Writer.Folder).ToList();
        foreach (var job in queued) job.Writer.Dispose();

        var stats = server.Stats;
        var notDone = finals.Count(state => state != JobState.Done);
        if (notDone > 0) throw new InvalidOperationException($"scheduler: {notDone} of {Jobs} jobs did not end DONE.");
        var incomplete = chunksDone.Count(done => done != Chunks);
        if (incomplete > 0) throw new InvalidOperationException($"scheduler: {incomplete} jobs do not have {Chunks} chunks done.");
        if (stats.Requests != Jobs * Chunks)
            throw new InvalidOperationException($"scheduler: the server saw {stats.Requests} requests for {Jobs * Chunks} chunks (extensions or retries happened).");
        if (stats.PeakActive != Limit)
            throw new InvalidOperationException($"scheduler: the server saw at most {stats.PeakActive} requests at once, the limit is {Limit}.");

        var handOvers = HandOversMs(folders);
        var waves = (Jobs + Limit - 1) / Limit;
        var idealMs = (double)waves * Chunks * latencyMs;
        var ratio = makespanMs / idealMs;
        var figure = new Figure("4", "scheduler makespan", $"{makespanMs:0} ms",
            $"ideal {waves} x {Chunks} x {latencyMs} ms = {idealMs:0} ms", ratio, "<= 1.05x ideal", ratio <= 1.05);
        figure.Notes.Add($"{Jobs} books of {Chunks} chunks, scheduler.concurrency total {Limit} and openai {Limit} (the loopback server's own limit); "
            + $"the server waits {latencyMs} ms before each reply of {ReplyChars} chars (min_chars {MinChars}, so no extension); in-process fake server.");
        figure.Notes.Add($"peak concurrent requests at the server: {stats.PeakActive} (limit {Limit}); all {Jobs} jobs DONE with {Chunks} chunks.");
        figure.Notes.Add($"slot hand-over, k-th job_ended to the k-th waiting job's first request: median {Timing.Median(handOvers):0.0} ms, "
            + $"max {handOvers.DefaultIfEmpty().Max():0.0} ms over {handOvers.Count} hand-overs.");
        figure.Notes.Add($"CPU of the bench process during the run: {cpu.TotalSeconds:0.0} s over {makespanMs / 1000:0.0} s (runners, their control polling, and waiters polling the queue).");
        figure.Notes.Add("each job is created, reconciled and set PENDING first (BookJobs.Create, BookRunner.Prepare with a SlotScheduler, as JobLauncher does); "
            + "the clock runs from starting all runners to the last one DONE.");
        return figure;
    }

    /// <summary>Creates the job and its runner the way JobLauncher.Start does, without starting it.</summary>
    private static QueuedJob Queue(JobStore store, XSSettings settings, string baseUrl, string machineSlots, string subject)
    {
        var request = new BookRequest($"Scheduling {subject}")
        {
            Backend = "openai", Model = Model, BaseUri = baseUrl, Chunks = Chunks, MinChars = MinChars,
        };
        var writer = BookJobs.Create(store, request, settings, SystemClock.Instance);
        var backend = BackendFactory.Create("openai", settings, NoEnvironment, Model, baseUrl);
        var runner = new BookRunner(writer, backend, settings)
        {
            Scheduler = new SlotScheduler(store.Root, settings.Concurrency, settings.QuietHours, machineFolder: machineSlots),
        };
        runner.Prepare(force: false);
        writer.SetState(JobState.Pending);
        return new QueuedJob(writer, runner);
    }

    /// <summary>Pairs the k-th slot freed (a job's <c>job_ended</c>, logged just before its last job.json write and
    /// the slot's release) with the k-th start of a job that had to wait (its first request's send time: the logged
    /// end minus its latency). The k-th waiting job cannot start before k slots were freed, so no gap is negative.</summary>
    private static List<double> HandOversMs(IReadOnlyList<string> folders)
    {
        var freed = new List<DateTimeOffset>();
        var firstRequests = new List<DateTimeOffset>();
        foreach (var folder in folders)
        {
            var events = EventLogReader.ReadAll(folder).ToList();
            freed.Add(events.Single(e => e.Type == EventTypes.JobEnded).Timestamp);
            var first = events.First(e => e.Type == EventTypes.Request);
            firstRequests.Add(first.Timestamp.AddMilliseconds(-(first.GetLong("latency_ms") ?? 0)));
        }
        var waiting = firstRequests.Order().Skip(Limit).ToList();
        return freed.Order().Take(waiting.Count).Zip(waiting, (slotFreed, started) => (started - slotFreed).TotalMilliseconds).ToList();
    }
}
