using XSArena.Core.Backends;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Runner;

public sealed class ReceiveMarkTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_record_of_a_just_completed_chunk_equals_the_one_read_back_from_the_log()
    {
        var store = new JobStore(_root.Path);
        var settings = new XSSettings();
        using var writer = BookJobs.Create(store, new BookRequest("Handed out") { Backend = "offline", Chunks = 3 }, settings, SystemClock.Instance);
        var runner = new BookRunner(writer, new OfflineBackend(), settings);
        var handedOut = new List<ChunkRecord>();
        var readBack = new List<ChunkRecord>();
        runner.ChunkCompleted += chunk =>
        {
            var job = store.Find(writer.InstanceId)!;
            handedOut.Add(ReceiveMark.ForCompleted(job, chunk));
            readBack.Add(Assert.Single(ReceiveMark.ChunksAfter(job, chunk.ChunkIndex - 1)));
        };
        runner.Prepare(force: false);

        Assert.Equal(JobState.Done, await runner.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal([1, 2, 3], handedOut.Select(c => c.ChunkIndex));
        Assert.Equal(readBack, handedOut);
        Assert.All(handedOut, c => Assert.Equal(3, c.ChunksTotal));
    }
}
