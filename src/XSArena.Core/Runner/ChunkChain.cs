using XSArena.Core.Jobs;

namespace XSArena.Core.Runner;

/// <summary>One chunk as its <c>chunk_done</c> event recorded it. <paramref name="Characters"/> is the event's
/// <c>bytes</c> field (a character count of the chunk body, as upstream). <paramref name="OutLength"/> and
/// <paramref name="TailSha256"/> are the book's byte length after the chunk and the hash of its last 4 KiB; jobs
/// written by the upstream tool have neither.</summary>
public sealed record RecordedChunk(int Index, int Characters, string? Hint, long? OutLength, string? TailSha256);

/// <summary>Reads from a job's events which chunks the book consists of, and which operator hint a resumed run
/// must send again.</summary>
public static class ChunkChain
{
    /// <summary>Event logged when an operator hint is put into the prompt of a chunk: <c>chunk_idx</c>, <c>hint</c>,
    /// <c>request_id</c>.</summary>
    public const string NextHintAppliedEvent = EventTypes.NextHintApplied;

    /// <summary>The chunks the book currently consists of, in order. A <c>chunk_done</c> for index i replaces every
    /// recorded chunk with index i or later (a chunk redone after a cut-back supersedes the earlier record).
    /// <c>chunk_done</c> events without a <c>chunk_idx</c> are ignored.</summary>
    public static IReadOnlyList<RecordedChunk> FromEvents(IEnumerable<JobEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var chain = new List<RecordedChunk>();
        foreach (var e in events)
        {
            if (e.Type != EventTypes.ChunkDone || e.ChunkIndex is not { } index) continue;
            var keep = chain.FindIndex(c => c.Index >= index);
            if (keep >= 0) chain.RemoveRange(keep, chain.Count - keep);
            chain.Add(new RecordedChunk(
                index,
                e.GetInt("bytes") ?? 0,
                e.GetString("hint"),
                e.GetLong("out_len"),
                e.GetString("out_tail_sha256")));
        }
        return chain;
    }

    /// <summary>True when the chain was written by the upstream tool: its last chunk has no recorded book length,
    /// so the book can only be checked by counting characters.</summary>
    public static bool IsUpstream(IReadOnlyList<RecordedChunk> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.Count > 0 && chain[^1].OutLength is null;
    }

    /// <summary>The operator hint that was applied to the prompt of chunk <paramref name="nextChunk"/> and logged,
    /// when no <c>chunk_done</c> for that chunk followed it (the run stopped mid-chunk), so the resumed run sends the
    /// same prompt. Null when no hint was applied to that chunk, or the chunk was completed after it was.</summary>
    public static string? PendingOperatorHint(IEnumerable<JobEvent> events, int nextChunk)
    {
        ArgumentNullException.ThrowIfNull(events);
        string? pending = null;
        foreach (var e in events)
        {
            if (e.ChunkIndex != nextChunk) continue;
            if (e.Type == NextHintAppliedEvent) pending = e.GetString("hint");
            else if (e.Type == EventTypes.ChunkDone) pending = null;
        }
        return pending;
    }
}
