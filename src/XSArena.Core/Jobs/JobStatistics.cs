namespace XSArena.Core.Jobs;

/// <summary>The job's counters. <see cref="Apply"/> is the one statistics function: the runner folds each event it
/// writes into the counters kept in job.json, and a recount of an events.jsonl (upstream jobs, verification) folds
/// the same way.</summary>
public sealed record JobStatistics
{
    /// <summary>Chunks the book holds: the index of the latest <c>chunk_done</c> (a chunk redone after a cut-back
    /// replaces the later ones, as in <see cref="Runner.ChunkChain"/>), or what a reconciliation kept.</summary>
    public int ChunksDone { get; init; }
    public int Requests { get; init; }
    public int Retries { get; init; }
    public int Failovers { get; init; }
    public int Stalls { get; init; }
    public long PromptTokens { get; init; }
    public long CompletionTokens { get; init; }
    public decimal Cost { get; init; }
    public long OutLength { get; init; }
    public string? LastError { get; init; }
    public string? LastErrorCode { get; init; }

    public static JobStatistics Empty { get; } = new();

    /// <summary>The event types <see cref="Apply"/> counts; every other event leaves the statistics as they are, so
    /// a recount may skip those lines unread.</summary>
    public static IReadOnlySet<string> CountedTypes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        EventTypes.ChunkDone, EventTypes.BookReconciled, EventTypes.Request, EventTypes.Retry,
        EventTypes.Failover, EventTypes.WatchdogTimeout, EventTypes.JobFailed,
    };

    public JobStatistics Apply(IEventFields e) => e.Type switch
    {
        EventTypes.ChunkDone => this with
        {
            ChunksDone = e.GetInt("chunk_idx") ?? ChunksDone,
            OutLength = e.GetLong("out_len") ?? OutLength,
        },
        EventTypes.BookReconciled => this with
        {
            ChunksDone = e.GetInt("chunks_kept") ?? ChunksDone,
            OutLength = e.GetLong("out_len") ?? OutLength,
        },
        EventTypes.Request => this with
        {
            Requests = Requests + 1,
            PromptTokens = PromptTokens + (e.GetLong("prompt_tokens") ?? 0),
            CompletionTokens = CompletionTokens + (e.GetLong("completion_tokens") ?? 0),
            Cost = Cost + (e.GetDecimal("cost") ?? 0m),
        },
        EventTypes.Retry => this with { Retries = Retries + 1 },
        EventTypes.Failover => this with { Failovers = Failovers + 1 },
        EventTypes.WatchdogTimeout => this with { Stalls = Stalls + 1 },
        EventTypes.JobFailed => this with
        {
            LastError = e.GetString("user_message") ?? e.GetString("error") ?? LastError,
            LastErrorCode = e.GetString("error_code") ?? LastErrorCode,
        },
        _ => this,
    };

    public static JobStatistics Fold(IEnumerable<IEventFields> events) =>
        events.Aggregate(Empty, (stats, e) => stats.Apply(e));
}
