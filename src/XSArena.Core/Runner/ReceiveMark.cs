using System.Globalization;

namespace XSArena.Core.Runner;

/// <summary>How far Receive-Job has read a job's chunks, kept in <c>received.mark</c> so a later session does not
/// hand out the same chunks again. Written atomically; it is not a job file, so any process may write it.</summary>
public static class ReceiveMark
{
    public const string FileName = "received.mark";

    public static int Read(string jobFolder)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(jobFolder, FileName)).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var chunk) ? chunk : 0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return 0; }
    }

    public static void Write(string jobFolder, int chunk)
    {
        var path = Path.Combine(jobFolder, FileName);
        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(temp, chunk.ToString(CultureInfo.InvariantCulture));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The chunks after <paramref name="after"/> that the book holds, as Receive-Job returns them.</summary>
    public static IReadOnlyList<ChunkRecord> ChunksAfter(Store.StoredJob job, int after)
    {
        var chain = ChunkChain.FromEvents(Store.EventLogReader.ReadAll(job.Folder));
        var total = TotalOf(job, chain.Count);
        return [.. chain.Where(c => c.Index > after)
            .Select(c => new ChunkRecord(job.InstanceId, c.Index, total, c.Characters, c.Hint, c.OutLength ?? 0, job.OutputPath))];
    }

    /// <summary>The record <see cref="ChunksAfter"/> gives for a chunk its runner just appended and logged, built
    /// from what the runner reported rather than from the log: the chunk_done event carries the same length, hint
    /// and book length. A runner in this process hands out every chunk this way, so the log is not read and parsed
    /// whole once per chunk (work and garbage that grew with the book).</summary>
    public static ChunkRecord ForCompleted(Store.StoredJob job, ChunkRecord completed) =>
        completed with { JobId = job.InstanceId, ChunksTotal = TotalOf(job, completed.ChunksTotal), OutFile = job.OutputPath };

    private static int TotalOf(Store.StoredJob job, int fallback) =>
        job.Record.Progress.ChunksTotal > 0 ? job.Record.Progress.ChunksTotal : job.Record.Meta.Chunks ?? fallback;
}
