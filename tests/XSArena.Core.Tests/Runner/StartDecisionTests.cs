using XSArena.Core.Runner;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Runner;

public sealed class StartDecisionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly StoredJob SomeJob = new(Guid.NewGuid(), "f", "r", new JobRecord(), Core.Jobs.JobStatistics.Empty);

    [Theory]
    [InlineData(false, false, false, false, false, false, false, StartAction.StartNew)]
    [InlineData(false, false, true, false, false, false, false, StartAction.RefuseExistingBook)]
    [InlineData(false, true, true, false, false, false, false, StartAction.RefuseExistingBook)]
    [InlineData(false, true, false, false, false, false, false, StartAction.StartNew)]
    [InlineData(false, true, true, false, true, false, false, StartAction.MoveAsideThenStartNew)]
    [InlineData(false, false, false, false, true, false, false, StartAction.StartNew)]
    [InlineData(true, false, true, false, false, false, false, StartAction.ResumeExistingWithWarning)]
    [InlineData(true, false, true, false, false, false, true, StartAction.Ask)]
    [InlineData(true, false, true, false, false, true, true, StartAction.ResumeExisting)]
    [InlineData(true, false, true, false, true, false, true, StartAction.MoveAsideThenStartNew)]
    [InlineData(true, false, true, true, true, false, false, StartAction.RefuseInUse)]
    [InlineData(true, false, true, true, false, true, false, StartAction.ResumeExisting)]
    [InlineData(false, false, true, true, false, false, false, StartAction.RefuseInUse)]
    public void Start_decisions(bool resumable, bool finished, bool bookExists, bool inUse, bool overwrite, bool resume, bool interactive, StartAction expected)
    {
        var situation = new OutputSituation(resumable ? SomeJob : null, finished ? SomeJob : null, bookExists, inUse);
        Assert.Equal(expected, StartDecision.Decide(situation, resume, overwrite, interactive));
    }

    [Fact]
    public void Resume_and_overwrite_together_are_refused()
    {
        Assert.Throws<ArgumentException>(() => StartDecision.Decide(new OutputSituation(null, null, false, false), true, true, false));
    }

    [Fact]
    public void One_book_reached_through_a_link_or_a_relative_path_is_one_lease()
    {
        var books = Directory.CreateDirectory(_dir.Combine("books")).FullName;
        var link = _dir.Combine("alias");
        Directory.CreateSymbolicLink(link, books);
        var real = Path.Combine(books, "b.final.md");

        using var first = OutputLease.TryAcquire(real);
        Assert.NotNull(first);
        Assert.Null(OutputLease.TryAcquire(Path.Combine(link, "b.final.md")));
        Assert.Null(OutputLease.TryAcquire(Path.Combine(books, "..", "books", "b.final.md")));
        Assert.True(OutputLease.IsHeld(Path.Combine(link, "b.final.md")));
        first!.Dispose();
        using var second = OutputLease.TryAcquire(Path.Combine(link, "b.final.md"));
        Assert.NotNull(second);
    }

    [Fact]
    public void Book_paths_that_are_folders_or_cannot_be_made_are_refused_before_any_job_exists()
    {
        Assert.Throws<ArgumentException>(() => BookOutputs.Validate(_dir.Path));
        Assert.Throws<ArgumentException>(() => BookOutputs.Validate(""));
        File.WriteAllText(_dir.Combine("file"), "x");
        Assert.Throws<ArgumentException>(() => BookOutputs.Validate(_dir.Combine("file", "book.md")));
        BookOutputs.Validate(_dir.Combine("new", "folder", "book.md"));
        Assert.True(Directory.Exists(_dir.Combine("new", "folder")));
        Assert.Throws<ArgumentException>(() => BookOutputs.Validate(_dir.Combine(".xsarena", "jobs", "x", "job.json")));
        Assert.Throws<ArgumentException>(() => BookOutputs.Validate(_dir.Combine("sub", ".XSArena", "book.md")));
        Assert.False(Directory.Exists(_dir.Combine(".xsarena")));
    }
}
