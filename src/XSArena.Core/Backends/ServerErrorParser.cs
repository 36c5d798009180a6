using System.Globalization;
using System.Text.Json;

namespace XSArena.Core.Backends;

/// <summary>An error as a server described it, in any of the dialects the reference lists.</summary>
internal sealed record ServerError(int? Code, IReadOnlyList<string> Types, string Message, TimeSpan? RetryAfter);

/// <summary>Finds errors in response bodies and stream chunks, and classifies them.</summary>
internal static class ServerErrorParser
{
    private const int MaxMessageLength = 300;

    /// <summary>The error a JSON body or chunk carries, or null when it carries none.</summary>
    public static ServerError? Find(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            return null;

        if (root.TryGetProperty("error", out var error) && error.ValueKind is not JsonValueKind.Null)
            return FromErrorMember(error);

        if (root.TryGetProperty("detail", out var detail) && detail.ValueKind is not JsonValueKind.Null)
            return new ServerError(null, [], detail.ValueKind == JsonValueKind.String ? detail.GetString() ?? "" : detail.GetRawText(), null);

        // Older vLLM: a flat {"object":"error","message":...,"type":...,"code":...}.
        if (root.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.String && obj.GetString() == "error")
            return FromErrorMember(root);

        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
        {
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object) continue;
                if (choice.TryGetProperty("error", out var choiceError) && choiceError.ValueKind is not JsonValueKind.Null)
                    return FromErrorMember(choiceError);
                if (GetString(choice, "finish_reason") == "error")
                    return new ServerError(null, [], "the server ended the reply with finish_reason \"error\"", null);
            }
        }
        return null;
    }

    /// <summary>The error in a raw body; non-JSON bodies (an HTML error page) become their first characters.</summary>
    public static ServerError FromBody(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var found = Find(doc.RootElement);
            if (found is not null)
                return found;
        }
        catch (JsonException)
        {
        }
        return new ServerError(null, [], body, null);
    }

    public static BackendErrorCode Classify(int? status, ServerError error)
    {
        foreach (var type in error.Types)
        {
            var code = ClassifyType(type);
            if (code is not null)
                return code.Value;
        }

        var effective = status is >= 400 ? status : error.Code;
        var message = error.Message;
        if (effective is null or 400 or 413 or 422 && LooksLikeContextOverflow(message))
            return BackendErrorCode.ContextTooLong;
        if (effective is null or 400 or 404 && LooksLikeMissingModel(message))
            return BackendErrorCode.ModelNotFound;

        return effective switch
        {
            401 or 403 => BackendErrorCode.Auth,
            402 => BackendErrorCode.Payment,
            404 => BackendErrorCode.ModelNotFound,
            408 or 504 => BackendErrorCode.Timeout,
            413 => BackendErrorCode.ContextTooLong,
            429 => BackendErrorCode.RateLimited,
            400 or 422 => BackendErrorCode.InvalidRequest,
            >= 500 and < 600 => BackendErrorCode.ServerError,
            _ => BackendErrorCode.Unknown,
        };
    }

    /// <summary>Seconds or an HTTP date, as Retry-After allows.</summary>
    public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return date > now ? date - now : TimeSpan.Zero;
        return null;
    }

    /// <summary>One line fit for a user: no newlines, bounded length.</summary>
    public static string OneLine(string text)
    {
        var flat = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= MaxMessageLength ? flat : flat[..MaxMessageLength] + "...";
    }

    public static string Describe(BackendErrorCode code) => code switch
    {
        BackendErrorCode.Auth => "not authorized",
        BackendErrorCode.Payment => "payment required",
        BackendErrorCode.InvalidRequest => "invalid request",
        BackendErrorCode.ContextTooLong => "prompt too long for the model's context",
        BackendErrorCode.ContentFiltered => "content filtered",
        BackendErrorCode.RateLimited => "rate limited",
        BackendErrorCode.ServerError => "server error",
        BackendErrorCode.Timeout => "server timeout",
        BackendErrorCode.ModelNotFound => "model not found",
        _ => "error",
    };

    private static ServerError FromErrorMember(JsonElement error)
    {
        if (error.ValueKind == JsonValueKind.String)
            return new ServerError(null, [], error.GetString() ?? "", null);
        if (error.ValueKind != JsonValueKind.Object)
            return new ServerError(null, [], error.GetRawText(), null);

        int? code = null;
        var types = new List<string>();
        if (error.TryGetProperty("code", out var codeElement))
        {
            if (codeElement.ValueKind == JsonValueKind.Number && codeElement.TryGetInt32(out var n)) code = n;
            else if (codeElement.ValueKind == JsonValueKind.String)
            {
                var s = codeElement.GetString() ?? "";
                if (int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)) code = parsed;
                else types.Add(s);
            }
        }
        TimeSpan? retryAfter = null;
        if (error.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            AddIfPresent(types, GetString(metadata, "error_type"));
        if (error.TryGetProperty("availability", out var availability) && availability.ValueKind == JsonValueKind.Object)
        {
            AddIfPresent(types, GetString(availability, "code"));
            if (availability.TryGetProperty("retry_after", out var ra) && ra.ValueKind == JsonValueKind.Number)
                retryAfter = TimeSpan.FromSeconds(ra.GetDouble());
        }
        AddIfPresent(types, GetString(error, "type"));

        var message = GetString(error, "message") ?? error.GetRawText();
        return new ServerError(code, types, message, retryAfter);
    }

    private static BackendErrorCode? ClassifyType(string type) => type.ToLowerInvariant() switch
    {
        "context_length_exceeded" or "max_tokens_exceeded" or "token_limit_exceeded" or "string_too_long"
            or "exceed_context_size_error" => BackendErrorCode.ContextTooLong,
        "authentication" or "authentication_error" or "invalid_api_key" or "permission_denied" => BackendErrorCode.Auth,
        "payment_required" or "insufficient_quota" => BackendErrorCode.Payment,
        "rate_limit_exceeded" or "capacity_exhausted" or "rate_limit_error" => BackendErrorCode.RateLimited,
        "provider_overloaded" or "provider_unavailable" or "temporarily_unavailable" or "server" or "unmapped"
            or "cloudflare_challenge" => BackendErrorCode.ServerError,
        "timeout" => BackendErrorCode.Timeout,
        "content_policy_violation" or "refusal" => BackendErrorCode.ContentFiltered,
        "model_not_found" or "no_endpoints" or "model_deprecated" or "model_unavailable_upstream"
            or "free_variant_ended" or "not_found_error" => BackendErrorCode.ModelNotFound,
        "invalid_request" or "invalid_prompt" => BackendErrorCode.InvalidRequest,
        _ => null,
    };

    private static bool LooksLikeContextOverflow(string message)
    {
        var m = message.ToLowerInvariant();
        return m.Contains("context length") || m.Contains("context size") || m.Contains("context window")
            || m.Contains("maximum context") || m.Contains("n_ctx") || m.Contains("too many tokens");
    }

    private static bool LooksLikeMissingModel(string message)
    {
        var m = message.ToLowerInvariant();
        return m.Contains("no endpoints found") || (m.Contains("model") && m.Contains("not found"))
            || m.Contains("model_not_found") || m.Contains("does not exist");
    }

    private static void AddIfPresent(List<string> list, string? value)
    {
        if (!string.IsNullOrEmpty(value)) list.Add(value);
    }

    internal static string? GetString(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
            ? p.GetString()
            : null;
}
