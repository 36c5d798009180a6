using System.Net;
using System.Net.Sockets;
using XSArena.Core.Backends;
using XSArena.Core.Settings;
using XSArena.FakeLlm;

namespace XSArena.Core.Tests.Backends;

/// <summary>The backend preflight against a real loopback fake server; each test owns its server.</summary>
public sealed class PreflightTests
{
    private const string KeyVariable = "XSA_PREFLIGHT_TEST_KEY";
    private const string Key = "sk-preflight-SECRET-1a2b3c4d";
    private const int TestTimeoutMs = 20000;

    private static readonly XSSettings Settings = new() { PreflightTimeout = TimeSpan.FromSeconds(5) };

    private static async Task<FakeLlmServer> StartAsync(FakeScript? script = null)
    {
        var server = new FakeLlmServer(script);
        await server.StartAsync();
        return server;
    }

    private static Dictionary<string, string?> Environment(bool withKey = true) =>
        new() { [KeyVariable] = withKey ? Key : null };

    private static Task<PreflightResult> CheckAsync(string kind, string baseUrl, string? model = null, bool withKey = true, XSSettings? settings = null)
    {
        var profile = new BackendProfile(kind, kind, baseUrl, KeyVariable, null);
        return Preflight.CheckAsync(profile, settings ?? Settings, Environment(withKey), model);
    }

    private static PreflightCheck Check(PreflightResult result, string name) => Assert.Single(result.Checks, c => c.Name == name);

    private static void NoKeyAnywhere(PreflightResult result)
    {
        Assert.DoesNotContain(Key, result.Problem ?? "");
        Assert.DoesNotContain(Key, result.Advice ?? "");
        Assert.DoesNotContain(Key, result.Message);
        Assert.All(result.Checks, c => Assert.DoesNotContain(Key, c.Detail));
    }

    /// <summary>A loopback port nobody listens on.</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Offline_is_always_ready()
    {
        var result = await Preflight.CheckAsync("offline", new XSSettings(), new Dictionary<string, string?>());
        Assert.True(result.Ok);
        Assert.Equal("offline", result.Kind);
        Assert.Null(result.Problem);
        Assert.All(result.Checks, c => Assert.NotEqual(PreflightStatus.Failed, c.Status));
    }

