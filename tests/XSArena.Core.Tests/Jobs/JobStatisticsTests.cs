using System.Text.Json.Nodes;
using XSArena.Core.Jobs;

namespace XSArena.Core.Tests.Jobs;

public sealed class JobStatisticsTests
{
    private static JobEvent E(string type, JsonObject? fields = null) => new(DateTimeOffset.UtcNow, type, "j", fields ?? []);

    [Fact]
    public void Fold_counts_every_statistic()
    {
        var stats = JobStatistics.Fold([
            E("request", new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = 50, ["cost"] = 0.25m }),
            E("request", new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 5, ["cost"] = 0.5m }),
            E("chunk_done", new JsonObject { ["chunk_idx"] = 1, ["out_len"] = 1200 }),
            E("retry"), E("retry"), E("failover"), E("watchdog_timeout"),
            E("chunk_done", new JsonObject { ["chunk_idx"] = 2, ["out_len"] = 2500 }),
            E("job_failed", new JsonObject { ["error_code"] = "auth", ["user_message"] = "Key rejected" }),
        ]);
        Assert.Equal(2, stats.ChunksDone);
        Assert.Equal(2, stats.Requests);
        Assert.Equal(2, stats.Retries);
        Assert.Equal(1, stats.Failovers);
        Assert.Equal(1, stats.Stalls);
        Assert.Equal(110, stats.PromptTokens);
        Assert.Equal(55, stats.CompletionTokens);
        Assert.Equal(0.75m, stats.Cost);
        Assert.Equal(2500, stats.OutLength);
        Assert.Equal("auth", stats.LastErrorCode);
        Assert.Equal("Key rejected", stats.LastError);
    }

    [Fact]
    public void Chunks_done_follow_the_chain_when_chunks_are_redone_after_a_cut_back()
    {
        var stats = JobStatistics.Fold([
            E("chunk_done", new JsonObject { ["chunk_idx"] = 1 }),
            E("chunk_done", new JsonObject { ["chunk_idx"] = 2 }),
            E("chunk_done", new JsonObject { ["chunk_idx"] = 3 }),
            E("book_reconciled", new JsonObject { ["chunks_kept"] = 1, ["out_len"] = 10 }),
        ]);
        Assert.Equal(1, stats.ChunksDone);
        Assert.Equal(10, stats.OutLength);
        Assert.Equal(2, stats.Apply(E("chunk_done", new JsonObject { ["chunk_idx"] = 2 })).ChunksDone);
    }

    [Fact]
    public void Unknown_and_malformed_events_change_nothing()
    {
        var stats = JobStatistics.Fold([E("density_metrics"), E("chunk_done", new JsonObject { ["chunk_idx"] = "three" })]);
        Assert.Equal(JobStatistics.Empty, stats);
    }

    [Fact]
    public void Fold_gives_the_same_counts_for_events_built_in_memory_and_read_from_lines()
    {
        JobEvent[] built =
        [
            E("request", new JsonObject { ["prompt_tokens"] = 7, ["completion_tokens"] = 3L, ["cost"] = 0.5 }),
            E("chunk_done", new JsonObject { ["chunk_idx"] = 4, ["out_len"] = 99L }),
        ];
        var parsed = built.Select((e, i) => XSArena.Core.Store.EventSerializer.TryParse(XSArena.Core.Store.EventSerializer.ToLine(e), i + 1)!);
        var fromMemory = JobStatistics.Fold(built);
        Assert.Equal(4, fromMemory.ChunksDone);
        Assert.Equal(7, fromMemory.PromptTokens);
        Assert.Equal(3, fromMemory.CompletionTokens);
        Assert.Equal(0.5m, fromMemory.Cost);
        Assert.Equal(99, fromMemory.OutLength);
        Assert.Equal(fromMemory, JobStatistics.Fold(parsed));
    }
}
