using XSArena.Core.Backends;
using Xunit.Abstractions;

namespace XSArena.Core.Tests.Backends;

public sealed class OfflineBackendTests(ITestOutputHelper output)
{
    private const string System = "You write a manual.\nSUBJECT: Tea chemistry\nWrite clearly.";
    private const double Threshold = 0.35;

    private static string Reply(int chunk, int pass = 0, int attempt = 0, string system = System) =>
        OfflineBackend.Compose(new ChatRequest(system, $"Continue part {chunk}.", "offline-rehearsal", chunk, pass, attempt));

    [Fact(Timeout = 10000)]
    public async Task Same_request_gives_the_same_text_and_says_it_is_rehearsal()
    {
        var backend = new OfflineBackend();
        var request = new ChatRequest(System, "Begin.", "offline-rehearsal", 1, 0);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var first = await backend.CompleteAsync(request, cts.Token);
        var second = await backend.CompleteAsync(request with { }, cts.Token);

        Assert.Equal(first.Text, second.Text);
        Assert.Equal("stop", first.FinishReason);
        Assert.StartsWith("Rehearsal text (offline backend) for Tea chemistry, part 1", first.Text);
        Assert.NotEqual(first.Text, Reply(2));
        Assert.Equal("offline", backend.Name);
    }

    [Fact]
    public void Subject_defaults_when_the_system_prompt_names_none() =>
        Assert.StartsWith("Rehearsal text (offline backend) for the subject, part 1", Reply(1, system: "No subject line here."));

    [Fact]
    public void Every_reply_ends_with_a_NEXT_marker()
    {
        foreach (var (chunk, pass, attempt) in new[] { (1, 0, 0), (3, 0, 0), (3, 1, 0), (7, 1, 0), (10, 0, 0), (10, 0, 1), (12, 0, 0) })
        {
            var lastLine = Reply(chunk, pass, attempt).Split('\n')[^1];
            Assert.Matches(@"^NEXT: \[[^\]]+\]$", lastLine);
        }
    }

    [Fact]
    public void Main_replies_are_long_except_chunks_3_and_7()
    {
        foreach (var chunk in new[] { 1, 2, 4, 5, 6, 8, 9, 11, 12 })
            Assert.InRange(Reply(chunk).Length, 4400, 5300);
        Assert.InRange(Reply(3).Length, 1800, 2400);
        Assert.InRange(Reply(7).Length, 1800, 2400);
    }

    [Fact]
    public void Chunk_3_extension_is_fresh_and_brings_the_chunk_past_the_minimum()
    {
        var main = Similarity.WithoutNext(Reply(3));
        var extension = Similarity.WithoutNext(Reply(3, pass: 1));
        var tail = Similarity.Tail(main, 600);
        output.WriteLine($"chunk 3 extension vs tail: char {Similarity.CharJaccard(extension, tail):0.000}, word {Similarity.WordJaccard(extension, tail):0.000}");

        Assert.True(main.Length + extension.Length >= 4200);
        Assert.True(Similarity.CharJaccard(extension, tail) < Threshold);
        Assert.True(Similarity.WordJaccard(extension, tail) < Threshold);
    }

    [Fact]
    public void Chunk_7_extension_nearly_repeats_the_chunk_tail()
    {
        var main = Similarity.WithoutNext(Reply(7));
        var extension = Reply(7, pass: 1);
        var tail = Similarity.Tail(main, 600);
        var word = Similarity.WordJaccard(Similarity.WithoutNext(extension), tail);
        var chr = Similarity.CharJaccard(Similarity.WithoutNext(extension), tail);
        output.WriteLine($"chunk 7 extension vs tail: char {chr:0.000}, word {word:0.000}");

        Assert.NotEqual(tail, Similarity.WithoutNext(extension));
        Assert.True(word > Threshold + 0.15);
        Assert.True(chr > Threshold + 0.15);
        Assert.True(Similarity.WordJaccard(extension, tail) > Threshold);
    }

    [Fact]
    public void Chunk_10_first_attempt_nearly_copies_chunk_9_and_the_retry_is_fresh()
    {
        var nine = Similarity.WithoutNext(Reply(9));
        var copy = Similarity.WithoutNext(Reply(10, attempt: 0));
        var fresh = Similarity.WithoutNext(Reply(10, attempt: 1));
        output.WriteLine($"10/0 vs 9: char {Similarity.CharJaccard(copy, nine):0.000}, word {Similarity.WordJaccard(copy, nine):0.000}");
        output.WriteLine($"10/1 vs 9: char {Similarity.CharJaccard(fresh, nine):0.000}, word {Similarity.WordJaccard(fresh, nine):0.000}");

        Assert.NotEqual(nine, copy);
        Assert.True(Similarity.WordJaccard(copy, nine) > Threshold + 0.15);
        Assert.True(Similarity.CharJaccard(copy, nine) > Threshold + 0.15);
        Assert.True(Similarity.WordJaccard(Similarity.Tail(copy, 600), Similarity.Tail(nine, 600)) > Threshold);
        Assert.True(Similarity.WordJaccard(fresh, nine) < Threshold);
        Assert.True(Similarity.CharJaccard(fresh[..600], Similarity.Tail(nine, 600)) < Threshold);
    }

    [Fact]
    public void Ordinary_consecutive_chunks_do_not_look_like_repeats()
    {
        for (var chunk = 2; chunk <= 12; chunk++)
        {
            if (chunk == OfflineBackend.RepeatingChunk) continue;
            var previous = Similarity.WithoutNext(Reply(chunk - 1));
            var current = Similarity.WithoutNext(Reply(chunk));
            var word = Similarity.WordJaccard(current, previous);
            var chr = Similarity.CharJaccard(current, previous);
            var head = Similarity.CharJaccard(current[..600], Similarity.Tail(previous, 600));
            output.WriteLine($"{chunk} vs {chunk - 1}: char {chr:0.000}, word {word:0.000}, head-vs-tail char {head:0.000}");
            // Whole-chunk character 4-grams are high for any two texts in one language, so only word 4-grams
            // over whole chunks and character 4-grams over a tail-sized window are meaningful guards.
            Assert.True(word < Threshold);
            Assert.True(head < Threshold);
        }
    }

    [Fact(Timeout = 10000)]
    public async Task Per_request_delay_honours_cancellation()
    {
        var backend = new OfflineBackend(TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => backend.CompleteAsync(new ChatRequest(System, "x", "m", 1, 0), cts.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
