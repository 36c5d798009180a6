using XSArena.Core.Store;

namespace XSArena.PowerShell.Tests;

public sealed class CopyXSJobTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public void Copy_returns_a_pending_job_that_Get_Job_also_returns()
    {
        var original = StoredJobs.Write(_host.Root, "Graph Theory", TimeSpan.FromDays(3));
        var copy = Assert.IsType<XSJob>(_host.Invoke("Copy-XSJob $args[0]", original.InstanceId).Single().BaseObject);

        Assert.NotEqual(original.InstanceId, copy.InstanceId);
        Assert.Equal("Graph Theory (copy)", copy.Name);
        Assert.Equal("PENDING", _host.Invoke("$args[0].State", copy).Single().BaseObject);
        Assert.Equal(System.Management.Automation.JobState.NotStarted, copy.JobStateInfo.State);
        Assert.NotEqual(original.OutputPath, copy.OutFile);
        Assert.Equal(original.Record.RunSpec.Subject, copy.Subject);
        Assert.Same(copy, _host.Invoke("Get-Job -InstanceId $args[0]", copy.InstanceId).Single().BaseObject);
        Assert.Single(EventLogReader.ReadAll(copy.Folder));
    }

    [Fact]
    public void Name_and_OutFile_are_taken_as_given_and_the_pipeline_works()
    {
        var original = StoredJobs.Write(_host.Root, "Topology", TimeSpan.FromDays(3));
        var copy = (XSJob)_host.Invoke("Get-XSJob | Copy-XSJob -Name 'Topology, again' -OutFile ./out/again.md").Single().BaseObject;
        Assert.Equal("Topology, again", copy.Name);
        Assert.Equal(Path.Combine(_host.Root, "out", "again.md"), copy.OutFile);
        Assert.Equal(2, _host.Invoke("Get-XSJob").Count);
        Assert.NotEqual(original.InstanceId, copy.InstanceId);
    }

    [Fact]
    public void OutFile_copies_only_one_job()
    {
        StoredJobs.Write(_host.Root, "One", TimeSpan.FromDays(3));
        StoredJobs.Write(_host.Root, "Two", TimeSpan.FromDays(2));
        var copies = _host.Invoke(out var errors, "Get-XSJob | Copy-XSJob -OutFile ./shared.md");
        Assert.Single(copies);
        Assert.StartsWith("OutFileForManyJobs", Assert.Single(errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void OutFile_naming_the_originals_book_is_refused_and_nothing_is_copied()
    {
        var original = StoredJobs.Write(_host.Root, "Finished Book", TimeSpan.FromDays(3));
        var book = File.ReadAllText(original.OutputPath);

        var copies = _host.Invoke(out var errors, "Copy-XSJob $args[0] -OutFile $args[1] -Start", original.InstanceId, original.OutputPath);

        Assert.Empty(copies);
        var error = Assert.Single(errors);
        Assert.StartsWith("CopyNotStarted", error.FullyQualifiedErrorId);
        Assert.Contains(original.InstanceId.ToString(), error.Exception.Message);
        Assert.Single(new JobStore(_host.Root).List());
        Assert.Equal(book, File.ReadAllText(original.OutputPath));
    }

    [Fact]
    public void WhatIf_creates_nothing()
    {
        var original = StoredJobs.Write(_host.Root, "Careful", TimeSpan.FromDays(3));
        Assert.Empty(_host.Invoke("Copy-XSJob $args[0] -WhatIf", original.InstanceId));
        Assert.Single(new JobStore(_host.Root).List());
    }

    [Fact]
    public void A_job_damaged_after_it_was_listed_is_not_copied_and_the_pipeline_goes_on()
    {
        var damaged = StoredJobs.Write(_host.Root, "Damaged", TimeSpan.FromDays(2));
        StoredJobs.Write(_host.Root, "Sound", TimeSpan.FromDays(1));
        var listed = _host.Invoke("Get-XSJob");
        var jobFile = Path.Combine(damaged.Folder, "job.json");
        File.WriteAllText(jobFile, "{ \"id\": ");

        var copies = _host.Invoke(out var errors, "$args[0] | Copy-XSJob", listed);

        Assert.Equal("Sound (copy)", ((XSJob)Assert.Single(copies).BaseObject).Name);
        var error = Assert.Single(errors);
        Assert.StartsWith("JobUnreadable", error.FullyQualifiedErrorId);
        Assert.Contains(jobFile, error.Exception.Message);
    }
}
