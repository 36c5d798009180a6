using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.PowerShell.Tests;

/// <summary>Writes jobs straight to a root, last updated at a chosen time, as an earlier session would have left them.</summary>
internal static class StoredJobs
{
    public static StoredJob Write(string root, string name, TimeSpan updatedAgo, Core.Jobs.JobState state = Core.Jobs.JobState.Done, bool withBook = true)
    {
        var clock = new Clock(DateTimeOffset.UtcNow - updatedAgo);
        using var writer = BookJobs.Create(new JobStore(root), new BookRequest(name) { Backend = "offline", Chunks = 1 }, new XSSettings(), clock);
        writer.SetState(state);
        if (withBook)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(writer.Job.OutputPath)!);
            File.WriteAllText(writer.Job.OutputPath, "the book of " + name);
        }
        return writer.Job;
    }

    private sealed class Clock(DateTimeOffset now) : IClock
    {
        public DateTimeOffset UtcNow => now;
    }
}
