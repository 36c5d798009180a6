using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using XSArena.Core.Backends;
using XSArena.Core.Store;
using XSArena.FakeLlm;

namespace XSArena.PowerShell.Tests;

/// <summary>Test-XSBackend, and the preflight that Start-XSBook and Resume-XSJob run unless -SkipPreflight.</summary>
public sealed class PreflightCmdletTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    /// <summary>A loopback URL nobody listens on.</summary>
    private static string ClosedUrl()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/v1";
    }

    private static async Task<FakeLlmServer> StartServerAsync(FakeScript? script = null)
    {
        var server = new FakeLlmServer(script);
        await server.StartAsync();
        return server;
    }

    private int JobFolderCount()
    {
        var folder = ProjectRoot.JobsFolder(_host.Root);
        return Directory.Exists(folder) ? Directory.GetDirectories(folder).Length : 0;
    }

    [Fact]
    public void Test_XSBackend_offline_returns_a_ready_result_object()
    {
        var result = Assert.IsType<PreflightResult>(Assert.Single(_host.Invoke("Test-XSBackend offline")).BaseObject);
        Assert.True(result.Ok);
        Assert.Equal("offline", result.Backend);
        Assert.Null(result.Problem);
    }

    [Fact]
    public async Task Test_XSBackend_against_a_live_server_is_ok_and_an_unknown_model_is_not()
    {
        await using var server = await StartServerAsync(new FakeScript { Models = ["fake-model"] });
        var ok = (PreflightResult)_host.Invoke("Test-XSBackend openai -BaseUri $args[0] -Model fake-model", server.BaseUrl).Single().BaseObject;
        Assert.True(ok.Ok, ok.Message);
        Assert.Equal(server.BaseUrl, ok.BaseUrl.TrimEnd('/'));
        Assert.Contains(ok.Checks, c => c.Name == "model" && c.Status == PreflightStatus.Passed);

        var unknown = (PreflightResult)_host.Invoke("Test-XSBackend -Backend openai -BaseUri $args[0] -Model other", server.BaseUrl).Single().BaseObject;
        Assert.False(unknown.Ok);
        Assert.Contains("ollama pull other", unknown.Advice);
    }

    [Fact]
    public async Task Test_XSBackend_reports_a_bridge_without_a_browser()
    {
        await using var server = await StartServerAsync(new FakeScript { WsConnected = false });
        var result = (PreflightResult)_host.Invoke("Test-XSBackend bridge -BaseUri $args[0]", server.BaseUrl).Single().BaseObject;
        Assert.False(result.Ok);
        Assert.Contains(result.Checks, c => c.Name == "browser" && c.Status == PreflightStatus.Failed);
    }

    [Fact]
    public async Task Test_XSBackend_reports_a_missing_OpenRouter_key_by_its_variable()
    {
        await using var server = await StartServerAsync();
        var saved = Environment.GetEnvironmentVariable("OPENROUTER_API_KEY");
        Environment.SetEnvironmentVariable("OPENROUTER_API_KEY", null);
        try
        {
            var result = (PreflightResult)_host.Invoke("Test-XSBackend openrouter -BaseUri $args[0]", server.BaseUrl).Single().BaseObject;
            Assert.False(result.Ok);
            Assert.Contains("OPENROUTER_API_KEY", result.Advice);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENROUTER_API_KEY", saved);
        }
    }

    [Fact]
    public void Test_XSBackend_with_an_unknown_name_writes_an_error()
    {
        Assert.Empty(_host.Invoke(out var errors, "Test-XSBackend nope"));
        Assert.StartsWith("InvalidBackend", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Start_XSBook_fails_fast_with_BackendNotReady_and_creates_no_job_when_the_server_is_down()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'Nowhere' -Backend openai -BaseUri $args[0] -Chunks 1", ClosedUrl());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");

        Assert.StartsWith("BackendNotReady", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Contains("cannot be reached", error.Exception.Message);
        Assert.Contains("-BaseUri", error.Exception.Message);
        Assert.Empty(_host.Invoke("Get-XSJob"));
        Assert.Equal(0, JobFolderCount());
    }

    [Fact]
    public async Task Start_XSBook_refuses_an_unknown_model_and_runs_a_known_one()
    {
        await using var server = await StartServerAsync(new FakeScript { Models = ["fake-model"], Default = new FakeReply { Events = 3 } });
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'Wrong Model' -Backend openai -BaseUri $args[0] -Model missing -Chunks 1", server.BaseUrl);
        Assert.StartsWith("BackendNotReady", error.FullyQualifiedErrorId);
        Assert.Contains("missing", error.Exception.Message);
        Assert.Equal(0, JobFolderCount());

        var job = (XSJob)_host.Invoke("Start-XSBook 'Right Model' -Backend openai -BaseUri $args[0] -Model fake-model -Chunks 1 -MinChars 10 -Wait", server.BaseUrl)
            .Single().BaseObject;
        Assert.Equal("DONE", job.XSState);
    }

    [Fact]
    public void Start_XSBook_SkipPreflight_creates_the_job_and_it_fails_at_run_time()
    {
        var result = _host.Invoke(out var errors, "Start-XSBook 'Skipped' -Backend openai -BaseUri $args[0] -Chunks 1 -Wait -SkipPreflight", ClosedUrl());
        var job = (XSJob)Assert.Single(result).BaseObject;
        Assert.Equal("FAILED", job.XSState);
        Assert.StartsWith("XSJobFailed", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Equal(1, JobFolderCount());
    }

    [Fact]
    public void Resume_XSJob_checks_the_backend_before_running_here_and_SkipPreflight_runs_anyway()
    {
        var job = (XSJob)_host.Invoke("Start-XSBook 'Down' -Backend openai -BaseUri $args[0] -Chunks 1 -Wait -SkipPreflight -ErrorAction SilentlyContinue", ClosedUrl())
            .Single().BaseObject;
        Assert.Equal("FAILED", job.XSState);
        var eventsBefore = _host.Invoke("Get-XSJobEvent $args[0]", job.InstanceId).Count;

        _host.Invoke(out var errors, "Resume-XSJob $args[0]", job.InstanceId);
        var error = Assert.Single(errors);
        Assert.StartsWith("BackendNotReady", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Equal("FAILED", _host.Invoke("(Get-XSJob $args[0]).State", job.InstanceId).Single().BaseObject);
        Assert.Equal(eventsBefore, _host.Invoke("Get-XSJobEvent $args[0]", job.InstanceId).Count);

        var verbose = _host.Invoke(out errors, "Resume-XSJob $args[0] -SkipPreflight -Verbose 4>&1 | ForEach-Object { \"$_\" }", job.InstanceId);
        Assert.Empty(errors);
        Assert.Contains(verbose, line => line.ToString().Contains("resumed in this session", StringComparison.Ordinal));
        _host.Invoke("Get-XSJob $args[0] | Wait-Job -Timeout 30", job.InstanceId);
    }
}
