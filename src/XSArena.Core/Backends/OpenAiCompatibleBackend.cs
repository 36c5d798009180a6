using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using XSArena.Core.Settings;

namespace XSArena.Core.Backends;

/// <summary>The one streaming chat-completions client, used for the kinds openai, openrouter and bridge;
/// they differ only in data (base URL, key, attribution headers, body extras).</summary>
public sealed class OpenAiCompatibleBackend : IChatBackend
{
    public const string OpenAiKind = "openai";
    public const string OpenRouterKind = "openrouter";
    public const string BridgeKind = "bridge";

    private const int MaxErrorBodyChars = 64 * 1024;

    private readonly BackendProfile _profile;
    private readonly string? _apiKey;
    private readonly string? _defaultModel;
    private readonly RequestTimeouts _timeouts;
    private readonly IReadOnlyList<(string Name, string Value)> _extraHeaders;
    private readonly HttpClient _http;

    /// <param name="profile">Kind must be openai, openrouter or bridge.</param>
    /// <param name="environment">Read once here for the key; never consulted again.</param>
    /// <param name="baseUrl">Overrides the profile's base URL (already resolved from environment or parameters).</param>
    /// <param name="defaultModel">Sent when a request carries no model.</param>
    public OpenAiCompatibleBackend(
        BackendProfile profile,
        XSSettings settings,
        IReadOnlyDictionary<string, string?> environment,
        string? baseUrl = null,
        string? defaultModel = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        if (profile.Kind is not (OpenAiKind or OpenRouterKind or BridgeKind))
            throw new BackendException(BackendErrorCode.Configuration,
                $"Backend '{profile.Name}' has kind '{profile.Kind}', which is not an OpenAI-compatible kind.");

        _profile = profile;
        _timeouts = profile.Timeouts?.Over(settings.Timeouts) ?? settings.Timeouts;
        _defaultModel = string.IsNullOrWhiteSpace(defaultModel) ? profile.Model : defaultModel;
        BaseUri = ParseBaseUrl(profile.Name, string.IsNullOrWhiteSpace(baseUrl) ? profile.BaseUrl : baseUrl);
        _apiKey = ReadKey(profile, environment);
        _extraHeaders = profile.Kind == OpenRouterKind
            ? [("HTTP-Referer", settings.OpenRouterReferer), ("X-Title", settings.OpenRouterTitle), ("X-OpenRouter-Title", settings.OpenRouterTitle)]
            : [];
        _http = BackendHttpClients.For(profile.Name, BaseUri);
    }

    public string Name => _profile.Name;

    public string Kind => _profile.Kind;

    /// <summary>Base URL ending without a slash, e.g. http://127.0.0.1:5102/v1.</summary>
    public Uri BaseUri { get; }

    /// <summary>True when a key was found in the environment (the key itself is never exposed).</summary>
    public bool HasApiKey => _apiKey is not null;

    /// <summary>Kinds that cannot work without a key.</summary>
    public static bool RequiresKey(string kind) => kind == OpenRouterKind;

