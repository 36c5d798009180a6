using System.Text.Json;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Runner;

public sealed class JobCopierTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private JobStore Store => new(_dir.Path);

    /// <summary>A finished job with history: events, counters, an error, a book.</summary>
    private StoredJob FinishedJob(string subject = "Linear Algebra")
    {
        var request = new BookRequest(subject) { Backend = "offline", Chunks = 5, MinChars = 900, ExtraNote = "Use SI units.", BaseUri = "http://127.0.0.1:9/v1" };
        using (var writer = BookJobs.Create(Store, request, new XSSettings(), _clock))
        {
            writer.Log(EventTypes.JobStarted);
            writer.Log(EventTypes.ChunkDone, new() { ["chunk_idx"] = 1, ["bytes"] = 10 });
            writer.SetState(JobState.Failed, "network", "connection refused");
            Directory.CreateDirectory(Path.GetDirectoryName(writer.Job.OutputPath)!);
            File.WriteAllText(writer.Job.OutputPath, "chunk one");
            return Store.Find(writer.InstanceId)!;
        }
    }

    [Fact]
    public void The_copy_is_a_pending_job_with_a_fresh_id_and_no_history()
    {
        var original = FinishedJob();
        _clock.UtcNow += TimeSpan.FromDays(3);
        var copy = JobCopier.Copy(Store, original, null, null, _clock);

        Assert.NotEqual(original.InstanceId, copy.InstanceId);
        var fromDisk = Store.Find(copy.InstanceId)!;
        Assert.Equal(JobState.Pending, fromDisk.State);
        Assert.Equal("Linear Algebra (copy)", fromDisk.Record.Name);
        Assert.Equal(Timestamps.Format(_clock.UtcNow), fromDisk.Record.CreatedAt);
        Assert.Equal(fromDisk.Record.CreatedAt, fromDisk.Record.UpdatedAt);
        Assert.Null(fromDisk.Record.Meta.Error);
        Assert.Null(fromDisk.Record.Meta.ErrorCode);
        Assert.Equal(0, fromDisk.Statistics.ChunksDone);
        Assert.Equal(0, fromDisk.Record.Retries);

        var e = Assert.Single(EventLogReader.ReadAll(fromDisk.Folder));
        Assert.Equal(EventTypes.JobSubmitted, e.Type);
        Assert.Equal(original.Record.Id, e.GetString("cloned_from"));
        Assert.Equal(copy.Record.Id, e.JobId);
        Assert.False(RunnerLease.IsHeld(fromDisk.Folder));
    }

    [Fact]
    public void The_copy_keeps_the_configuration_but_not_the_book()
    {
        var original = FinishedJob();
        var copy = JobCopier.Copy(Store, original, null, null, _clock);

        Assert.NotEqual(original.OutputPath, copy.OutputPath);
        Assert.Equal("books/Linear_Algebra_(copy).final.md", copy.Record.RunSpec.OutPath);
        Assert.False(File.Exists(copy.OutputPath));

        var originalSpec = JsonSerializer.SerializeToNode(original.Record.RunSpec)!.AsObject();
        var copySpec = JsonSerializer.SerializeToNode(copy.Record.RunSpec)!.AsObject();
        originalSpec.Remove("out_path");
        copySpec.Remove("out_path");
        Assert.True(JsonNodeEquals(originalSpec, copySpec), $"{originalSpec} != {copySpec}");
        Assert.True(original.Record.Meta.IsSystemTextSkipped); // found by a listing: the copy reads the prompt itself
        var systemText = JobFile.Read(original.Folder).Meta.SystemText;
        Assert.False(string.IsNullOrEmpty(systemText));
        Assert.Equal(systemText, copy.Record.Meta.SystemText);
        Assert.Equal(systemText, JobFile.Read(copy.Folder).Meta.SystemText);
        Assert.Equal(5, copy.Record.Meta.Chunks);
        Assert.Equal(900, copy.Record.Meta.MinChars);
        Assert.Equal(original.Record.Meta.ExtensionPasses, copy.Record.Meta.ExtensionPasses);
        Assert.Equal("http://127.0.0.1:9/v1", copy.Record.Meta.BaseUrl);
        Assert.Equal("offline", copy.Record.Backend);
        Assert.Equal(5, copy.Record.Progress.ChunksTotal);
    }

    [Fact]
    public void Default_books_are_made_unique_against_files_and_other_jobs()
    {
        var original = FinishedJob();
        var first = JobCopier.Copy(Store, original, null, null, _clock);
        var second = JobCopier.Copy(Store, original, null, null, _clock);
        Assert.Equal("books/Linear_Algebra_(copy)_2.final.md", second.Record.RunSpec.OutPath);

        File.WriteAllText(Path.Combine(_dir.Path, "books", "Linear_Algebra_(copy)_3.final.md"), "someone else's");
        var third = JobCopier.Copy(Store, original, null, null, _clock);
        Assert.Equal("books/Linear_Algebra_(copy)_4.final.md", third.Record.RunSpec.OutPath);
        Assert.Equal(4, new[] { original, first, second, third }.Select(j => j.OutputPath).Distinct().Count());
    }

    [Fact]
    public void Very_long_names_still_get_unique_books()
    {
        var original = FinishedJob(new string('x', 300));
        var paths = Enumerable.Range(0, 3).Select(_ => JobCopier.Copy(Store, original, null, null, _clock).OutputPath).ToList();
        Assert.Equal(3, paths.Distinct().Count());
        Assert.DoesNotContain(original.OutputPath, paths);
    }

    [Fact]
    public void A_name_and_an_explicit_book_are_used_as_given()
    {
        var original = FinishedJob();
        var named = JobCopier.Copy(Store, original, "Second Edition", null, _clock);
        Assert.Equal("Second Edition", named.Record.Name);
        Assert.Equal("books/Second_Edition.final.md", named.Record.RunSpec.OutPath);

        var inRoot = Path.Combine(_dir.Path, "drafts", "second.md");
        Assert.Equal("drafts/second.md", JobCopier.Copy(Store, original, null, inRoot, _clock).Record.RunSpec.OutPath);
        var outside = Path.Combine(Path.GetTempPath(), "elsewhere-" + Guid.NewGuid().ToString("N") + ".md");
        Assert.Equal(outside, JobCopier.Copy(Store, original, null, outside, _clock).Record.RunSpec.OutPath);
    }

    [Fact]
    public void An_explicit_book_that_is_a_file_already_or_any_jobs_book_is_refused_before_anything_is_made()
    {
        var original = FinishedJob(); // FAILED, its book on disk
        var done = FinishedJob("Topology");
        using (var writer = JobWriter.Open(done, _clock)) writer.SetState(JobState.Done);
        File.Delete(done.OutputPath); // a finished job's book stays its own even when the file is gone
        var stranger = Path.Combine(_dir.Path, "notes.md");
        File.WriteAllText(stranger, "someone else's");
        var before = Store.List().Count;

        var taken = Assert.Throws<ArgumentException>(() => JobCopier.Copy(Store, original, null, original.OutputPath, _clock));
        Assert.Contains(original.InstanceId.ToString(), taken.Message);
        Assert.Contains("FAILED", taken.Message);
        Assert.Contains("DONE", Assert.Throws<ArgumentException>(() => JobCopier.Copy(Store, original, null, done.OutputPath, _clock)).Message);
        Assert.Contains("already exists", Assert.Throws<ArgumentException>(() => JobCopier.Copy(Store, original, null, stranger, _clock)).Message);
        var store = Path.Combine(_dir.Path, ".xsarena", "jobs", original.InstanceId.ToString("D"), "job.json");
        Assert.Contains(".xsarena", Assert.Throws<ArgumentException>(() => JobCopier.Copy(Store, original, null, store, _clock)).Message);

        Assert.Equal(before, Store.List().Count);
        Assert.Equal("chunk one", File.ReadAllText(original.OutputPath));
        Assert.Equal("someone else's", File.ReadAllText(stranger));
        Assert.Equal(original.Record.Id, JobFile.Read(original.Folder).Id);
    }

    [Fact]
    public void Jobs_of_the_upstream_tool_can_be_copied()
    {
        _dir.CopyFixture("upstream");
        var upstream = Store.List().Single(j => j.Record.Name.EndsWith("(clone)"));
        var copy = JobCopier.Copy(Store, upstream, null, null, _clock);

        var fromDisk = Store.Find(copy.InstanceId)!;
        Assert.False(fromDisk.Record.IsUpstream);
        Assert.Equal(JobState.Pending, fromDisk.State);
        Assert.Equal(upstream.Record.RunSpec.Subject, fromDisk.Record.RunSpec.Subject);
        Assert.Equal("bridge", fromDisk.Record.Backend);
        Assert.NotEqual(upstream.OutputPath, fromDisk.OutputPath);
        Assert.Equal("9e8d7c6b5a4f43e2b1c0d9e8f7a6b5c4", Assert.Single(EventLogReader.ReadAll(fromDisk.Folder)).GetString("cloned_from"));
    }

    private static bool JsonNodeEquals(System.Text.Json.Nodes.JsonNode a, System.Text.Json.Nodes.JsonNode b) =>
        System.Text.Json.Nodes.JsonNode.DeepEquals(a, b);
}
