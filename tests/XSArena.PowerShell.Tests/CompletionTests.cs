namespace XSArena.PowerShell.Tests;

/// <summary>Tab completion as the shell asks for it: TabExpansion2 on a command line, cursor at its end.</summary>
public sealed class CompletionTests : IDisposable
{
    private readonly ModuleHost _host = new();

    public void Dispose() => _host.Dispose();

    private List<string> Complete(string line) =>
        [.. _host.Invoke("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", line)
            .Select(match => (string)match.BaseObject)];

    [Fact]
    public void Event_types_complete_from_what_the_module_writes()
    {
        Assert.Equal(["chunk_done", "chunk_repeat_rejected"], Complete("Get-XSJobEvent -Type chunk"));
        Assert.Contains("control_*", Complete("Get-XSJobEvent -Type con"));
        Assert.Contains("job_ended", Complete("Get-XSJobEvent -Type job_"));
        Assert.Empty(Complete("Get-XSJobEvent -Type nosuch"));
    }

    [Fact]
    public void Job_ids_and_names_complete_from_the_jobs_of_the_root()
    {
        // The registry is per process and other tests' jobs are in it too: a word of this test's own keeps it apart.
        var word = "Q" + Guid.NewGuid().ToString("N")[..8];
        var stored = StoredJobs.Write(_host.Root, word + " Graph Theory", TimeSpan.FromDays(1));
        StoredJobs.Write(_host.Root, "Topology", TimeSpan.FromDays(1));
        _host.Invoke("$null = Get-XSJob");

        Assert.Equal([stored.InstanceId.ToString()], Complete("Get-XSJobEvent " + stored.InstanceId.ToString()[..13]));
        Assert.Equal([stored.InstanceId.ToString()], Complete("Watch-XSJob " + word));
        Assert.Equal([$"'{word} Graph Theory'"], Complete("Get-XSJob -Name " + word.ToLowerInvariant()));
    }

    [Fact]
    public void A_completed_name_with_wildcard_characters_finds_that_job()
    {
        var word = "Q" + Guid.NewGuid().ToString("N")[..8];
        StoredJobs.Write(_host.Root, word + " [draft]", TimeSpan.FromDays(1));
        _host.Invoke("$null = Get-XSJob");

        var completed = Assert.Single(Complete("Get-XSJob -Name " + word));
        Assert.Equal($"'{word} `[draft`]'", completed);
        Assert.Equal(word + " [draft]", ((XSJob)Assert.Single(_host.Invoke("Get-XSJob -Name " + completed)).BaseObject).Name);
    }

    [Fact]
    public void Setting_keys_complete_for_Get_XSConfig()
    {
        var keys = Complete("Get-XSConfig scheduler.concurrency.");
        Assert.Contains("scheduler.concurrency.total", keys);
        Assert.All(keys, key => Assert.StartsWith("scheduler.concurrency.", key));
        Assert.Empty(Complete("Get-XSConfig nosuch."));
    }
}
