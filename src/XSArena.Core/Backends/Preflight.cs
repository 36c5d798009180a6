using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using XSArena.Core.Settings;

namespace XSArena.Core.Backends;

/// <summary>How one preflight check came out.</summary>
public enum PreflightStatus
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>One named check: key, reachable, browser (bridge only) or model.</summary>
public sealed record PreflightCheck(string Name, PreflightStatus Status, string Detail);

/// <summary>Whether a backend can serve now, what was checked, and (when it cannot) what is wrong and what to do.
/// Never carries the key.</summary>
public sealed record PreflightResult(
    string Backend,
    string Kind,
    string BaseUrl,
    string Model,
    bool Ok,
    IReadOnlyList<PreflightCheck> Checks,
    string? Problem,
    string? Advice)
{
    /// <summary>Problem and advice as one message for an error record.</summary>
    public string Message => Ok ? $"Backend '{Backend}' is ready." : $"{Problem} {Advice}".Trim();
}

/// <summary>Checks that a backend can serve before work is created or restarted: the key is present (and accepted,
/// where the backend can tell), the server answers, the bridge has a browser connected, and the model is one the
/// server lists. Bounded by <see cref="XSSettings.PreflightTimeout"/> overall.</summary>
public static class Preflight
{
    public const string KeyCheck = "key";
    public const string ReachableCheck = "reachable";
    public const string BrowserCheck = "browser";
    public const string ModelCheck = "model";

    private const int MaxBodyChars = 4 * 1024 * 1024;

    /// <summary>Checks the backend named <paramref name="backendName"/> (the default backend when empty).</summary>
    /// <exception cref="BackendException">Configuration: the backend name is unknown.</exception>
    public static Task<PreflightResult> CheckAsync(
        string? backendName,
        XSSettings settings,
        IReadOnlyDictionary<string, string?> environment,
        string? modelOverride = null,
        string? baseUrlOverride = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var profile = BackendFactory.ResolveProfile(backendName ?? "", settings);
        return CheckAsync(profile, settings, environment, modelOverride, baseUrlOverride, cancellationToken);
    }

    /// <summary>Checks <paramref name="profile"/>, at <paramref name="baseUrlOverride"/> when given.</summary>
    public static async Task<PreflightResult> CheckAsync(
        BackendProfile profile,
        XSSettings settings,
        IReadOnlyDictionary<string, string?> environment,
        string? modelOverride = null,
        string? baseUrlOverride = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);

        var model = !string.IsNullOrWhiteSpace(modelOverride) ? modelOverride.Trim()
            : string.IsNullOrWhiteSpace(profile.Model) ? settings.DefaultModel : profile.Model;
        var baseUrl = BackendFactory.ResolveBaseUrl(profile, baseUrlOverride);
        var run = new Run(profile, baseUrl, model);

        if (profile.Kind == OfflineBackend.Kind)
        {
            run.Pass(ReachableCheck, "built in; needs no network");
            return run.Result();
        }
        if (profile.Kind is not (OpenAiCompatibleBackend.OpenAiKind or OpenAiCompatibleBackend.OpenRouterKind or OpenAiCompatibleBackend.BridgeKind))
        {
            return run.Fail(KeyCheck, $"unknown kind '{profile.Kind}'",
                $"Backend '{profile.Name}' has kind '{profile.Kind}', which XSArena cannot talk to.",
                "Use a backend of kind offline, openai, openrouter or bridge.");
        }
        if (!Uri.TryCreate(baseUrl?.Trim().TrimEnd('/'), UriKind.Absolute, out var baseUri)
            || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            return run.Fail(ReachableCheck, "not an http(s) URL",
                $"Backend '{profile.Name}' has no usable base URL ('{baseUrl}').",
                $"Check -BaseUri{EndpointVariableHint(profile)}: it must be an http(s) URL such as http://127.0.0.1:11434/v1.");
        }

