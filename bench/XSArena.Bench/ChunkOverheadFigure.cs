using XSArena.Core.Backends;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.Bench;

/// <summary>Figure 1: a whole book through BookRunner on the openai backend against the same number of raw requests
/// (same backend object, same prompts) to the same in-process fake server.</summary>
public static class ChunkOverheadFigure
{
    private const string Model = "fake-model";
    private const int ReplyEvents = 20;
    private const int ReplyChars = 3000;
    private const int MinChars = 2000;
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    public static async Task<Figure> RunAsync(string scratch, int chunks, int replyMs)
    {
        var root = Directory.CreateDirectory(Path.Combine(scratch, "runner")).FullName;
        var settings = new XSSettings();
        var reply = new FakeReply { Events = ReplyEvents, EventDelayMs = replyMs / ReplyEvents, Chars = ReplyChars };
        await using var server = new FakeLlmServer(FakeScript.Always(reply));
        await server.StartAsync();
        var backend = BackendFactory.Create("openai", settings, NoEnvironment, Model, server.BaseUrl);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));

        // One request outside both measurements opens the connection and warms the HTTP stack.
        await backend.CompleteAsync(new ChatRequest("warm-up", "Part 1 of 1.", Model, 1, 0), timeout.Token);
        server.Reset();

        var store = new JobStore(root);
        var request = new BookRequest("Introduction to Linear Algebra")
        {
            Backend = "openai", Model = Model, Chunks = chunks, MinChars = MinChars,
        };
        JobState state = JobState.Pending;
        var bookMs = await Timing.MsAsync(async () =>
        {
            using var writer = BookJobs.Create(store, request, settings, SystemClock.Instance);
            var runner = new BookRunner(writer, backend, settings);
            runner.Prepare(force: false);
            state = await runner.RunAsync(timeout.Token);
        });
        if (state != JobState.Done) throw new InvalidOperationException($"per-chunk overhead: the book ended {state}, not DONE.");
        var prompts = server.Requests.Select(r => (r.System, r.User)).ToList();
        if (prompts.Count != chunks)
            throw new InvalidOperationException($"per-chunk overhead: the runner sent {prompts.Count} requests for {chunks} chunks (extensions or retries happened).");

        var rawMs = await Timing.MsAsync(async () =>
        {
            for (var i = 0; i < prompts.Count; i++)
                await backend.CompleteAsync(new ChatRequest(prompts[i].System, prompts[i].User, Model, i + 1, 0), timeout.Token);
        });

        var ratio = bookMs / rawMs;
        var perChunk = (bookMs - rawMs) / chunks;
        var figure = new Figure("1", "per-chunk overhead", $"{bookMs:0} ms for {chunks} chunks ({perChunk:0.0} ms/chunk extra)",
            $"{chunks} raw requests {rawMs:0} ms", ratio, "<= 1.02x", ratio <= 1.02);
        figure.Notes.Add($"{chunks} chunks, replies of {ReplyEvents} SSE events over {replyMs} ms, {ReplyChars} chars (min_chars {MinChars}, so no extension); "
            + "in-process fake server, openai backend; the baseline replays the runner's own prompts with the same backend object.");
        figure.Notes.Add("the book time includes BookJobs.Create, Prepare and RunAsync; one warm-up request precedes both.");
        return figure;
    }
}