    public async Task<ChatResult> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        using var watchdog = new RequestWatchdog(_timeouts, cancellationToken);
        var reply = new StreamedReply();
        try
        {
            using var message = BuildRequest(request);
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, watchdog.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw await ErrorFromResponseAsync(response, watchdog.Token).ConfigureAwait(false);

            var stream = await response.Content.ReadAsStreamAsync(watchdog.Token).ConfigureAwait(false);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not null && mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase))
                return await ReadJsonBodyAsync(stream, watchdog).ConfigureAwait(false);
            return await ReadStreamAsync(stream, reply, watchdog).ConfigureAwait(false);
        }
        catch (BackendException)
        {
            throw;
        }
        catch (Exception ex) when (watchdog.Token.IsCancellationRequested)
        {
            if (cancellationToken.IsCancellationRequested)
                throw new OperationCanceledException("The request was cancelled.", ex, cancellationToken);
            // A server that sent its finish chunk and then never closed the stream still gave a complete reply.
            if (watchdog.Stalled && reply.FinishReason is not null)
                return reply.ToResult();
            var code = watchdog.TotalExpired ? BackendErrorCode.Timeout : BackendErrorCode.Stall;
            throw new BackendException(code, $"{Name}: {watchdog.Describe()}.", null, ex) { PartialText = reply.PartialText };
        }
        catch (HttpIOException ex) when (ex.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            throw Truncated("the connection closed before the reply finished", reply, ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new BackendException(BackendErrorCode.Network,
                $"{Name}: network error talking to {BaseUri.GetLeftPart(UriPartial.Authority)}: {Redact(ex.Message)}", null, ex)
            { PartialText = reply.PartialText };
        }
    }

    private HttpRequestMessage BuildRequest(ChatRequest request)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, BaseUri + "/chat/completions")
        {
            Content = new ByteArrayContent(BuildBody(request)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("XSArena", "0.1"));
        if (_apiKey is not null)
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
        foreach (var (name, value) in _extraHeaders)
            message.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    private byte[] BuildBody(ChatRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            var model = string.IsNullOrWhiteSpace(request.Model) ? _defaultModel : request.Model;
            if (!string.IsNullOrWhiteSpace(model))
                json.WriteString("model", model);
            json.WriteStartArray("messages");
            WriteMessage(json, "system", request.System);
            WriteMessage(json, "user", request.User);
            json.WriteEndArray();
            json.WriteBoolean("stream", true);
            // The bridge drops max_tokens anyway; the others honour it when the profile sets one.
            if (_profile.MaxTokens is { } maxTokens && Kind != BridgeKind)
                json.WriteNumber("max_tokens", maxTokens);
            if (Kind == OpenAiKind)
            {
                // Ollama and vLLM send usage in a stream only when asked.
                json.WriteStartObject("stream_options");
                json.WriteBoolean("include_usage", true);
                json.WriteEndObject();
            }
            if (Kind == OpenRouterKind)
            {
                // Context compression silently cuts the middle of a prompt, which breaks a book's continuity.
                json.WriteStartArray("plugins");
                json.WriteStartObject();
                json.WriteString("id", "context-compression");
                json.WriteBoolean("enabled", false);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteMessage(Utf8JsonWriter json, string role, string content)
    {
        json.WriteStartObject();
        json.WriteString("role", role);
        json.WriteString("content", content);
        json.WriteEndObject();
    }

    private async Task<ChatResult> ReadStreamAsync(Stream stream, StreamedReply reply, RequestWatchdog watchdog)
    {
        using var reader = new SseReader(stream, watchdog.Alive);
        while (await reader.ReadEventAsync(watchdog.Token).ConfigureAwait(false) is { } sse)
        {
            if (sse.Data.Trim() == "[DONE]")
                break;
            if (sse.Type == "error")
                throw FromServerError(null, ServerErrorParser.FromBody(sse.Data), null, reply.PartialText);
            foreach (var chunk in ParseChunks(sse.Data))
            {
                using (chunk)
                {
                    var error = ServerErrorParser.Find(chunk.RootElement);
                    if (error is not null)
                        throw FromServerError(null, error, null, reply.PartialText);
                    reply.Add(chunk.RootElement);
                }
            }
        }

        if (reply.FinishReason is null)
            throw Truncated("the stream ended without a finish reason", reply, null);
        return reply.ToResult();
    }

    /// <summary>Parses an event's data; data joined from several lines that is not one JSON value is tried
    /// line by line (some servers omit the blank line between events). Fragments that are not JSON are skipped.</summary>
    private static IEnumerable<JsonDocument> ParseChunks(string data)
    {
        var whole = TryParse(data);
        if (whole is not null)
        {
            yield return whole;
            yield break;
        }
        if (!data.Contains('\n'))
            yield break;
        foreach (var line in data.Split('\n'))
        {
            if (TryParse(line) is { } doc)
                yield return doc;
        }
    }

    private static JsonDocument? TryParse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A 200 with a JSON body: an error in a 200 body, or a server that answered without streaming.</summary>
    private async Task<ChatResult> ReadJsonBodyAsync(Stream stream, RequestWatchdog watchdog)
    {
        var body = await ReadBoundedAsync(stream, watchdog.Token).ConfigureAwait(false);
        watchdog.Alive();
        var root = TryParse(body);
        if (root is null)
            throw new BackendException(BackendErrorCode.Unknown,
                $"{Name}: the server answered with a body that is not valid JSON: {Redact(ServerErrorParser.OneLine(body))}");
        using (root)
        {
            var error = ServerErrorParser.Find(root.RootElement);
            var reply = new StreamedReply();
            reply.Add(root.RootElement);
            if (error is not null)
                throw FromServerError(null, error, null, reply.PartialText);
            if (reply.FinishReason is null)
                throw Truncated("the reply carried no finish reason", reply, null);
            return reply.ToResult();
        }
    }

    private async Task<BackendException> ErrorFromResponseAsync(HttpResponseMessage response, CancellationToken token)
    {
        var status = (int)response.StatusCode;
        var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
        var body = await ReadBoundedAsync(stream, token).ConfigureAwait(false);
        var error = string.IsNullOrWhiteSpace(body)
            ? new ServerError(null, [], response.ReasonPhrase ?? "", null)
            : ServerErrorParser.FromBody(body);
        var retryAfter = ServerErrorParser.ParseRetryAfter(
            response.Headers.TryGetValues("Retry-After", out var values) ? values.FirstOrDefault() : null,
            DateTimeOffset.UtcNow);
        return FromServerError(status, error, retryAfter, null);
    }

    private BackendException FromServerError(int? status, ServerError error, TimeSpan? retryAfter, string? partial)
    {
        var code = ServerErrorParser.Classify(status, error);
        var statusText = status is null ? "" : $" (HTTP {status})";
        var detail = Redact(ServerErrorParser.OneLine(error.Message));
        var message = $"{Name}: {ServerErrorParser.Describe(code)}{statusText}: {detail}";
        return new BackendException(code, message, status ?? error.Code)
        {
            RetryAfter = retryAfter ?? error.RetryAfter,
            PartialText = partial,
        };
    }

    private BackendException Truncated(string what, StreamedReply reply, Exception? inner) =>
        new(BackendErrorCode.TruncatedStream, $"{Name}: {what} ({reply.TextLength} characters received).", null, inner)
        {
            PartialText = reply.PartialText,
        };

    private static async Task<string> ReadBoundedAsync(Stream stream, CancellationToken token)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var buffer = new char[MaxErrorBodyChars];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(total), token).ConfigureAwait(false);
            if (read == 0) break;
            total += read;
        }
        return new string(buffer, 0, total);
    }

    /// <summary>Some servers echo the credential they rejected; it must never reach a message.</summary>
    private string Redact(string text) =>
        _apiKey is { Length: > 0 } key ? text.Replace(key, "***", StringComparison.Ordinal) : text;

    private static Uri ParseBaseUrl(string profileName, string baseUrl)
    {
        if (!Uri.TryCreate(baseUrl?.Trim().TrimEnd('/'), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new BackendException(BackendErrorCode.Configuration,
                $"Backend '{profileName}' needs an http(s) base URL; got '{baseUrl}'.");
        return uri;
    }

    private static string? ReadKey(BackendProfile profile, IReadOnlyDictionary<string, string?> environment)
    {
        var variable = profile.ApiKeyVariable;
        var key = string.IsNullOrWhiteSpace(variable) ? null
            : environment.TryGetValue(variable, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        if (key is null && RequiresKey(profile.Kind))
        {
            throw new BackendException(BackendErrorCode.Configuration, string.IsNullOrWhiteSpace(variable)
                ? $"Backend '{profile.Name}' needs an API key, but its profile names no environment variable for it."
                : $"Backend '{profile.Name}' needs an API key: set the environment variable {variable}.");
        }
        return key;
    }
}
