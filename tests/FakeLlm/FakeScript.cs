using System.Text.Json;
using System.Text.Json.Serialization;

namespace XSArena.FakeLlm;

/// <summary>How the fake server answers one request. Every member is optional; unset members fall back to the
/// script's default, then to built-in defaults.</summary>
public sealed record FakeReply
{
    /// <summary>HTTP status other than 200: the server answers with <see cref="Body"/> (or a generic error).</summary>
    public int? Status { get; init; }
    public string? Body { get; init; }
    /// <summary>Seconds, sent as a Retry-After header.</summary>
    public int? RetryAfter { get; init; }
    public int? FirstByteDelayMs { get; init; }
    public int? Events { get; init; }
    public int? EventDelayMs { get; init; }
    public int? Chars { get; init; }
    /// <summary>Exact reply text (no NEXT line is added).</summary>
    public string? Text { get; init; }
    /// <summary>Finish reason of the final chunk; "none" sends no finish chunk at all.</summary>
    public string? FinishReason { get; init; }
    /// <summary>After this many events, go silent and keep the connection open until the client leaves.</summary>
    public int? StallAfterEvents { get; init; }
    /// <summary>After this many events, close the connection without ending the response.</summary>
    public int? DisconnectAfterEvents { get; init; }
    /// <summary>After this many events, send an OpenRouter-style error chunk (finish_reason "error") and end.</summary>
    public int? ErrorChunkAfterEvents { get; init; }
    public bool? OmitDone { get; init; }
    public bool? KeepaliveComments { get; init; }
    /// <summary>Write every multi-byte UTF-8 character split across two writes.</summary>
    public bool? SplitUtf8 { get; init; }
    /// <summary>Answer 200 with a JSON error body (or <see cref="Body"/>) instead of a completion.</summary>
    [JsonPropertyName("error_in_200_body")]
    public bool? ErrorIn200Body { get; init; }
    /// <summary>Code in generated error bodies and error chunks (default 502).</summary>
    public int? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }

    /// <summary>This reply with unset members taken from <paramref name="fallback"/>.</summary>
    public FakeReply Over(FakeReply? fallback) => fallback is null ? this : new FakeReply
    {
        Status = Status ?? fallback.Status,
        Body = Body ?? fallback.Body,
        RetryAfter = RetryAfter ?? fallback.RetryAfter,
        FirstByteDelayMs = FirstByteDelayMs ?? fallback.FirstByteDelayMs,
        Events = Events ?? fallback.Events,
        EventDelayMs = EventDelayMs ?? fallback.EventDelayMs,
        Chars = Chars ?? fallback.Chars,
        Text = Text ?? fallback.Text,
        FinishReason = FinishReason ?? fallback.FinishReason,
        StallAfterEvents = StallAfterEvents ?? fallback.StallAfterEvents,
        DisconnectAfterEvents = DisconnectAfterEvents ?? fallback.DisconnectAfterEvents,
        ErrorChunkAfterEvents = ErrorChunkAfterEvents ?? fallback.ErrorChunkAfterEvents,
        OmitDone = OmitDone ?? fallback.OmitDone,
        KeepaliveComments = KeepaliveComments ?? fallback.KeepaliveComments,
        SplitUtf8 = SplitUtf8 ?? fallback.SplitUtf8,
        ErrorIn200Body = ErrorIn200Body ?? fallback.ErrorIn200Body,
        ErrorCode = ErrorCode ?? fallback.ErrorCode,
        ErrorMessage = ErrorMessage ?? fallback.ErrorMessage,
    };
}

/// <summary>Which requests a rule applies to; unset members match anything.</summary>
public sealed record FakeMatch
{
    public int? Part { get; init; }
    public int? Pass { get; init; }
    /// <summary>Text that must occur in the system prompt or the user message (ordinal).</summary>
    public string? Contains { get; init; }

    public bool Matches(FakeRequestInfo request) =>
        (Part is null || Part == request.Part)
        && (Pass is null || Pass == request.Pass)
        && (Contains is null || request.System.Contains(Contains, StringComparison.Ordinal)
            || request.User.Contains(Contains, StringComparison.Ordinal));
}

/// <summary>A scripted reply for matching requests, optionally only the first <see cref="Times"/> times for each
/// identical request content (so a retry of the same request can succeed).</summary>
public sealed record FakeRule
{
    public FakeMatch? Match { get; init; }
    public int? Times { get; init; }
    public FakeReply Reply { get; init; } = new();
}

/// <summary>The fake server's script: a default reply and rules, first match wins.</summary>
public sealed record FakeScript
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public FakeReply? Default { get; init; }
    public IReadOnlyList<FakeRule> Rules { get; init; } = [];

    /// <summary>What <c>GET /health</c> reports as <c>ws_connected</c> (default true: a browser is connected).</summary>
    public bool? WsConnected { get; init; }

    /// <summary>Model ids <c>GET /models</c> lists (default: one, <c>fake-model</c>).</summary>
    public IReadOnlyList<string>? Models { get; init; }

    /// <summary>Status other than 200 for <c>GET /models</c>.</summary>
    public int? ModelsStatus { get; init; }

    /// <summary>Status of <c>GET /key</c> (default: 200 with a bearer token, 401 without).</summary>
    public int? KeyStatus { get; init; }

    public static FakeScript Empty { get; } = new();

    public static FakeScript Parse(string json) =>
        JsonSerializer.Deserialize<FakeScript>(json, JsonOptions) ?? Empty;

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>A script whose every request gets <paramref name="reply"/>.</summary>
    public static FakeScript Always(FakeReply reply) => new() { Default = reply };
}

/// <summary>What the server parsed out of a chat request.</summary>
public sealed record FakeRequestInfo(string? Model, bool Stream, string System, string User, int Part, int Pass);
