using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Store;

public sealed class JobDeletionTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _outside = new();
    private readonly FixedClock _clock = new(DateTimeOffset.UtcNow);

    public void Dispose()
    {
        _dir.Dispose();
        _outside.Dispose();
    }

    private JobStore Store => new(_dir.Path);

    private StoredJob DoneJobWithBook()
    {
        using var writer = BookJobs.Create(Store, new BookRequest("Deletion") { Backend = "offline", Chunks = 1 }, new XSSettings(), _clock);
        writer.SetState(JobState.Done);
        Directory.CreateDirectory(Path.GetDirectoryName(writer.Job.OutputPath)!);
        File.WriteAllText(writer.Job.OutputPath, "the book");
        return Store.Find(writer.InstanceId)!;
    }

    [Fact]
    public void Deletes_the_job_folder_and_keeps_the_book()
    {
        var job = DoneJobWithBook();
        var result = JobDeletion.Delete(job, includeOutput: false, _clock);
        Assert.False(Directory.Exists(job.Folder));
        Assert.True(File.Exists(job.OutputPath));
        Assert.Null(result.DeletedOutput);
        Assert.Equal(job.InstanceId, result.InstanceId);
        Assert.Empty(Store.List());
    }

    [Fact]
    public void Include_output_deletes_only_the_book_file()
    {
        var job = DoneJobWithBook();
        var neighbour = Path.Combine(Path.GetDirectoryName(job.OutputPath)!, "other.final.md");
        File.WriteAllText(neighbour, "another book");
        var result = JobDeletion.Delete(job, includeOutput: true, _clock);
        Assert.Equal(job.OutputPath, result.DeletedOutput);
        Assert.False(File.Exists(job.OutputPath));
        Assert.True(File.Exists(neighbour));
    }

    [Fact]
    public void A_job_whose_lease_is_held_is_refused_and_kept()
    {
        var job = DoneJobWithBook();
        using (RunnerLease.TryAcquire(job.Folder, _clock.UtcNow))
        {
            Assert.Throws<JobBusyException>(() => JobDeletion.Delete(job, includeOutput: true, _clock));
        }
        Assert.True(File.Exists(Path.Combine(job.Folder, JobFile.FileName)));
        Assert.True(File.Exists(job.OutputPath));
    }

    [Fact]
    public void Paths_that_are_not_one_folder_under_the_jobs_folder_are_refused()
    {
        var jobs = ProjectRoot.JobsFolder(_dir.Path);
        Directory.CreateDirectory(Path.Combine(jobs, "a", "b"));
        foreach (var folder in new[] { Path.Combine(jobs, ".."), jobs, _dir.Path, Path.Combine(jobs, "a", "b"),
                     Path.Combine(jobs, "a", "..", ".."), _outside.Path, Path.Combine(jobs, ".") })
        {
            Assert.Throws<UnsafeJobPathException>(() => JobDeletion.ValidateJobFolder(_dir.Path, folder));
        }
        Assert.Equal(Path.Combine(jobs, "a"), JobDeletion.ValidateJobFolder(_dir.Path, Path.Combine(jobs, "a") + Path.DirectorySeparatorChar));
    }

    [Fact]
    public void A_hostile_folder_in_a_record_deletes_nothing()
    {
        var job = DoneJobWithBook();
        var hostile = job with { Folder = Path.Combine(job.Folder, "..", "..") };
        Assert.Throws<UnsafeJobPathException>(() => JobDeletion.Delete(hostile, includeOutput: true, _clock));
        Assert.True(Directory.Exists(job.Folder));
        Assert.True(File.Exists(job.OutputPath));
    }

    [Fact]
    public void A_job_folder_that_is_a_link_is_unlinked_and_its_target_kept()
    {
        var job = DoneJobWithBook();
        var target = Path.Combine(_outside.Path, "real-job");
        Directory.Move(job.Folder, target);
        Directory.CreateSymbolicLink(job.Folder, target);
        var linked = Store.Find(job.InstanceId)!;

        JobDeletion.Delete(linked, includeOutput: false, _clock);
        Assert.False(Directory.Exists(job.Folder));
        Assert.True(File.Exists(Path.Combine(target, JobFile.FileName)));
    }

    [Fact]
    public void Links_inside_a_job_folder_are_not_followed()
    {
        var job = DoneJobWithBook();
        var precious = Directory.CreateDirectory(Path.Combine(_outside.Path, "precious")).FullName;
        File.WriteAllText(Path.Combine(precious, "keep.txt"), "keep");
        Directory.CreateSymbolicLink(Path.Combine(job.Folder, "linked-dir"), precious);
        File.CreateSymbolicLink(Path.Combine(job.Folder, "linked-file"), Path.Combine(precious, "keep.txt"));

        JobDeletion.Delete(job, includeOutput: false, _clock);
        Assert.False(Directory.Exists(job.Folder));
        Assert.True(File.Exists(Path.Combine(precious, "keep.txt")));
    }
}
