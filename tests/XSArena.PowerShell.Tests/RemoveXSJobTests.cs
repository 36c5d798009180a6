using System.Management.Automation;
using XSArena.Core.Store;
using XSArena.FakeLlm;
using CoreState = XSArena.Core.Jobs.JobState;

namespace XSArena.PowerShell.Tests;

public sealed class RemoveXSJobTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    private StoredJob Job(string name, TimeSpan ago, CoreState state = CoreState.Done) => StoredJobs.Write(_host.Root, name, ago, state);

    private string[] Remaining() => [.. _host.Invoke("Get-XSJob | ForEach-Object Name").Select(o => (string)o.BaseObject).Order()];

    [Fact]
    public void OlderThan_30_means_30_days_and_removes_exactly_the_older_jobs()
    {
        var old = Job("old", TimeSpan.FromDays(31));
        Job("older", TimeSpan.FromDays(45), CoreState.Failed);
        Job("young", TimeSpan.FromDays(29));
        Job("fresh", TimeSpan.FromHours(1));

        _host.Invoke(out var errors, "Remove-XSJob -OlderThan 30 -Confirm:$false");
        Assert.Empty(errors);
        Assert.Equal(["fresh", "young"], Remaining());
        Assert.False(Directory.Exists(old.Folder));
        Assert.True(File.Exists(old.OutputPath), "books stay unless -IncludeOutput");
    }

    [Theory]
    [InlineData("'12:00:00'")]
    [InlineData("0.5")]
    [InlineData("'0.5'")]
    [InlineData("'0.12:00:00'")]
    [InlineData("([TimeSpan]'12:00:00')")]
    public void OlderThan_reads_half_a_day_in_every_form(string argument)
    {
        Job("thirteen hours", TimeSpan.FromHours(13));
        Job("eleven hours", TimeSpan.FromHours(11));
        _host.Invoke(out var errors, $"Remove-XSJob -OlderThan {argument} -Confirm:$false");
        Assert.Empty(errors);
        Assert.Equal(["eleven hours"], Remaining());
    }

    [Fact]
    public void OlderThan_under_a_minute_is_refused_as_text_but_taken_as_a_TimeSpan()
    {
        Job("two minutes", TimeSpan.FromMinutes(2));
        var error = _host.InvokeExpectingTerminatingError("Remove-XSJob -OlderThan '00:00:30' -Confirm:$false");
        Assert.Contains("under a minute", error.Exception.Message);
        error = _host.InvokeExpectingTerminatingError("Remove-XSJob -OlderThan 0 -Confirm:$false");
        Assert.Contains("under a minute", error.Exception.Message);
        Assert.Equal(["two minutes"], Remaining());

        _host.Invoke(out var errors, "Remove-XSJob -OlderThan ([TimeSpan]'00:00:30') -Confirm:$false");
        Assert.Empty(errors);
        Assert.Empty(Remaining());
    }

    [Fact]
    public void OlderThan_selects_the_same_jobs_under_other_cultures()
    {
        Job("old", TimeSpan.FromDays(31));
        Job("young", TimeSpan.FromDays(29));
        _host.Invoke(out var errors, """
            $saved = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = 'de-DE'
                Remove-XSJob -OlderThan '30.00:00:00' -WhatIf
                Remove-XSJob -OlderThan 0.5 -State FAILED -Confirm:$false
                [cultureinfo]::CurrentCulture = 'ar-SA'
                Remove-XSJob -OlderThan '30' -Confirm:$false
            } finally { [cultureinfo]::CurrentCulture = $saved }
            """);
        Assert.Empty(errors);
        Assert.Equal(["young"], Remaining());
    }

    [Fact]
    public void State_narrows_the_selection()
    {
        Job("old done", TimeSpan.FromDays(40));
        Job("old failed", TimeSpan.FromDays(40), CoreState.Failed);
        _host.Invoke(out var errors, "Remove-XSJob -OlderThan 30 -State FAILED, cancelled -Confirm:$false");
        Assert.Empty(errors);
        Assert.Equal(["old done"], Remaining());
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        var job = Job("kept", TimeSpan.FromDays(40));
        _host.Invoke(out var errors, "Remove-XSJob -OlderThan 30 -IncludeOutput -WhatIf; Remove-XSJob $args[0] -WhatIf", job.InstanceId);
        Assert.Empty(errors);
        Assert.True(File.Exists(Path.Combine(job.Folder, JobFile.FileName)));
        Assert.True(File.Exists(job.OutputPath));
        Assert.Equal(["kept"], Remaining());
    }

    [Fact]
    public void Removing_by_id_says_what_it_removed_and_PassThru_returns_it()
    {
        var job = Job("named", TimeSpan.FromDays(2));
        var output = _host.Invoke("Remove-XSJob $args[0] -Confirm:$false -PassThru 6>&1", job.InstanceId);
        var info = Assert.Single(output, o => o.BaseObject is InformationRecord).BaseObject as InformationRecord;
        Assert.Contains("PSHOST", info!.Tags);
        Assert.Contains("'named'", info.MessageData.ToString());
        var removed = Assert.Single(output, o => o.BaseObject is JobDeletionResult).BaseObject as JobDeletionResult;
        Assert.Equal(job.InstanceId, removed!.InstanceId);
        Assert.Equal("named", removed.Name);
        Assert.False(Directory.Exists(job.Folder));
        Assert.Null(_host.Invoke("Get-Job -InstanceId $args[0] -ErrorAction SilentlyContinue", job.InstanceId).FirstOrDefault());
    }

    [Fact]
    public void IncludeOutput_deletes_the_book_as_well()
    {
        var job = Job("with book", TimeSpan.FromDays(2));
        _host.Invoke(out var errors, "Get-XSJob | Remove-XSJob -IncludeOutput -Confirm:$false");
        Assert.Empty(errors);
        Assert.False(File.Exists(job.OutputPath));
        Assert.False(Directory.Exists(job.Folder));
    }

    [Fact]
    public void Live_jobs_are_refused_without_Force()
    {
        var pending = Job("waiting", TimeSpan.FromDays(40), CoreState.Pending);
        _host.Invoke(out var errors, "Remove-XSJob -OlderThan 30 -Confirm:$false");
        Assert.StartsWith("JobIsLive", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.Contains("-Force", errors[0].Exception.Message);
        Assert.True(Directory.Exists(pending.Folder));

        // Nobody runs it (no lease held), so -Force needs no stop.
        _host.Invoke(out errors, "Remove-XSJob $args[0] -Force -Confirm:$false", pending.InstanceId);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(pending.Folder));
    }

    [Fact]
    public void A_job_whose_runner_does_not_answer_the_stop_is_refused_even_with_Force()
    {
        // The leases below are held by nobody that reads requests, so the stop is never acknowledged.
        Environment.SetEnvironmentVariable("XSARENA_CONTROL_TIMEOUT_SECONDS", "1");
        try { RemoveWithUnansweredStop(); }
        finally { Environment.SetEnvironmentVariable("XSARENA_CONTROL_TIMEOUT_SECONDS", null); }
    }

    private void RemoveWithUnansweredStop()
    {
        var running = Job("run elsewhere", TimeSpan.FromDays(40), CoreState.Running);
        var finished = Job("finishing elsewhere", TimeSpan.FromDays(40));
        using var lease1 = RunnerLease.TryAcquire(running.Folder, DateTimeOffset.UtcNow);
        using var lease2 = RunnerLease.TryAcquire(finished.Folder, DateTimeOffset.UtcNow);

        _host.Invoke(out var errors, "Remove-XSJob -OlderThan 30 -Force -Confirm:$false");
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("JobIsLive", e.FullyQualifiedErrorId));
        Assert.True(File.Exists(Path.Combine(running.Folder, JobFile.FileName)));
        Assert.True(File.Exists(Path.Combine(finished.Folder, JobFile.FileName)));
    }

    [Fact]
    public async Task Force_stops_a_job_this_session_runs_then_removes_it()
    {
        await using var server = new FakeLlmServer(FakeScript.Always(new FakeReply { Events = 400, EventDelayMs = 50 }));
        await server.StartAsync();
        var job = (XSJob)_host.Invoke("Start-XSBook 'Busy' -Backend openai -BaseUri $args[0]", server.BaseUrl).Single().BaseObject;
        await server.WaitForStatsAsync(s => s.Active == 1, TimeSpan.FromSeconds(30));

        _host.Invoke(out var errors, "Remove-XSJob $args[0] -Confirm:$false", job.InstanceId);
        Assert.StartsWith("JobIsLive", Assert.Single(errors).FullyQualifiedErrorId);
        Assert.True(Directory.Exists(job.Folder));

        _host.Invoke(out errors, "$args[0] | Remove-XSJob -Force -Confirm:$false", job);
        Assert.Empty(errors);
        Assert.Equal("CANCELLED", job.XSState);
        Assert.False(Directory.Exists(job.Folder));
    }

    [Fact]
    public void Dot_dot_and_paths_are_errors_that_delete_nothing()
    {
        var job = Job("innocent", TimeSpan.FromDays(400));
        foreach (var hostile in new[] { "'..'", "'../..'", "$args[0]" })
        {
            var error = _host.InvokeExpectingTerminatingError($"Remove-XSJob {hostile} -Force -IncludeOutput -Confirm:$false", _host.Root);
            Assert.Contains("Cannot bind parameter", error.Exception.Message);
        }
        Assert.True(File.Exists(Path.Combine(job.Folder, JobFile.FileName)));
        Assert.True(File.Exists(job.OutputPath));
        Assert.True(Directory.Exists(Path.Combine(_host.Root, ".xsarena")));
    }

    [Fact]
    public void Without_jobs_or_an_age_it_is_an_error()
    {
        Job("still here", TimeSpan.FromDays(400));
        var error = _host.InvokeExpectingTerminatingError("Remove-XSJob -Confirm:$false");
        Assert.StartsWith("NoJobsNamed", error.FullyQualifiedErrorId);
        Assert.Equal(["still here"], Remaining());
    }

    [Fact]
    public void State_cannot_be_used_without_OlderThan()
    {
        var job = Job("x", TimeSpan.FromDays(1));
        var error = _host.InvokeExpectingTerminatingError("Remove-XSJob -InstanceId $args[0] -State DONE -Confirm:$false", job.InstanceId);
        Assert.Contains("Parameter set", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(Directory.Exists(job.Folder));
    }

    [Fact]
    public void Remove_Job_goes_through_the_same_removal()
    {
        var job = Job("built-in", TimeSpan.FromDays(1));
        using var lease = RunnerLease.TryAcquire(job.Folder, DateTimeOffset.UtcNow);
        _host.Invoke(out var errors, "Get-XSJob | Out-Null; Remove-Job -InstanceId $args[0]", job.InstanceId);
        Assert.Contains("being run by another process", Assert.Single(errors).Exception.Message);
        Assert.True(File.Exists(Path.Combine(job.Folder, JobFile.FileName)));
        lease!.Dispose();
        _host.Invoke(out errors, "Remove-Job -InstanceId $args[0]", job.InstanceId);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(job.Folder));
        Assert.True(File.Exists(job.OutputPath));
    }
}
