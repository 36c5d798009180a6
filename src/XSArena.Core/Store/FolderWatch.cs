using System.Runtime.InteropServices;
using System.Text;

namespace XSArena.Core.Store;

/// <summary>Wake-up hints for files that appear or grow in folders (DESIGN §3.4). On Linux the whole process shares
/// one inotify instance and one reader thread, however many jobs it runs or follows: a FileSystemWatcher each took
/// one of the user's 128 inotify instances, which editors and other tools need too, and a thread of its own.
/// Elsewhere it is a FileSystemWatcher per folder. Only a hint: every caller polls as well.</summary>
public static class FolderWatch
{
    /// <summary>Calls <paramref name="wake"/> when a file that <paramref name="accepts"/> by name is created,
    /// written or renamed into <paramref name="folder"/>, until the result is disposed; null when the folder cannot
    /// be watched (polling alone still notices the change).</summary>
    public static IDisposable? Subscribe(string folder, Func<string, bool> accepts, Action wake) =>
        OperatingSystem.IsLinux() && Inotify.Shared.Value is { } inotify
            ? inotify.Subscribe(folder, accepts, wake)
            : WatcherFor(folder, accepts, wake);

    private static FileSystemWatcher? WatcherFor(string folder, Func<string, bool> accepts, Action wake)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(folder) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            void OnChange(object sender, FileSystemEventArgs e)
            {
                if (e.Name is { } name && accepts(name)) wake();
            }
            watcher.Changed += OnChange;
            watcher.Created += OnChange;
            watcher.Renamed += (sender, e) => OnChange(sender, e);
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            return null;
        }
    }

    private sealed class Subscription(Inotify owner, int watch, Func<string, bool> accepts, Action wake) : IDisposable
    {
        public int Watch { get; } = watch;
        public Func<string, bool> Accepts { get; } = accepts;
        public Action Wake { get; } = wake;

        public void Dispose() => owner.Unsubscribe(this);
    }

    private sealed class Inotify
    {
        private const int CloseOnExec = 0x80000;
        private const uint Modified = 0x2, MovedTo = 0x80, Created = 0x100, QueueOverflow = 0x4000, Ignored = 0x8000, OnlyFolder = 0x1000000;
        private const int HeaderSize = 16; // int wd, uint mask, uint cookie, uint len; then len bytes of name
        private const int Interrupted = 4; // EINTR

        /// <summary>Made on first use; null when the process cannot have an inotify instance (the user's limit, or a
        /// C library without it).</summary>
        public static readonly Lazy<Inotify?> Shared = new(Create);

        private readonly int _descriptor;
        private readonly object _gate = new();
        private readonly Dictionary<int, List<Subscription>> _byWatch = [];

        private Inotify(int descriptor) => _descriptor = descriptor;

        private static Inotify? Create()
        {
            int descriptor;
            try { descriptor = inotify_init1(CloseOnExec); }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return null; }
            if (descriptor < 0) return null;
            var inotify = new Inotify(descriptor);
            new Thread(inotify.ReadEvents) { IsBackground = true, Name = "XSArena folder watch" }.Start();
            return inotify;
        }

        public Subscription? Subscribe(string folder, Func<string, bool> accepts, Action wake)
        {
            lock (_gate)
            {
                // The same folder gives the same watch: its subscriptions share it, and the last to go removes it.
                var watch = inotify_add_watch(_descriptor, folder, Modified | MovedTo | Created | OnlyFolder);
                if (watch < 0) return null;
                var subscription = new Subscription(this, watch, accepts, wake);
                if (!_byWatch.TryGetValue(watch, out var subscriptions)) _byWatch[watch] = subscriptions = [];
                subscriptions.Add(subscription);
                return subscription;
            }
        }

        public void Unsubscribe(Subscription subscription)
        {
            lock (_gate)
            {
                if (!_byWatch.TryGetValue(subscription.Watch, out var subscriptions) || !subscriptions.Remove(subscription)) return;
                if (subscriptions.Count > 0) return;
                _byWatch.Remove(subscription.Watch);
                _ = inotify_rm_watch(_descriptor, subscription.Watch);
            }
        }

        private void ReadEvents()
        {
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var length = (int)read(_descriptor, buffer, buffer.Length);
                if (length < 0 && Marshal.GetLastPInvokeError() == Interrupted) continue;
                if (length <= 0) return; // cannot happen on a blocking inotify descriptor; polling goes on regardless
                for (var offset = 0; offset + HeaderSize <= length;)
                {
                    var header = buffer.AsSpan(offset, HeaderSize);
                    var watch = MemoryMarshal.Read<int>(header);
                    var mask = MemoryMarshal.Read<uint>(header[4..]);
                    var nameLength = (int)MemoryMarshal.Read<uint>(header[12..]);
                    var name = Encoding.UTF8.GetString(buffer.AsSpan(offset + HeaderSize, nameLength).TrimEnd((byte)0));
                    offset += HeaderSize + nameLength;
                    Dispatch(watch, mask, name);
                }
            }
        }

        private void Dispatch(int watch, uint mask, string name)
        {
            Subscription[] targets;
            var everyone = (mask & (QueueOverflow | Ignored)) != 0; // lost events, or the folder went away
            lock (_gate)
            {
                if ((mask & QueueOverflow) != 0) targets = [.. _byWatch.Values.SelectMany(subscriptions => subscriptions)];
                else if (_byWatch.TryGetValue(watch, out var subscriptions)) targets = [.. subscriptions];
                else return;
                if ((mask & Ignored) != 0) _byWatch.Remove(watch);
            }
            foreach (var target in targets)
            {
                if (!everyone && !target.Accepts(name)) continue;
                // A hint to a follower that is being disposed may fail; nothing may end this thread.
                try { target.Wake(); }
                catch (Exception) { }
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int inotify_init1(int flags);

        [DllImport("libc", SetLastError = true)]
        private static extern int inotify_add_watch(int descriptor, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

        [DllImport("libc", SetLastError = true)]
        private static extern int inotify_rm_watch(int descriptor, int watch);

        [DllImport("libc", SetLastError = true)]
        private static extern nint read(int descriptor, byte[] buffer, nint count);
    }
}