    [Fact]
    public async Task Unknown_backend_name_is_a_configuration_error()
    {
        var error = await Assert.ThrowsAsync<BackendException>(() => Preflight.CheckAsync("nope", new XSSettings(), new Dictionary<string, string?>()));
        Assert.Equal(BackendErrorCode.Configuration, error.Code);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OpenRouter_without_a_key_fails_naming_the_variable()
    {
        await using var server = await StartAsync();
        var result = await CheckAsync("openrouter", server.BaseUrl, withKey: false);

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.KeyCheck).Status);
        Assert.Contains(KeyVariable, result.Problem);
        Assert.Contains($"Set {KeyVariable}", result.Advice);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OpenRouter_key_rejected_with_401_is_a_key_failure_without_the_key_in_any_message()
    {
        await using var server = await StartAsync(new FakeScript { KeyStatus = 401 });
        var result = await CheckAsync("openrouter", server.BaseUrl, "fake-model");

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.ReachableCheck).Status);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.KeyCheck).Status);
        Assert.Contains("401", result.Problem);
        Assert.Contains(KeyVariable, result.Advice);
        NoKeyAnywhere(result);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OpenRouter_with_an_accepted_key_and_a_listed_model_is_ready()
    {
        await using var server = await StartAsync(new FakeScript { Models = ["openai/gpt-4o", "fake-model"] });
        var result = await CheckAsync("openrouter", server.BaseUrl, "openai/gpt-4o");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.KeyCheck).Status);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.ReachableCheck).Status);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.ModelCheck).Status);
        NoKeyAnywhere(result);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OpenRouter_unknown_model_fails_and_names_some_known_ones()
    {
        await using var server = await StartAsync(new FakeScript { Models = ["openai/gpt-4o", "anthropic/claude"] });
        var result = await CheckAsync("openrouter", server.BaseUrl, "openai/gpt-nope");

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.ModelCheck).Status);
        Assert.Contains("gpt-nope", result.Problem);
        Assert.Contains("openai/gpt-4o", result.Advice);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task OpenRouter_model_list_failing_with_5xx_skips_the_model_check()
    {
        await using var server = await StartAsync(new FakeScript { ModelsStatus = 503 });
        var result = await CheckAsync("openrouter", server.BaseUrl, "openai/gpt-4o");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(PreflightStatus.Skipped, Check(result, Preflight.ModelCheck).Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Bridge_with_a_connected_browser_is_ready()
    {
        await using var server = await StartAsync();
        var result = await CheckAsync("bridge", server.BaseUrl);

        Assert.True(result.Ok, result.Message);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.BrowserCheck).Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Bridge_without_a_connected_browser_says_to_open_the_tab()
    {
        await using var server = await StartAsync(new FakeScript { WsConnected = false });
        var result = await CheckAsync("bridge", server.BaseUrl);

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.ReachableCheck).Status);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.BrowserCheck).Status);
        Assert.Contains("userscript", result.Advice);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData("bridge", "bridge")]
    [InlineData("openai", "server")]
    [InlineData("openrouter", "network")]
    public async Task Unreachable_server_fails_the_reachable_check(string kind, string adviceWord)
    {
        var result = await CheckAsync(kind, $"http://127.0.0.1:{ClosedPort()}/v1", "some-model");

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.ReachableCheck).Status);
        Assert.Contains("cannot be reached", result.Problem);
        Assert.Contains(adviceWord, result.Advice);
        NoKeyAnywhere(result);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task A_server_that_never_answers_fails_within_the_preflight_timeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(); // accepts connections (backlog) but never answers
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var settings = new XSSettings { PreflightTimeout = TimeSpan.FromMilliseconds(500) };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = await CheckAsync("openai", $"http://127.0.0.1:{port}/v1", settings: settings);

        Assert.False(result.Ok);
        Assert.Contains("no answer within", Check(result, Preflight.ReachableCheck).Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Local_server_with_a_listed_model_is_ready()
    {
        await using var server = await StartAsync(new FakeScript { Models = ["llama3:latest", "qwen2"] });
        var result = await CheckAsync("openai", server.BaseUrl, "llama3");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(PreflightStatus.Passed, Check(result, Preflight.ModelCheck).Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Local_server_with_an_unknown_model_says_how_to_pull_it()
    {
        await using var server = await StartAsync(new FakeScript { Models = ["qwen2"] });
        var result = await CheckAsync("openai", server.BaseUrl, "mistral");

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.ModelCheck).Status);
        Assert.Contains("ollama pull mistral", result.Advice);
        Assert.Contains("qwen2", result.Advice);
    }

    [Theory(Timeout = TestTimeoutMs)]
    [InlineData(null, 404)]
    [InlineData(new string[0], null)]
    public async Task Local_server_that_cannot_list_models_does_not_fail_on_the_model(string[]? models, int? status)
    {
        await using var server = await StartAsync(new FakeScript { Models = models, ModelsStatus = status });
        var result = await CheckAsync("openai", server.BaseUrl, "mistral");

        Assert.True(result.Ok, result.Message);
        Assert.Equal(PreflightStatus.Skipped, Check(result, Preflight.ModelCheck).Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Default_model_is_not_looked_up()
    {
        await using var server = await StartAsync(new FakeScript { Models = ["qwen2"] });
        var result = await CheckAsync("openai", server.BaseUrl);

        Assert.True(result.Ok, result.Message);
        Assert.Equal("default", result.Model);
        Assert.Equal(PreflightStatus.Skipped, Check(result, Preflight.ModelCheck).Status);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Local_server_refusing_access_asks_for_the_key()
    {
        await using var server = await StartAsync(new FakeScript { ModelsStatus = 401 });
        var result = await CheckAsync("openai", server.BaseUrl, withKey: false);

        Assert.False(result.Ok);
        Assert.Equal(PreflightStatus.Failed, Check(result, Preflight.KeyCheck).Status);
        Assert.Contains(KeyVariable, result.Advice);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5102/v1", "http://127.0.0.1:5102/health")]
    [InlineData("http://127.0.0.1:5102/v1/", "http://127.0.0.1:5102/health")]
    [InlineData("http://host.test:8/bridge/v1", "http://host.test:8/bridge/health")]
    [InlineData("http://127.0.0.1:5102", "http://127.0.0.1:5102/health")]
    public void Health_route_drops_the_v1_suffix(string baseUrl, string expected) =>
        Assert.Equal(expected, Preflight.HealthUri(new Uri(baseUrl.TrimEnd('/'))));

    [Theory]
    [InlineData("llama3:latest", "llama3", true)]
    [InlineData("openai/gpt-4o", "openai/gpt-4o:nitro", true)]
    [InlineData("openai/gpt-4o", "openai/gpt-4o-mini", false)]
    [InlineData("qwen2", "QWEN2", true)]
    public void Model_matching_tolerates_default_tags_and_variants(string listed, string wanted, bool expected) =>
        Assert.Equal(expected, Preflight.ModelMatches(listed, wanted));
}
