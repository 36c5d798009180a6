using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Runner;

public sealed class ChunkChainTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private int _second;

    private JobEvent Event(string type, JsonObject fields) => new(Start.AddSeconds(_second++), type, "job", fields);

    private JobEvent Done(int index, int characters, string? hint = null, long? outLength = null, string? tail = null)
    {
        var fields = new JsonObject { ["chunk_idx"] = index, ["bytes"] = characters, ["hint"] = hint };
        if (outLength is not null) fields["out_len"] = outLength;
        if (tail is not null) fields["out_tail_sha256"] = tail;
        return Event(EventTypes.ChunkDone, fields);
    }

    private JobEvent HintApplied(int index, string hint, string requestId) =>
        Event(ChunkChain.NextHintAppliedEvent, new JsonObject { ["chunk_idx"] = index, ["hint"] = hint, ["request_id"] = requestId });

    [Fact]
    public void Chain_lists_chunk_done_events_in_order_with_their_fields()
    {
        var events = new[]
        {
            Event(EventTypes.JobStarted, new JsonObject()),
            Done(1, 100, "[Intro", 100, "aa"),
            Event(EventTypes.Request, new JsonObject { ["chunk_idx"] = 2 }),
            Done(2, 50, null, 152, "bb"),
        };

        var chain = ChunkChain.FromEvents(events);

        Assert.Equal(
            [new RecordedChunk(1, 100, "[Intro", 100, "aa"), new RecordedChunk(2, 50, null, 152, "bb")],
            chain);
        Assert.False(ChunkChain.IsUpstream(chain));
    }

    [Fact]
    public void Redone_chunks_replace_the_earlier_record_and_everything_after_it()
    {
        var events = new[]
        {
            Done(1, 10, "a", 10, "h1"),
            Done(2, 20, "b", 32, "h2"),
            Done(3, 30, "c", 64, "h3"),
            Done(4, 40, "d", 106, "h4"),
            // Cut back to chunk 2 (forced resume), then chunk 3 written again.
            Done(3, 33, "c2", 67, "h3b"),
        };

        var chain = ChunkChain.FromEvents(events);

        Assert.Equal([1, 2, 3], chain.Select(c => c.Index));
        Assert.Equal(new RecordedChunk(3, 33, "c2", 67, "h3b"), chain[^1]);
    }

    [Fact]
    public void Chain_of_the_upstream_fixture_keeps_the_restarted_first_chunk()
    {
        using var dir = new TempDirectory();
        dir.CopyFixture("upstream");
        var folder = dir.Combine(".xsarena", "jobs", "3f2b8c1e-5d4a-4e6f-9a7b-1c2d3e4f5a6b");

        var chain = ChunkChain.FromEvents(EventLogReader.ReadAll(folder));

        Assert.Equal([(1, 5010), (2, 4988)], chain.Select(c => (c.Index, c.Characters)));
        Assert.All(chain, c => Assert.Null(c.OutLength));
        Assert.Equal("[Redox", chain[^1].Hint);
        Assert.True(ChunkChain.IsUpstream(chain));
    }

    [Fact]
    public void Empty_log_gives_an_empty_chain()
    {
        var chain = ChunkChain.FromEvents([Event(EventTypes.JobSubmitted, new JsonObject())]);

        Assert.Empty(chain);
        Assert.False(ChunkChain.IsUpstream(chain));
    }

    [Fact]
    public void Pending_operator_hint_is_found_when_its_chunk_was_not_completed()
    {
        var events = new[]
        {
            Done(1, 10),
            HintApplied(2, "Cover the history first.", "r1"),
            Done(2, 20),
            HintApplied(3, "More examples, please.", "r2"),
            Event(EventTypes.Request, new JsonObject { ["chunk_idx"] = 3 }),
        };

        Assert.Equal("More examples, please.", ChunkChain.PendingOperatorHint(events, 3));
    }

    [Fact]
    public void Pending_operator_hint_is_null_when_its_chunk_was_completed_or_none_was_applied()
    {
        var events = new[]
        {
            Done(1, 10),
            HintApplied(2, "Cover the history first.", "r1"),
            Done(2, 20),
        };

        Assert.Null(ChunkChain.PendingOperatorHint(events, 2));
        Assert.Null(ChunkChain.PendingOperatorHint(events, 3));
    }

    [Fact]
    public void Pending_operator_hint_is_the_last_one_applied_to_the_chunk()
    {
        var events = new[]
        {
            HintApplied(1, "first", "r1"),
            HintApplied(1, "second", "r2"),
            HintApplied(2, "for the next chunk", "r3"),
        };

        Assert.Equal("second", ChunkChain.PendingOperatorHint(events, 1));
    }
}
