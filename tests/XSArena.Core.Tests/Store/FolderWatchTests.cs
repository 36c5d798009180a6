using XSArena.Core.Store;

namespace XSArena.Core.Tests.Store;

public sealed class FolderWatchTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string NewFolder(string name) => Directory.CreateDirectory(_dir.Combine(name)).FullName;

    private static int InotifyInstances() => new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
        .Count(fd => fd.LinkTarget == "anon_inode:inotify");

    [Fact]
    public void Many_folders_share_one_inotify_instance_and_each_wakes_its_own_subscriber()
    {
        var before = InotifyInstances();
        var folders = Enumerable.Range(0, 40).Select(i => NewFolder("job" + i)).ToList();
        var woken = folders.Select(_ => new ManualResetEventSlim()).ToList();
        var subscriptions = folders.Select((folder, i) => FolderWatch.Subscribe(folder, name => name == "events.jsonl", woken[i].Set)).ToList();
        try
        {
            Assert.All(subscriptions, Assert.NotNull);
            Assert.InRange(InotifyInstances() - before, 0, 1);
            foreach (var folder in folders) File.AppendAllText(Path.Combine(folder, "events.jsonl"), "{}\n");
            Assert.All(woken, signal => Assert.True(signal.Wait(Timeout), "a subscriber was not woken"));
        }
        finally
        {
            foreach (var subscription in subscriptions) subscription?.Dispose();
        }
    }

    // One inotify instance delivers its events in order: once a marker file written later has been seen, an earlier
    // change that would have woken a subscriber has been handled, so "not woken" is certain, not a matter of waiting.
    [Fact]
    public void Names_it_does_not_accept_and_changes_after_disposal_wake_nobody()
    {
        var watched = NewFolder("control");
        var marker = NewFolder("marker");
        var wakes = 0;
        var markersSeen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var subscription = FolderWatch.Subscribe(watched, name => name.EndsWith(".json", StringComparison.Ordinal), () => Interlocked.Increment(ref wakes));
        using var markerSubscription = FolderWatch.Subscribe(marker, name => markersSeen.TryAdd(name, true) || true, () => { });
        Assert.NotNull(subscription);
        Assert.NotNull(markerSubscription);
        void PassMarker(string name)
        {
            File.WriteAllText(Path.Combine(marker, name), "");
            var deadline = DateTime.UtcNow + Timeout;
            while (!markersSeen.ContainsKey(name))
            {
                Assert.True(DateTime.UtcNow < deadline, $"marker {name} was never seen");
                Thread.Sleep(5);
            }
        }

        File.WriteAllText(Path.Combine(watched, "request.json.tmp"), "{}");
        PassMarker("1");
        Assert.Equal(0, Volatile.Read(ref wakes));

        File.Move(Path.Combine(watched, "request.json.tmp"), Path.Combine(watched, "request.json"));
        PassMarker("2");
        Assert.True(Volatile.Read(ref wakes) >= 1, "a file renamed into place did not wake the subscriber");

        subscription.Dispose();
        var afterDisposal = Volatile.Read(ref wakes);
        File.WriteAllText(Path.Combine(watched, "late.json"), "{}");
        PassMarker("3");
        Assert.Equal(afterDisposal, Volatile.Read(ref wakes));
    }

    [Fact]
    public void A_folder_that_is_deleted_or_never_was_leaves_the_others_watched()
    {
        var doomed = NewFolder("doomed");
        var kept = NewFolder("kept");
        var woken = new ManualResetEventSlim();
        Assert.Null(FolderWatch.Subscribe(_dir.Combine("missing"), _ => true, () => { }));
        using var gone = FolderWatch.Subscribe(doomed, _ => true, () => { });
        using var stays = FolderWatch.Subscribe(kept, _ => true, woken.Set);

        Directory.Delete(doomed);
        File.WriteAllText(Path.Combine(kept, "events.jsonl"), "{}\n");

        Assert.True(woken.Wait(Timeout));
    }
}
