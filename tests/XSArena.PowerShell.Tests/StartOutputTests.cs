using System.Management.Automation;

namespace XSArena.PowerShell.Tests;

/// <summary>Start-XSBook against a book or job that already exists at its output.</summary>
public sealed class StartOutputTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    private XSJob Start(string extra = "") =>
        (XSJob)_host.Invoke($"Start-XSBook 'Same Book' -Backend offline -Chunks 2 -Wait {extra}").Single().BaseObject;

    [Fact]
    public void A_finished_book_is_never_appended_to()
    {
        var first = Start();
        var before = File.ReadAllBytes(first.OutFile);
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'Same Book' -Backend offline -Chunks 2 -Wait");
        Assert.StartsWith("InvalidBookRequest", error.FullyQualifiedErrorId);
        Assert.Contains("-Overwrite", error.Exception.Message);
        Assert.Contains(first.InstanceId.ToString(), error.Exception.Message);
        Assert.Contains($"'{first.OutFile}'", error.Exception.Message);
        Assert.Equal(before, File.ReadAllBytes(first.OutFile));
        Assert.Single(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void Overwrite_moves_the_old_book_aside_and_starts_a_new_job()
    {
        var first = Start();
        var before = File.ReadAllBytes(first.OutFile);
        var second = Start("-Overwrite");
        Assert.NotEqual(first.InstanceId, second.InstanceId);
        Assert.Equal("DONE", second.XSState);
        var aside = Directory.GetFiles(Path.GetDirectoryName(first.OutFile)!, "*.replaced-*");
        Assert.Equal(before, File.ReadAllBytes(Assert.Single(aside)));
        Assert.Equal(before.Length, new FileInfo(second.OutFile).Length);
    }

    [Fact]
    public void A_resumable_job_is_resumed_with_a_warning_when_nobody_can_be_asked()
    {
        var first = Start();
        _host.Invoke("Stop-XSJob $args[0]", first.InstanceId); // no-op on DONE, so make it resumable by hand:
        var jobFile = Path.Combine(first.Folder, "job.json");
        File.WriteAllText(jobFile, File.ReadAllText(jobFile).Replace("\"DONE\"", "\"CANCELLED\""));
        _host.Invoke("Get-XSJob | Out-Null");

        var result = _host.Invoke(out var errors, "Start-XSBook 'Same Book' -Backend offline -Chunks 2 -WarningVariable w -WarningAction SilentlyContinue; $w");
        Assert.Empty(errors);
        var job = result.Select(r => r.BaseObject).OfType<XSJob>().Single();
        Assert.Equal(first.InstanceId, job.InstanceId);
        Assert.Contains(result.Select(r => r.BaseObject).OfType<WarningRecord>(), w => w.Message.Contains("resuming it"));
    }

    [Fact]
    public void Two_jobs_can_never_write_one_book_at_the_same_time()
    {
        using var lease = Core.Store.OutputLease.TryAcquire(Path.Combine(_host.Root, "books", "Busy_Book.final.md"));
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'Busy Book' -Backend offline -Chunks 1");
        Assert.StartsWith("OutputInUse", error.FullyQualifiedErrorId);
        Assert.Empty(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void An_out_file_that_is_a_folder_fails_before_a_job_or_a_request_exists()
    {
        Directory.CreateDirectory(Path.Combine(_host.Root, "existing"));
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'X' -Backend offline -OutFile existing");
        Assert.Contains("folder", error.Exception.Message);
        Assert.Empty(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void A_job_for_another_subject_on_the_same_book_is_not_resumed_in_its_place()
    {
        var first = Start();
        var jobFile = Path.Combine(first.Folder, "job.json");
        File.WriteAllText(jobFile, File.ReadAllText(jobFile).Replace("\"DONE\"", "\"CANCELLED\""));
        _host.Invoke("Get-XSJob | Out-Null");
        var error = _host.InvokeExpectingTerminatingError("Start-XSBook 'Other Subject' -Backend offline -Chunks 1 -OutFile $args[0]", first.OutFile);
        Assert.Contains("'Same Book', not 'Other Subject'", error.Exception.Message);
        Assert.Single(_host.Invoke("Get-XSJob"));
    }

    [Fact]
    public void Removing_an_old_job_with_its_output_never_deletes_the_book_a_newer_job_writes()
    {
        var first = Start();
        var second = Start("-Overwrite");
        Assert.Equal(first.OutFile, second.OutFile);
        _host.Invoke(out var errors, "Remove-XSJob $args[0] -IncludeOutput -Confirm:$false", first.InstanceId);
        Assert.Empty(errors);
        Assert.False(Directory.Exists(first.Folder));
        Assert.True(File.Exists(second.OutFile));
    }

    [Fact]
    public void Chunks_are_marked_received_only_when_Receive_Job_takes_them()
    {
        var job = Start();
        var mark = Path.Combine(job.Folder, Core.Runner.ReceiveMark.FileName);
        Assert.Equal(0, Core.Runner.ReceiveMark.Read(job.Folder));
        Assert.Equal(2, _host.Invoke("Receive-Job -InstanceId $args[0] -Keep", job.InstanceId).Count);
        _host.Invoke("$null = (Get-Job -InstanceId $args[0]).HasMoreData", job.InstanceId);
        Assert.Equal(0, Core.Runner.ReceiveMark.Read(job.Folder));
        Assert.Equal(2, _host.Invoke("Receive-Job -InstanceId $args[0]", job.InstanceId).Count);
        _host.Invoke("$null = (Get-Job -InstanceId $args[0]).HasMoreData", job.InstanceId);
        Assert.Equal(2, Core.Runner.ReceiveMark.Read(job.Folder));
        Assert.True(File.Exists(mark));
        Assert.Empty(_host.Invoke("Receive-Job -InstanceId $args[0]", job.InstanceId));
    }
}
