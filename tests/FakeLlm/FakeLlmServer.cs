using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XSArena.FakeLlm;

/// <summary>Counters the fake server keeps. <see cref="Aborted"/> counts chat requests whose client closed the
/// connection before the server finished; <see cref="Completed"/> counts those the server finished (including
/// scripted errors and scripted disconnects).</summary>
public sealed record FakeStats(int Requests, int Active, int PeakActive, int Completed, int Aborted);

/// <summary>A received chat request as the control endpoint reports it. The key is never stored, only its
/// scheme and a SHA-256 of the token, so tests can check which key arrived.</summary>
public sealed record FakeRequestRecord(
    string? Model,
    bool Stream,
    string System,
    string User,
    IReadOnlyDictionary<string, string> Headers,
    string? AuthScheme,
    string? AuthTokenSha256);

/// <summary>An OpenAI-compatible fake LLM server on 127.0.0.1 speaking real HTTP/1.1, scriptable per request.</summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Lock _gate = new();
    private readonly List<FakeRequestRecord> _requests = [];
    private readonly Dictionary<string, int> _ruleUses = [];
    private FakeScript _script;
    private int _requestCount, _active, _peakActive, _completed, _aborted, _nextConnection;
    private Task? _acceptLoop;

    /// <param name="port">0 picks a free port.</param>
    public FakeLlmServer(FakeScript? script = null, int port = 0)
    {
        _script = script ?? FakeScript.Empty;
        _listener = new TcpListener(IPAddress.Loopback, port);
    }

    public int Port { get; private set; }

    /// <summary>For example http://127.0.0.1:5123/v1.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    /// <summary>The script; replacing it also forgets how often rules were used.</summary>
    public FakeScript Script
    {
        get { lock (_gate) return _script; }
        set
        {
            lock (_gate)
            {
                _script = value ?? FakeScript.Empty;
                _ruleUses.Clear();
            }
        }
    }

    public FakeStats Stats
    {
        get { lock (_gate) return new FakeStats(_requestCount, _active, _peakActive, _completed, _aborted); }
    }

    public IReadOnlyList<FakeRequestRecord> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    public Task StartAsync()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
        return Task.CompletedTask;
    }

    /// <summary>Clears counters, recorded requests and rule use counts.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _requests.Clear();
            _ruleUses.Clear();
            _requestCount = _peakActive = _completed = _aborted = 0;
            _peakActive = _active;
        }
    }

    /// <summary>Polls the stats until <paramref name="condition"/> holds or the timeout passes; returns the last stats.</summary>
    public async Task<FakeStats> WaitForStatsAsync(Func<FakeStats, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var stats = Stats;
            if (condition(stats) || DateTime.UtcNow >= deadline)
                return stats;
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
            await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections.Values).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            var id = Interlocked.Increment(ref _nextConnection);
            _connections[id] = Task.Run(async () =>
            {
                try { await HandleConnectionAsync(client).ConfigureAwait(false); }
                finally { _connections.TryRemove(id, out _); }
            });
        }
    }

    private async Task HandleConnectionAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        MiniHttpRequest? request;
        try
        {
            request = await MiniHttp.ReadRequestAsync(stream, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or FormatException or EndOfStreamException)
        {
            return;
        }
        if (request is null)
            return;

        using var clientGone = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var watcher = WatchForCloseAsync(stream, clientGone);
        try
        {
            await RouteAsync(request, client, stream, clientGone).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            // Graceful close: send FIN and let the client close its side, so it never sees a reset before it
            // has read the whole response.
            try { client.Client.Shutdown(SocketShutdown.Send); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
            if (!_stopping.IsCancellationRequested)
                await Task.WhenAny(watcher, Task.Delay(2000)).ConfigureAwait(false);
            client.Client.Close();
            await watcher.ConfigureAwait(false);
        }
    }

    /// <summary>The client sends nothing after its request, so a completed read means it closed the connection.</summary>
    private static async Task WatchForCloseAsync(Stream stream, CancellationTokenSource clientGone)
    {
        var buffer = new byte[256];
        try
        {
            while (await stream.ReadAsync(buffer, clientGone.Token).ConfigureAwait(false) > 0) { }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        try { await clientGone.CancelAsync().ConfigureAwait(false); }
        catch (ObjectDisposedException) { }
    }

    private async Task RouteAsync(MiniHttpRequest request, TcpClient client, Stream stream, CancellationTokenSource clientGone)
    {
        var token = clientGone.Token;
        var path = request.Path.TrimEnd('/');
        switch (request.Method, path)
        {
            case ("POST", "/v1/chat/completions" or "/chat/completions"):
                await ChatAsync(request, client, stream, clientGone).ConfigureAwait(false);
                return;
            case ("GET", "/v1/models" or "/models"):
                if (Script.ModelsStatus is { } modelsStatus and not 200)
                {
                    await Json(stream, modelsStatus, JsonSerializer.Serialize(new { error = new { code = modelsStatus, message = "models unavailable" } }), token).ConfigureAwait(false);
                    return;
                }
                var models = (Script.Models ?? ["fake-model"]).Select(id => new { id, @object = "model", owned_by = "fake" });
                await Json(stream, 200, JsonSerializer.Serialize(new { @object = "list", data = models }), token).ConfigureAwait(false);
                return;
            case ("GET", "/health" or "/v1/health"):
                await Json(stream, 200, Script.WsConnected == false ? """{"status":"ok","ws_connected":false}""" : """{"status":"ok","ws_connected":true}""", token).ConfigureAwait(false);
                return;
            case ("GET", "/v1/key" or "/key"):
                var keyStatus = Script.KeyStatus ?? (request.Headers.ContainsKey("Authorization") ? 200 : 401);
                await Json(stream, keyStatus, keyStatus == 200
                    ? """{"data":{"label":"fake","limit":null,"usage":0,"is_free_tier":false}}"""
                    : JsonSerializer.Serialize(new { error = new { code = keyStatus, message = "No auth credentials found" } }), token).ConfigureAwait(false);
                return;
            case ("GET", "/_stats"):
                await Json(stream, 200, JsonSerializer.Serialize(Stats, JsonOptions), token).ConfigureAwait(false);
                return;
            case ("GET", "/_requests"):
                await Json(stream, 200, JsonSerializer.Serialize(Requests, JsonOptions), token).ConfigureAwait(false);
                return;
            case ("POST", "/_script"):
                FakeScript script;
                try { script = FakeScript.Parse(request.BodyText); }
                catch (JsonException ex)
                {
                    await Json(stream, 400, JsonSerializer.Serialize(new { error = new { code = 400, message = ex.Message } }), token).ConfigureAwait(false);
                    return;
                }
                Script = script;
                await Json(stream, 200, """{"ok":true}""", token).ConfigureAwait(false);
                return;
            case ("POST", "/_reset"):
                Reset();
                await Json(stream, 200, """{"ok":true}""", token).ConfigureAwait(false);
                return;
            default:
                await Json(stream, 404, """{"error":{"code":404,"message":"not found"}}""", token).ConfigureAwait(false);
                return;
        }
    }

    private async Task ChatAsync(MiniHttpRequest http, TcpClient client, Stream stream, CancellationTokenSource clientGone)
    {
        var info = ParseChat(http.BodyText);
        FakeReply reply;
        lock (_gate)
        {
            _requests.Add(Record(info, http.Headers));
            _requestCount++;
            _active++;
            _peakActive = Math.Max(_peakActive, _active);
            reply = Resolve(info);
        }

        var finished = false;
        try
        {
            await new FakeResponder(info, reply, client, stream, clientGone.Token).RunAsync().ConfigureAwait(false);
            finished = true;
        }
        finally
        {
            lock (_gate)
            {
                _active--;
                if (finished || _stopping.IsCancellationRequested) _completed++;
                else _aborted++;
            }
        }
    }

    /// <summary>First matching rule wins; a rule with <c>times</c> applies that often per identical request content.</summary>
    private FakeReply Resolve(FakeRequestInfo info)
    {
        var contentKey = Sha256(info.System + "\u0000" + info.User);
        for (var i = 0; i < _script.Rules.Count; i++)
        {
            var rule = _script.Rules[i];
            if (rule.Match is not null && !rule.Match.Matches(info))
                continue;
            if (rule.Times is { } times)
            {
                var key = $"{i}|{contentKey}";
                var used = _ruleUses.GetValueOrDefault(key);
                if (used >= times)
                    continue;
                _ruleUses[key] = used + 1;
            }
            return rule.Reply.Over(_script.Default);
        }
        return _script.Default ?? new FakeReply();
    }

    private static FakeRequestInfo ParseChat(string body)
    {
        string? model = null;
        var stream = false;
        var system = new StringBuilder();
        var user = "";
        try
        {
            var root = JsonNode.Parse(body) as JsonObject;
            model = root?["model"]?.GetValueKind() == JsonValueKind.String ? root["model"]!.GetValue<string>() : null;
            stream = root?["stream"]?.GetValueKind() == JsonValueKind.True;
            foreach (var message in root?["messages"] as JsonArray ?? [])
            {
                var role = message?["role"]?.ToString();
                var content = ContentText(message?["content"]);
                if (role is "system" or "developer") system.Append(system.Length > 0 ? "\n" : "").Append(content);
                else if (role == "user") user = content;
            }
        }
        catch (JsonException)
        {
        }
        var (part, pass) = FakeReplyText.ParsePartAndPass(user);
        return new FakeRequestInfo(model, stream, system.ToString(), user, part, pass);
    }

    private static string ContentText(JsonNode? content) => content switch
    {
        null => "",
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.ToString() ?? "")),
        _ => content.GetValueKind() == JsonValueKind.String ? content.GetValue<string>() : content.ToJsonString(),
    };

    private static FakeRequestRecord Record(FakeRequestInfo info, IReadOnlyDictionary<string, string> headers)
    {
        string? scheme = null, tokenHash = null;
        if (headers.TryGetValue("Authorization", out var authorization))
        {
            var space = authorization.IndexOf(' ');
            scheme = space < 0 ? authorization : authorization[..space];
            tokenHash = space < 0 ? null : Sha256(authorization[(space + 1)..].Trim());
        }
        var kept = headers
            .Where(h => !h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value);
        return new FakeRequestRecord(info.Model, info.Stream, info.System, info.User, kept, scheme, tokenHash);
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static Task Json(Stream stream, int status, string body, CancellationToken token) =>
        MiniHttp.WriteFullAsync(stream, status, "application/json", body, null, token);
}