        var key = ReadKey(profile, environment);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.PreflightTimeout > TimeSpan.Zero)
            timeout.CancelAfter(settings.PreflightTimeout);
        var probe = new Probe(BackendHttpClients.For(profile.Name, baseUri), key, settings, profile.Kind, timeout.Token, settings.PreflightTimeout);

        try
        {
            return profile.Kind switch
            {
                OpenAiCompatibleBackend.OpenRouterKind => await OpenRouterAsync(run, probe, baseUri, key).ConfigureAwait(false),
                OpenAiCompatibleBackend.BridgeKind => await BridgeAsync(run, probe, baseUri).ConfigureAwait(false),
                _ => await OpenAiAsync(run, probe, baseUri, key).ConfigureAwait(false),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
    }

    private static async Task<PreflightResult> OpenRouterAsync(Run run, Probe probe, Uri baseUri, string? key)
    {
        var profile = run.Profile;
        if (key is null)
        {
            var variable = string.IsNullOrWhiteSpace(profile.ApiKeyVariable) ? "OPENROUTER_API_KEY" : profile.ApiKeyVariable;
            return run.Fail(KeyCheck, $"{variable} is not set",
                $"Backend '{profile.Name}' needs an API key, but the environment variable {variable} is not set.",
                $"Set {variable} to your OpenRouter key (for example $env:{variable} = '<key>') and try again.");
        }

        var answer = await probe.GetAsync(baseUri + "/key").ConfigureAwait(false);
        if (answer.Failure is { } failure)
            return UnreachableAt(run, failure, "Check your network connection, or -BaseUri / OPENROUTER_BASE_URL if you changed the endpoint.");
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            run.Pass(ReachableCheck, $"{Authority(baseUri)} answered");
            return run.Fail(KeyCheck, $"rejected (HTTP {(int)answer.Status})",
                $"OpenRouter rejected the key in {profile.ApiKeyVariable} (HTTP {(int)answer.Status}).",
                $"Check that {profile.ApiKeyVariable} holds a valid, enabled OpenRouter key.");
        }
        if (!answer.IsSuccess)
        {
            return run.Fail(ReachableCheck, $"GET /key answered HTTP {(int)answer.Status}",
                $"OpenRouter at {Authority(baseUri)} answered HTTP {(int)answer.Status} when asked about the key.",
                "Try again in a moment; if it persists, check -BaseUri / OPENROUTER_BASE_URL.");
        }
        run.Pass(KeyCheck, $"{profile.ApiKeyVariable} is set and accepted");
        run.Pass(ReachableCheck, $"{Authority(baseUri)} answered");
        return await ModelAsync(run, probe, baseUri, requireList: true).ConfigureAwait(false);
    }

    private static async Task<PreflightResult> BridgeAsync(Run run, Probe probe, Uri baseUri)
    {
        run.Skip(KeyCheck, "the bridge needs no key");
        var healthUri = HealthUri(baseUri);
        var answer = await probe.GetAsync(healthUri).ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            return UnreachableAt(run, failure,
                "Start the bridge (xsarena ops service start-bridge-v2) and check -BaseUri / XSA_BRIDGE_URL.");
        }
        run.Pass(ReachableCheck, $"{Authority(baseUri)} answered");
        if (!answer.IsSuccess || ReadBool(answer.Body, "ws_connected") is not { } connected)
        {
            return run.Fail(BrowserCheck, answer.IsSuccess ? "GET /health has no ws_connected" : $"GET /health answered HTTP {(int)answer.Status}",
                $"The server at {Authority(baseUri)} does not look like an XSArena bridge: {healthUri} gave no connection state.",
                "Check -BaseUri / XSA_BRIDGE_URL: it should point at the bridge, e.g. http://127.0.0.1:5102/v1.");
        }
        if (!connected)
        {
            return run.Fail(BrowserCheck, "ws_connected is false",
                $"The bridge at {Authority(baseUri)} is running, but no browser tab is connected to it.",
                "Open the LMArena tab with the XSArena userscript enabled (and reload it) so it connects to the bridge, then try again.");
        }
        run.Pass(BrowserCheck, "a browser tab is connected");
        run.Skip(ModelCheck, "the bridge serves the model its browser tab has selected");
        return run.Result();
    }

    private static async Task<PreflightResult> OpenAiAsync(Run run, Probe probe, Uri baseUri, string? key)
    {
        var profile = run.Profile;
        var answer = await probe.GetAsync(baseUri + "/models").ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            return UnreachableAt(run, failure,
                "Start the server (for example: ollama serve) and check -BaseUri / OPENAI_BASE_URL.");
        }
        run.Pass(ReachableCheck, $"{Authority(baseUri)} answered");
        if (answer.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var variable = string.IsNullOrWhiteSpace(profile.ApiKeyVariable) ? "the key variable of the profile" : profile.ApiKeyVariable;
            return run.Fail(KeyCheck, key is null ? $"needed but {variable} is not set" : $"rejected (HTTP {(int)answer.Status})",
                $"The server at {Authority(baseUri)} refused access (HTTP {(int)answer.Status}).",
                key is null ? $"Set {variable} to the server's API key and try again." : $"Check that {variable} holds the server's API key.");
        }
        if (key is null) run.Skip(KeyCheck, "no key set (optional for this server)");
        else run.Pass(KeyCheck, $"{profile.ApiKeyVariable} is set");
        return ModelFromList(run, answer, requireList: false);
    }

    private static async Task<PreflightResult> ModelAsync(Run run, Probe probe, Uri baseUri, bool requireList)
    {
        if (!run.ModelGiven)
        {
            run.Skip(ModelCheck, "no model named; the server's default is used");
            return run.Result();
        }
        var answer = await probe.GetAsync(baseUri + "/models").ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            run.Skip(ModelCheck, $"could not list models ({failure})");
            return run.Result();
        }
        return ModelFromList(run, answer, requireList);
    }

    /// <summary>The model check from a models list answer. A 4xx is a failure when the list is required (OpenRouter);
    /// everything else that is not a usable list skips the check.</summary>
    private static PreflightResult ModelFromList(Run run, Answer answer, bool requireList)
    {
        if (!run.ModelGiven)
        {
            run.Skip(ModelCheck, "no model named; the server's default is used");
            return run.Result();
        }
        var code = (int)answer.Status;
        if (!answer.IsSuccess)
        {
            if (requireList && code is >= 400 and < 500)
            {
                return run.Fail(ModelCheck, $"GET /models answered HTTP {code}",
                    $"Backend '{run.Profile.Name}' refused to list its models (HTTP {code}), so model '{run.Model}' cannot be confirmed.",
                    "Check -BaseUri and the key, or pass -SkipPreflight to start anyway.");
            }
            run.Skip(ModelCheck, $"the server does not list models (HTTP {code})");
            return run.Result();
        }
        var ids = ReadModelIds(answer.Body);
        if (ids is null || ids.Count == 0)
        {
            run.Skip(ModelCheck, "the server lists no models");
            return run.Result();
        }
        if (ids.Any(id => ModelMatches(id, run.Model)))
        {
            run.Pass(ModelCheck, $"'{run.Model}' is listed");
            return run.Result();
        }
        var sample = string.Join(", ", ids.Take(5)) + (ids.Count > 5 ? $" (and {ids.Count - 5} more)" : "");
        var pull = run.Profile.Kind == OpenAiCompatibleBackend.OpenAiKind
            ? $"Pull or load it on the server (for Ollama: ollama pull {run.Model}), or pass -Model with one it lists: {sample}."
            : $"Pass -Model with a model id it lists, for example: {sample}.";
        return run.Fail(ModelCheck, $"'{run.Model}' is not listed",
            $"Backend '{run.Profile.Name}' does not know the model '{run.Model}' ({ids.Count} models listed).", pull);
    }

    /// <summary>Same id, or the same apart from a default tag (<c>llama3</c> is <c>llama3:latest</c>) or an
    /// OpenRouter variant suffix (<c>x/y:nitro</c> runs <c>x/y</c>).</summary>
    public static bool ModelMatches(string listed, string wanted)
    {
        if (string.Equals(listed, wanted, StringComparison.OrdinalIgnoreCase)) return true;
        if (string.Equals(listed, wanted + ":latest", StringComparison.OrdinalIgnoreCase)) return true;
        if (string.Equals(listed + ":latest", wanted, StringComparison.OrdinalIgnoreCase)) return true;
        var colon = wanted.LastIndexOf(':');
        return colon > 0 && wanted.Contains('/', StringComparison.Ordinal)
            && string.Equals(listed, wanted[..colon], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The bridge's health route: the base URL without its trailing <c>/v1</c>, plus <c>/health</c>.</summary>
    public static string HealthUri(Uri baseUri)
    {
        var text = baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (text.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
            text = text[..^3];
        return text + "/health";
    }

    private static PreflightResult UnreachableAt(Run run, string failure, string advice) =>
        run.Fail(ReachableCheck, failure,
            $"Backend '{run.Profile.Name}' at {run.BaseUrl} cannot be reached: {failure}.", advice);

    private static string Authority(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    private static string EndpointVariableHint(BackendProfile profile) =>
        SettingsBuilder.BaseUrlVariables.TryGetValue(profile.Kind, out var variable) ? $" / {variable}" : "";

    private static string? ReadKey(BackendProfile profile, IReadOnlyDictionary<string, string?> environment) =>
        string.IsNullOrWhiteSpace(profile.ApiKeyVariable) ? null
        : environment.TryGetValue(profile.ApiKeyVariable, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static bool? ReadBool(string body, string property)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(property, out var value)
                && value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? value.GetBoolean() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Model ids from an OpenAI-style list (<c>{"data":[{"id":...}]}</c>); null when the body is not one.</summary>
    private static List<string>? ReadModelIds(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                return null;
            var ids = new List<string>();
            foreach (var item in data.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                    && id.GetString() is { Length: > 0 } text)
                    ids.Add(text);
            }
            return ids;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What one GET gave: a status and body, or a failure described without the key.</summary>
    private sealed record Answer(HttpStatusCode Status, string Body, string? Failure)
    {
        public bool IsSuccess => Failure is null && (int)Status is >= 200 and < 300;
    }

    private sealed class Probe(HttpClient http, string? key, XSSettings settings, string kind, CancellationToken token, TimeSpan limit)
    {
        public async Task<Answer> GetAsync(string url)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.UserAgent.Add(new ProductInfoHeaderValue("XSArena", "0.1"));
                if (key is not null)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
                if (kind == OpenAiCompatibleBackend.OpenRouterKind)
                {
                    request.Headers.TryAddWithoutValidation("HTTP-Referer", settings.OpenRouterReferer);
                    request.Headers.TryAddWithoutValidation("X-Title", settings.OpenRouterTitle);
                }
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                var body = await ReadBodyAsync(response).ConfigureAwait(false);
                return new Answer(response.StatusCode, body, null);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return new Answer(0, "", $"no answer within {limit.TotalSeconds:0.#} s");
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return new Answer(0, "", Describe(ex));
            }
        }

        private async Task<string> ReadBodyAsync(HttpResponseMessage response)
        {
            var stream = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            using var reader = new StreamReader(stream);
            var text = new System.Text.StringBuilder();
            var buffer = new char[16 * 1024];
            int read;
            while (text.Length < MaxBodyChars && (read = await reader.ReadAsync(buffer.AsMemory(), token).ConfigureAwait(false)) > 0)
                text.Append(buffer, 0, read);
            return text.ToString();
        }

        /// <summary>The cause in a few words; exception messages carry no key, but keep them short anyway.</summary>
        private string Describe(Exception ex)
        {
            var inner = ex;
            while (inner.InnerException is not null) inner = inner.InnerException;
            var text = inner.Message.Trim().TrimEnd('.');
            if (key is not null && key.Length > 0)
                text = text.Replace(key, "***", StringComparison.Ordinal);
            return text.Length == 0 ? "network error" : text;
        }
    }

    /// <summary>Collects checks and builds the result.</summary>
    private sealed class Run(BackendProfile profile, string baseUrl, string model)
    {
        private readonly List<PreflightCheck> _checks = [];

        public BackendProfile Profile => profile;
        public string BaseUrl => baseUrl;
        public string Model => model;

        /// <summary>"default" (or nothing) means the server's own default model: nothing to look up.</summary>
        public bool ModelGiven => !string.IsNullOrWhiteSpace(model) && !string.Equals(model, "default", StringComparison.OrdinalIgnoreCase);

        public void Pass(string name, string detail) => Add(name, PreflightStatus.Passed, detail);

        public void Skip(string name, string detail) => Add(name, PreflightStatus.Skipped, detail);

        public PreflightResult Fail(string name, string detail, string problem, string advice)
        {
            Add(name, PreflightStatus.Failed, detail);
            return new PreflightResult(profile.Name, profile.Kind, baseUrl, model, false, _checks.ToArray(), problem, advice);
        }

        public PreflightResult Result() =>
            new(profile.Name, profile.Kind, baseUrl, model, true, _checks.ToArray(), null, null);

        private void Add(string name, PreflightStatus status, string detail)
        {
            _checks.RemoveAll(check => check.Name == name);
            _checks.Add(new PreflightCheck(name, status, detail));
        }
    }
}

/// <summary>A preflight said the backend cannot serve; <see cref="Result"/> says what is wrong and what to do.</summary>
public sealed class BackendNotReadyException(PreflightResult result) : InvalidOperationException(result.Message)
{
    public PreflightResult Result { get; } = result;

    /// <summary>Throws when <paramref name="result"/> is not Ok.</summary>
    public static void ThrowIfNotReady(PreflightResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.Ok) throw new BackendNotReadyException(result);
    }
}
