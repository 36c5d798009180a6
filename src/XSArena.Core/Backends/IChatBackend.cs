namespace XSArena.Core.Backends;

/// <summary>One chat-completion request: a system prompt and one user message (requests are stateless).</summary>
/// <param name="ChunkIndex">1-based chunk this request serves (for logs and the offline backend).</param>
/// <param name="Pass">0 for the chunk's main request, 1.. for extension passes.</param>
/// <param name="Attempt">0 for the first try of this exact request, 1.. when the runner asks again
/// (for example after a near-repeat was rejected).</param>
public sealed record ChatRequest(string System, string User, string Model, int ChunkIndex, int Pass, int Attempt = 0);

/// <summary>What a backend returned for one request.</summary>
/// <param name="FinishReason">Open string as sent by the server (stop, length, content_filter, ...).</param>
public sealed record ChatResult(
    string Text,
    string? FinishReason,
    string? Model,
    int? PromptTokens,
    int? CompletionTokens,
    decimal? Cost);

/// <summary>A backend that turns a prompt into text. Implementations must honour cancellation promptly
/// (closing the HTTP connection), and throw <see cref="BackendException"/> for every failure.</summary>
public interface IChatBackend
{
    /// <summary>Backend name as configured (offline, openai, openrouter, bridge).</summary>
    string Name { get; }

    Task<ChatResult> CompleteAsync(ChatRequest request, CancellationToken cancellationToken);
}

/// <summary>Classified failure codes (a later issue refines retry policy on top of them).</summary>
public enum BackendErrorCode
{
    Auth,
    Payment,
    InvalidRequest,
    ContextTooLong,
    ContentFiltered,
    RateLimited,
    ServerError,
    Network,
    Timeout,
    Stall,
    TruncatedStream,
    ModelNotFound,
    Configuration,
    /// <summary>The server finished the reply without any text (cold start, soft moderation); worth a retry.</summary>
    EmptyCompletion,
    Unknown,
}

/// <summary>A backend failure with a code, an optional HTTP status, and a one-line message fit for users.
/// Messages never contain API keys.</summary>
public sealed class BackendException(BackendErrorCode code, string message, int? statusCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public BackendErrorCode Code { get; } = code;
    public int? StatusCode { get; } = statusCode;

    /// <summary>How long the server asked us to wait (Retry-After), when it said so.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Text received before the failure (a stall or mid-stream error keeps what arrived).</summary>
    public string? PartialText { get; init; }

    /// <summary>snake_case code written into events and job.json (e.g. rate_limited).</summary>
    public string CodeName => ErrorCodes.ToSnakeCase(Code);
}

public static class ErrorCodes
{
    public static string ToSnakeCase(BackendErrorCode code) => code switch
    {
        BackendErrorCode.Auth => "auth",
        BackendErrorCode.Payment => "payment",
        BackendErrorCode.InvalidRequest => "invalid_request",
        BackendErrorCode.ContextTooLong => "context_too_long",
        BackendErrorCode.ContentFiltered => "content_filtered",
        BackendErrorCode.RateLimited => "rate_limited",
        BackendErrorCode.ServerError => "server_error",
        BackendErrorCode.Network => "network",
        BackendErrorCode.Timeout => "timeout",
        BackendErrorCode.Stall => "stall",
        BackendErrorCode.TruncatedStream => "truncated_stream",
        BackendErrorCode.ModelNotFound => "model_not_found",
        BackendErrorCode.Configuration => "configuration",
        BackendErrorCode.EmptyCompletion => "empty_completion",
        _ => "unknown",
    };
}
