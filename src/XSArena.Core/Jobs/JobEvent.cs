using System.Text.Json.Nodes;

namespace XSArena.Core.Jobs;

/// <summary>One line of events.jsonl: <c>ts</c>, <c>type</c>, <c>job_id</c>, then the event's own fields.</summary>
public sealed record JobEvent(DateTimeOffset Timestamp, string Type, string JobId, JsonObject Fields)
{
    /// <summary>1-based line number in events.jsonl when read from disk; 0 for an event not read from a file.</summary>
    public int Line { get; init; }

    public int? ChunkIndex => GetInt("chunk_idx");

    public int? GetInt(string name) => TryNumber(Fields[name], out var number) ? (int)number : null;

    public long? GetLong(string name) => TryNumber(Fields[name], out var number) ? (long)number : null;

    public decimal? GetDecimal(string name) => TryNumber(Fields[name], out var number) ? number : null;

    public string? GetString(string name) =>
        Fields[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>Reads a number whether the node was parsed from a line (backed by JSON text) or built in memory
    /// (backed by an int, long, double or decimal, which only convert to their own type).</summary>
    private static bool TryNumber(JsonNode? node, out decimal number)
    {
        number = 0;
        if (node is not JsonValue value || value.GetValueKind() != System.Text.Json.JsonValueKind.Number) return false;
        if (value.TryGetValue(out decimal d)) { number = d; return true; }
        if (value.TryGetValue(out long l)) { number = l; return true; }
        if (value.TryGetValue(out int i)) { number = i; return true; }
        if (value.TryGetValue(out double r) && double.IsFinite(r)) { number = (decimal)r; return true; }
        return false;
    }
}

/// <summary>Event type names (upstream's where they exist, reference §1.5).</summary>
public static class EventTypes
{
    public const string JobSubmitted = "job_submitted";
    public const string JobStarted = "job_started";
    public const string Request = "request";
    public const string NextHint = "next_hint";
    public const string ExtensionPass = "extension_pass";
    public const string RepetitionGuard = "repetition_guard";
    public const string ChunkRepeatRejected = "chunk_repeat_rejected";
    public const string LowGrowth = "extend_abandoned_for_low_growth";
    public const string ChunkDone = "chunk_done";
    public const string Retry = "retry";
    public const string Failover = "failover";
    public const string WatchdogTimeout = "watchdog_timeout";
    /// <summary>A fallback backend could not be created (e.g. its key is missing) and was passed over.</summary>
    public const string FailoverSkipped = "failover_skipped";
    /// <summary>A reply looped on the same sentences; the loop was cut off.</summary>
    public const string RepetitionLoop = "repetition_loop";
    public const string JobCompleted = "job_completed";
    public const string JobFailed = "job_failed";
    public const string JobCancelled = "job_cancelled";
    public const string JobInterrupted = "job_interrupted";
    public const string BookReconciled = "book_reconciled";
    public const string NextHintApplied = "next_hint_applied";
    public const string JobPaused = "job_paused";
    public const string JobResumed = "job_resumed";
    public const string JobEnded = "job_ended";
}
