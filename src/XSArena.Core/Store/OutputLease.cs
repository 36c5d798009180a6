using System.Security.Cryptography;
using System.Text;

namespace XSArena.Core.Store;

/// <summary>The right to write one book, held for a whole run so two jobs can never write the same file (DESIGN §3.3).
/// Keyed by the book's real absolute path — symbolic links resolved — so different relative paths or links to one
/// file meet on one lock. The locks live in a per-user folder shared by all roots and processes.</summary>
public sealed class OutputLease : IDisposable
{
    private readonly FileStream _lock;

    private OutputLease(FileStream lockStream, string key)
    {
        _lock = lockStream;
        Key = key;
    }

    public string Key { get; }

    public static string LocksFolder => Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify),
        "xsarena", "locks");

    public static OutputLease? TryAcquire(string bookPath)
    {
        var key = RealPath(bookPath);
        Directory.CreateDirectory(LocksFolder);
        try
        {
            var stream = new FileStream(LockPathOf(key), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new OutputLease(stream, key);
        }
        catch (IOException) { return null; }
    }

    public static bool IsHeld(string bookPath) => FileLock.IsHeld(LockPathOf(RealPath(bookPath)));

    /// <summary>The absolute path with every symbolic link along it resolved (missing tail components kept as given).</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full) ?? "/";
        var current = root;
        var hops = 0;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.Exists && info.LinkTarget is not null && hops++ < 40)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : RealPath(target.FullName);
            }
            current = next;
        }
        return current;
    }

    private static string LockPathOf(string key) =>
        Path.Combine(LocksFolder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))) + ".lock");

    public void Dispose() => _lock.Dispose();
}

/// <summary>Another job is writing this book now.</summary>
public sealed class OutputBusyException(string bookPath)
    : IOException($"Another job is writing '{bookPath}' right now; two jobs never write one book. Stop that job first or pass -OutFile.")
{
    public string BookPath { get; } = bookPath;
}
