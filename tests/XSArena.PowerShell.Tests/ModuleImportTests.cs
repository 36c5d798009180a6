namespace XSArena.PowerShell.Tests;

/// <summary>What a session gets from importing the module through InitialSessionState (as hosts do): the roots of the
/// locations it enters, and the type and format data once jobs are first asked for.</summary>
public sealed class ModuleImportTests : IDisposable
{
    private readonly ModuleHost _host = new();
    private readonly string _otherRoot = Path.Combine(Path.GetTempPath(), "xsarena-ps-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _host.Dispose();
        try { Directory.Delete(_otherRoot, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void Get_Job_lists_the_jobs_of_a_project_the_session_entered_and_left()
    {
        var stored = StoredJobs.Write(_otherRoot, "Entered Elsewhere", TimeSpan.FromMinutes(5));
        _host.Invoke("Set-Location -LiteralPath $args[0]; Set-Location -LiteralPath $args[1]", Path.Combine(_otherRoot, ".xsarena"), _host.Root);

        var listed = _host.Invoke("Get-Job -InstanceId $args[0]", stored.InstanceId);

        Assert.Equal("Entered Elsewhere", Assert.Single(listed).Properties["Name"].Value);
    }

    [Fact]
    public void A_session_whose_first_look_at_jobs_is_Get_Job_gets_the_State_override_and_the_table_view()
    {
        var stored = StoredJobs.Write(_otherRoot, "Seen By Get-Job", TimeSpan.FromMinutes(5));
        _host.Invoke("Set-Location -LiteralPath $args[0]", _otherRoot);

        var state = _host.Invoke("(Get-Job -InstanceId $args[0]).State", stored.InstanceId);
        var table = _host.Invoke("Get-Job -InstanceId $args[0] | Out-String -Width 200", stored.InstanceId);

        Assert.Equal("DONE", Assert.Single(state).BaseObject);
        Assert.Matches(@"(?m)^\s*Id\s+Name\s+State\s+Chunks\s+JobId\s*$", (string)Assert.Single(table).BaseObject);
    }
}
