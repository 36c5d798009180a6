using System.Text.Json.Nodes;

namespace XSArena.Core.Jobs;

/// <summary>One line of events.jsonl: <c>ts</c>, <c>type</c>, <c>job_id</c>, then the event's own fields.</summary>
public sealed record JobEvent(DateTimeOffset Timestamp, string Type, string JobId, JsonObject Fields)
{
    /// <summary>1-based line number in events.jsonl when read from disk; 0 for an event not read from a file.</summary>
    public int Line { get; init; }

    public int? ChunkIndex => GetInt("chunk_idx");

    public int? GetInt(string name) =>
        Fields[name] is JsonValue value && value.TryGetValue<long>(out var number) ? (int)number
        : Fields[name] is JsonValue d && d.TryGetValue<double>(out var real) ? (int)real
        : null;

    public long? GetLong(string name) =>
        Fields[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number
        : Fields[name] is JsonValue d && d.TryGetValue<double>(out var real) ? (long)real
        : null;

    public decimal? GetDecimal(string name) =>
        Fields[name] is JsonValue value && value.TryGetValue<decimal>(out var number) ? number : null;

    public string? GetString(string name) =>
        Fields[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
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
    public const string JobCompleted = "job_completed";
    public const string JobFailed = "job_failed";
    public const string JobCancelled = "job_cancelled";
    public const string JobEnded = "job_ended";
}
