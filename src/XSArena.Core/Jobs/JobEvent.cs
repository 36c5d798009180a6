using System.Text.Json;
using System.Text.Json.Nodes;

namespace XSArena.Core.Jobs;

/// <summary>One line of events.jsonl: <c>ts</c>, <c>type</c>, <c>job_id</c>, then the event's own fields.</summary>
public sealed record JobEvent(DateTimeOffset Timestamp, string Type, string JobId, JsonObject Fields) : IEventFields
{
    /// <summary>1-based line number in events.jsonl when read from disk; 0 for an event not read from a file.</summary>
    public int Line { get; init; }

    public int? ChunkIndex => this.GetInt("chunk_idx");

    /// <summary>Reads a number whether the node was parsed from a line (backed by JSON text) or built in memory
    /// (backed by an int, long, double or decimal, which only convert to their own type).</summary>
    public decimal? GetNumber(string name)
    {
        if (Fields[name] is not JsonValue value || value.GetValueKind() != JsonValueKind.Number) return null;
        if (value.TryGetValue(out long l)) return l;
        if (value.TryGetValue(out int i)) return i;
        var isDecimal = value.TryGetValue(out decimal d);
        var isDouble = value.TryGetValue(out double r);
        return EventFields.NumberFrom(isDecimal, d, isDouble, r);
    }

    /// <summary>The field's text; null also for a string that cannot be decoded (an escaped lone surrogate).</summary>
    public string? GetString(string name) => TextOf(Fields[name]);

    internal static string? TextOf(JsonNode? node)
    {
        try { return node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null; }
        catch (InvalidOperationException) { return null; }
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
