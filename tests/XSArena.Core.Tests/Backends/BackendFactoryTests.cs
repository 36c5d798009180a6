using System.Diagnostics;
using XSArena.Core.Backends;
using XSArena.Core.Settings;

namespace XSArena.Core.Tests.Backends;

public sealed class BackendFactoryTests
{
    private static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    [Fact]
    public void Retry_knobs_default_and_come_from_the_environment()
    {
        var defaults = SettingsBuilder.Build(new Dictionary<string, string?>());
        Assert.Equal(4, defaults.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(2), defaults.BackoffBase);
        Assert.Equal(TimeSpan.FromSeconds(60), defaults.BackoffCap);
        Assert.Equal(TimeSpan.FromSeconds(120), defaults.RetryAfterCap);
        Assert.Empty(defaults.FallbackBackends);

        var set = SettingsBuilder.Build(new Dictionary<string, string?>
        {
            [SettingsBuilder.MaxRetriesVariable] = "0",
            [SettingsBuilder.FallbackVariable] = "openrouter, offline",
        });
        Assert.Equal(0, set.MaxRetries);
        Assert.Equal(["openrouter", "offline"], set.FallbackBackends);
        Assert.Throws<ArgumentException>(() => SettingsBuilder.Build(new Dictionary<string, string?> { [SettingsBuilder.MaxRetriesVariable] = "-1" }));
    }

    [Fact]
    public void Offline_name_gives_the_offline_backend()
    {
        var backend = BackendFactory.Create("offline", new XSSettings(), NoEnvironment);
        Assert.IsType<OfflineBackend>(backend);
        Assert.Equal("offline", backend.Name);
    }

    [Fact]
    public void Unknown_name_is_a_configuration_error_listing_known_names()
    {
        var error = Assert.Throws<BackendException>(() => BackendFactory.Create("nope", new XSSettings(), NoEnvironment));
        Assert.Equal(BackendErrorCode.Configuration, error.Code);
        Assert.Contains("bridge", error.Message);
        Assert.Contains("openrouter", error.Message);
    }

    [Fact]
    public void Missing_OpenRouter_key_names_the_variable()
    {
        var error = Assert.Throws<BackendException>(() => BackendFactory.Create("openrouter", new XSSettings(), NoEnvironment));
        Assert.Equal(BackendErrorCode.Configuration, error.Code);
        Assert.Contains("OPENROUTER_API_KEY", error.Message);
    }

    [Theory]
    [InlineData("bridge", "XSA_BRIDGE_URL")]
    [InlineData("openrouter", "OPENROUTER_BASE_URL")]
    [InlineData("openai", "OPENAI_BASE_URL")]
    public void Base_url_comes_from_parameter_then_environment_then_profile(string name, string variable)
    {
        var environment = new Dictionary<string, string?> { [variable] = "http://127.0.0.1:7001/v1", ["OPENROUTER_API_KEY"] = "k" };
        var settings = SettingsBuilder.Build(environment);

        var fromEnvironment = (OpenAiCompatibleBackend)BackendFactory.Create(name, settings, environment);
        Assert.Equal("http://127.0.0.1:7001/v1", fromEnvironment.BaseUri.ToString().TrimEnd('/'));

        var fromParameter = (OpenAiCompatibleBackend)BackendFactory.Create(name, settings, environment, baseUrlOverride: "http://127.0.0.1:7002/v1/");
        Assert.Equal("http://127.0.0.1:7002/v1", fromParameter.BaseUri.ToString().TrimEnd('/'));

        environment.Remove(variable);
        var defaults = SettingsBuilder.Build(environment);
        var fromProfile = (OpenAiCompatibleBackend)BackendFactory.Create(name, defaults, environment);
        Assert.Equal(new XSSettings().Backends[name].BaseUrl, fromProfile.BaseUri.ToString().TrimEnd('/'));
    }

    [Fact]
    public void Model_is_override_then_profile_then_default()
    {
        var settings = new XSSettings { DefaultModel = "house-model" };
        Assert.Equal("m1", BackendFactory.ResolveModel("openrouter", settings, "m1"));
        Assert.Equal("openai/gpt-4o", BackendFactory.ResolveModel("openrouter", settings));
        Assert.Equal("house-model", BackendFactory.ResolveModel("bridge", settings));
        Assert.Equal("house-model", BackendFactory.ResolveModel("BRIDGE", settings));
    }

    [Fact]
    public void Bad_base_url_is_a_configuration_error()
    {
        var error = Assert.Throws<BackendException>(() => BackendFactory.Create("bridge", new XSSettings(), NoEnvironment, baseUrlOverride: "not a url"));
        Assert.Equal(BackendErrorCode.Configuration, error.Code);
    }

    [Fact(Timeout = 30000)]
    public async Task Fake_server_exe_prints_its_address_first_and_exits_when_stdin_closes()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "FakeLlm.dll");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var first = await process.StandardOutput.ReadLineAsync(cts.Token);
            Assert.Matches(@"^listening http://127\.0\.0\.1:\d+/v1$", first);

            using var http = new HttpClient();
            var health = await http.GetStringAsync(first!["listening ".Length..].Replace("/v1", "/health"), cts.Token);
            Assert.Contains("\"ws_connected\":true", health);

            process.StandardInput.Close();
            await process.WaitForExitAsync(cts.Token);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
