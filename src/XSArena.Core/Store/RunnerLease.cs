using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace XSArena.Core.Store;

/// <summary>The right to write a job (DESIGN §3.3): an exclusive lock on <c>runner.lock</c>, a file that is never
/// read, renamed or deleted while the job exists. The owner's identity goes in <c>runner.json</c>. The OS drops the
/// lock when the process dies, however it dies.</summary>
public sealed class RunnerLease : IDisposable
{
    public const string LockFileName = "runner.lock";
    public const string OwnerFileName = "runner.json";

    private readonly FileStream _lock;

    private RunnerLease(FileStream lockStream, string folder)
    {
        _lock = lockStream;
        Folder = folder;
    }

    public string Folder { get; }

    /// <summary>Takes the lease, or returns null when another process (or another runner here) holds it.</summary>
    public static RunnerLease? TryAcquire(string jobFolder, DateTimeOffset now)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(jobFolder, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) { return null; }

        var lease = new RunnerLease(stream, jobFolder);
        lease.WriteOwner(now);
        return lease;
    }

    /// <summary>True when some process holds the job's lease (probe by trying to take it).</summary>
    public static bool IsHeld(string jobFolder)
    {
        try { return FileLock.IsHeld(Path.Combine(jobFolder, LockFileName)); }
        catch (UnauthorizedAccessException) { return false; }
    }

    private void WriteOwner(DateTimeOffset now)
    {
        using var process = Process.GetCurrentProcess();
        var owner = new JsonObject
        {
            ["pid"] = Environment.ProcessId,
            ["host"] = Environment.MachineName,
            ["process_start"] = Timestamps.Format(process.StartTime.ToUniversalTime()),
            ["acquired_at"] = Timestamps.Format(now),
        };
        var path = Path.Combine(Folder, OwnerFileName);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, owner.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose() => _lock.Dispose();
}
