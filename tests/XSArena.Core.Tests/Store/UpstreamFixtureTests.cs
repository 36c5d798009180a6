using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Store;

/// <summary>Jobs written by the original Python tool (Fixtures/upstream) list and report correctly.</summary>
public sealed class UpstreamFixtureTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public UpstreamFixtureTests() => _dir.CopyFixture("upstream");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Upstream_jobs_list_with_their_names_states_and_folders()
    {
        var warnings = new List<string>();
        var jobs = new JobStore(_dir.Path).List(warnings.Add);

        Assert.Equal(2, jobs.Count);
        var original = jobs[0];
        Assert.Equal("Café Chemistry — A Primer", original.Record.Name);
        Assert.Equal(JobState.Done, original.State);
        Assert.True(original.Record.IsUpstream);
        var clone = jobs[1];
        Assert.Equal(Guid.Parse("9e8d7c6b5a4f43e2b1c0d9e8f7a6b5c4"), clone.InstanceId);
        Assert.EndsWith("9e8d7c6b5a4f43e2b1c0d9e8f7a6b5c4", clone.Folder);
        Assert.Null(clone.Record.Backend);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Upstream_statistics_are_recounted_from_events()
    {
        var job = new JobStore(_dir.Path).List()[0];
        Assert.Equal(2, job.Statistics.ChunksDone);
        Assert.Equal(1, job.Statistics.Retries);
        Assert.Equal(1, job.Statistics.Stalls);
        Assert.Equal(0, job.Statistics.Failovers);
    }

    [Fact]
    public void Torn_last_line_of_an_upstream_log_does_not_hide_the_rest()
    {
        var clone = new JobStore(_dir.Path).List()[1];
        Assert.Equal(1, clone.Statistics.ChunksDone);
        Assert.Equal(1, clone.Statistics.Failovers);
    }

    [Fact]
    public void Naive_upstream_timestamps_read_as_local_time()
    {
        var job = new JobStore(_dir.Path).List()[0];
        var created = Timestamps.ParseOrNull(job.Record.CreatedAt)!.Value;
        Assert.Equal(new DateTime(2025, 10, 21, 0, 14, 25, 123).AddTicks(4560), created.DateTime);
        Assert.Equal(TimeZoneInfo.Local.GetUtcOffset(created.DateTime), created.Offset);
    }

    [Fact]
    public void Upstream_output_path_resolves_under_the_root()
    {
        var job = new JobStore(_dir.Path).List()[0];
        Assert.Equal(Path.Combine(_dir.Path, "books", "Café_Chemistry_—_A_Primer.final.md"), job.OutputPath);
    }

    [Fact]
    public void Rewriting_an_upstream_job_keeps_its_unknown_keys_and_session_state()
    {
        var job = new JobStore(_dir.Path).List()[0];
        var systemText = JobFile.Read(job.Folder).Meta.SystemText;
        JobFile.Write(job.Folder, JobFile.Read(job.Folder)); // a listed record leaves the prompt out: writers read in full
        var text = File.ReadAllText(Path.Combine(job.Folder, "job.json"));
        Assert.Equal(systemText, JobFile.Read(job.Folder).Meta.SystemText);
        Assert.Contains("future_upstream_key", text);
        Assert.Contains("output_min_chars", text);
        Assert.Contains("2025-10-21T00:14:25.123456", text);
    }
}
