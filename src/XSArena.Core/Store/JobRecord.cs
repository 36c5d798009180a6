using System.Text.Json;
using System.Text.Json.Serialization;

namespace XSArena.Core.Store;

/// <summary>job.json as the upstream tool wrote it, plus this module's additions under meta/progress and
/// <c>xs_schema</c>. Keys this version does not know are kept in <see cref="Extra"/> and written back unchanged.
/// Nested parts are created when first read, not with the record: the reader sets its own, and a listing of
/// thousands of jobs would otherwise build each one twice.</summary>
public sealed class JobRecord
{
    public const int CurrentSchema = 1;

    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("run_spec")] public RunSpec RunSpec { get => field ??= new(); set; }
    [JsonPropertyName("backend")] public string? Backend { get; set; }
    [JsonPropertyName("state")] public string State { get; set; } = "PENDING";
    [JsonPropertyName("retries")] public int Retries { get; set; }
    [JsonPropertyName("created_at")]
    public string? CreatedAt
    {
        get;
        set
        {
            field = value;
            _createdParsed = false;
        }
    }

    private DateTimeOffset? _created;
    private bool _createdParsed;

    /// <summary><see cref="CreatedAt"/> as a time (null when missing or unreadable), parsed once per value: every
    /// listing sorts by it and shows it.</summary>
    [JsonIgnore]
    public DateTimeOffset? Created
    {
        get
        {
            if (!_createdParsed)
            {
                _created = Timestamps.ParseOrNull(CreatedAt);
                _createdParsed = true;
            }
            return _created;
        }
    }
    [JsonPropertyName("updated_at")] public string? UpdatedAt { get; set; }
    [JsonPropertyName("artifacts")] public Dictionary<string, string> Artifacts { get => field ??= []; set; }
    [JsonPropertyName("meta")] public JobMeta Meta { get => field ??= new(); set; }
    [JsonPropertyName("progress")] public JobProgress Progress { get => field ??= new(); set; }

    [JsonPropertyName("xs_schema")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Schema { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>True for a job written by the upstream Python tool (its counters are not kept in job.json).</summary>
    [JsonIgnore] public bool IsUpstream => Schema is null;
}

/// <summary>Upstream's RunSpecV2 fields only (upstream forbids extra keys here; unknown ones read are kept).</summary>
public sealed class RunSpec
{
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    [JsonPropertyName("length")] public string Length { get; set; } = "standard";
    [JsonPropertyName("span")] public string Span { get; set; } = "medium";
    [JsonPropertyName("overlays")] public List<string> Overlays { get => field ??= []; set; }
    [JsonPropertyName("extra_note")] public string ExtraNote { get; set; } = "";
    [JsonPropertyName("extra_files")] public List<string> ExtraFiles { get => field ??= []; set; }
    [JsonPropertyName("out_path")] public string? OutPath { get; set; }
    [JsonPropertyName("outline_scaffold")] public JsonElement? OutlineScaffold { get; set; }
    [JsonPropertyName("generate_plan")] public bool GeneratePlan { get; set; }
    [JsonPropertyName("window_size")] public JsonElement? WindowSize { get; set; }
    [JsonPropertyName("profile")] public string? Profile { get; set; }
    [JsonPropertyName("backend")] public string Backend { get; set; } = "bridge";
    [JsonPropertyName("model")] public string Model { get; set; } = "default";
    [JsonPropertyName("concurrency")] public int Concurrency { get; set; } = 1;
    [JsonPropertyName("timeout")] public double Timeout { get; set; } = 300;
    [JsonPropertyName("bridge_session_id")] public string? BridgeSessionId { get; set; }
    [JsonPropertyName("bridge_message_id")] public string? BridgeMessageId { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Free-form metadata. Upstream keeps <c>system_text</c> and <c>session_state</c> here; this module adds
/// the effective plan, the endpoint and the last error.</summary>
public sealed class JobMeta
{
    private string? _systemText;
    private bool _systemTextSkipped;

    /// <summary>The system prompt; the biggest part of a job.json. Listings skip it (<see cref="JobFile.ReadListed"/>):
    /// reading it then throws, so a listed record can never be written back or copied without it.</summary>
    [JsonPropertyName("system_text")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SystemText
    {
        get => _systemTextSkipped
            ? throw new InvalidOperationException("meta.system_text was not read with this job (a listing); read the job with JobFile.Read.")
            : _systemText;
        set
        {
            _systemText = value;
            _systemTextSkipped = false;
        }
    }

    /// <summary>True when the job file has a system_text that this record did not read.</summary>
    [JsonIgnore] public bool IsSystemTextSkipped => _systemTextSkipped;

    internal void MarkSystemTextSkipped()
    {
        _systemText = null;
        _systemTextSkipped = true;
    }

    [JsonPropertyName("session_state")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? SessionState { get; set; }

    [JsonPropertyName("chunks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Chunks { get; set; }

    [JsonPropertyName("min_chars")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MinChars { get; set; }

    [JsonPropertyName("extension_passes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ExtensionPasses { get; set; }

    [JsonPropertyName("base_url")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? BaseUrl { get; set; }

    [JsonPropertyName("error_code")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ErrorCode { get; set; }

    [JsonPropertyName("error")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; set; }

    /// <summary>The job's queue priority (<c>-Priority</c>); larger starts sooner. Null means the configured default.</summary>
    [JsonPropertyName("priority")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Priority { get; set; }

    /// <summary>Why a PENDING job waits: <c>slot</c> or <c>quiet_hours</c> (DESIGN §3.2); null while it runs.</summary>
    [JsonPropertyName("wait_reason")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? WaitReason { get; set; }

    /// <summary>The waiting job's place in its root's queue, from 1, as last seen by its runner.</summary>
    [JsonPropertyName("queue_position")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? QueuePosition { get; set; }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>Counters kept current by the runner so listing never rescans logs; the same fold
/// (<see cref="Jobs.JobStatistics"/>) recounts them from events.</summary>
public sealed class JobProgress
{
    [JsonPropertyName("chunks_done")] public int ChunksDone { get; set; }
    [JsonPropertyName("chunks_total")] public int ChunksTotal { get; set; }
    [JsonPropertyName("retries")] public int Retries { get; set; }
    [JsonPropertyName("failovers")] public int Failovers { get; set; }
    [JsonPropertyName("stalls")] public int Stalls { get; set; }
    [JsonPropertyName("requests")] public int Requests { get; set; }
    [JsonPropertyName("prompt_tokens")] public long PromptTokens { get; set; }
    [JsonPropertyName("completion_tokens")] public long CompletionTokens { get; set; }
    [JsonPropertyName("cost")] public decimal Cost { get; set; }
    [JsonPropertyName("out_len")] public long OutLength { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }
}

[JsonSourceGenerationOptions(
    WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(JobRecord))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
