using System.Diagnostics;
using System.Management.Automation;
using XSArena.Core.Scheduling;
using XSArena.Core.Settings;

namespace XSArena.PowerShell.Tests;

/// <summary>A started job with no free slot waits PENDING, Get-XSJob says why, Set-XSJob reorders it, and it
/// starts by itself when the slot frees.</summary>
public sealed class SchedulingCmdletTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_job_without_a_slot_waits_shows_why_takes_a_new_priority_and_then_runs()
    {
        var scheduler = new SlotScheduler(_host.Root, new ConcurrencyLimits(1, new Dictionary<string, int>()), QuietHours.Default);
        var holder = await scheduler.AcquireAsync(new SlotRequest(Guid.NewGuid(), 0, "offline"), null, default);

        var job = (XSJob)_host.Invoke("Start-XSBook 'Waiting Book' -Backend offline -Chunks 1 -SkipPreflight").Single().BaseObject;
        var watch = Stopwatch.StartNew();
        XSJob seen;
        while (true)
        {
            seen = (XSJob)_host.Invoke("Get-XSJob $args[0]", job.InstanceId).Single().BaseObject;
            if (seen.WaitReason is not null) break;
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), "the job never showed it waits");
            await Task.Delay(20);
        }
        Assert.Equal("PENDING", seen.XSState);
        Assert.Equal("slot", seen.WaitReason);
        Assert.Equal(1, seen.QueuePosition);
        Assert.Equal("PENDING slot #1", seen.StatusMessage);

        _host.Invoke("Set-XSJob $args[0] -Priority 4", job.InstanceId);
        await Task.Delay(200);
        holder.Dispose();

        var done = (XSJob)_host.Invoke("Wait-Job -Id $args[0] -Timeout 60 | Out-Null; Get-XSJob $args[1]", job.Id, job.InstanceId).Single().BaseObject;
        Assert.Equal("DONE", done.XSState);
        Assert.Null(done.WaitReason);
        Assert.Equal(4, done.Priority);
    }

    [Fact]
    public void A_finished_job_keeps_its_priority_and_the_user_is_told_why_while_a_failed_one_takes_it()
    {
        var done = StoredJobs.Write(_host.Root, "Finished Book", TimeSpan.FromDays(1));
        var failed = StoredJobs.Write(_host.Root, "Failed Book", TimeSpan.FromDays(1), Core.Jobs.JobState.Failed);
        var doneFile = Path.Combine(done.Folder, "job.json");
        var before = File.ReadAllText(doneFile);

        var output = _host.Invoke("Set-XSJob $args -Priority 9 -PassThru 3>&1", done.InstanceId, failed.InstanceId);

        var warning = (WarningRecord)Assert.Single(output, item => item.BaseObject is WarningRecord).BaseObject;
        Assert.Contains("'Finished Book' is DONE", warning.Message);
        Assert.Equal(before, File.ReadAllText(doneFile));
        var jobs = output.Select(item => item.BaseObject).OfType<XSJob>().ToDictionary(job => job.Name);
        Assert.NotEqual(9, jobs["Finished Book"].Priority);
        Assert.Equal(9, jobs["Failed Book"].Priority);
    }
}
