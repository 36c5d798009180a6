namespace XSArena.Core.Store;

/// <summary>The one probe of the OS-level file locks the leases use (FileShare.None takes flock on Linux).</summary>
public static class FileLock
{
    /// <summary>True when another open handle holds the lock file; false when it is free or does not exist.</summary>
    public static bool IsHeld(string lockPath)
    {
        if (!File.Exists(lockPath)) return false;
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException) { return true; }
    }
}
