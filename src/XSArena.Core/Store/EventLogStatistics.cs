using System.Text;
using XSArena.Core.Jobs;

namespace XSArena.Core.Store;

/// <summary>The statistics of a job from its events.jsonl alone (upstream jobs, verification): exactly
/// <c>JobStatistics.Fold(EventLogReader.ReadAll(folder))</c>, without an event object per line, in constant memory.
/// The file is read in rounds of one part per core; the parts are scanned in parallel and folded in file order.</summary>
public static class EventLogStatistics
{
    private const int PartSize = 1 << 20;
    private const int SmallestParallelRound = 256 * 1024;

    public static JobStatistics Recount(string jobFolder)
    {
        var path = Path.Combine(jobFolder, EventLogWriter.FileName);
        FileStream stream;
        try { stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan); }
        catch (FileNotFoundException) { return JobStatistics.Empty; }
        catch (DirectoryNotFoundException) { return JobStatistics.Empty; }

        using (stream)
        {
            SkipByteOrderMark(stream);
            var scanners = new EventLineScanner[Math.Clamp(Environment.ProcessorCount, 1, 4)];
            for (var i = 0; i < scanners.Length; i++) scanners[i] = new EventLineScanner();
            var buffer = new byte[PartSize * scanners.Length];
            var statistics = JobStatistics.Empty;
            var filled = 0;
            while (true)
            {
                filled += ReadFully(stream, buffer, filled);
                var atEnd = filled < buffer.Length;
                // A round ends after its last line break; at the end of the file the rest is the last line.
                var end = atEnd ? filled : buffer.AsSpan(0, filled).LastIndexOfAny((byte)'\n', (byte)'\r') + 1;
                if (end == 0 && !atEnd)
                {
                    Array.Resize(ref buffer, buffer.Length * 2); // one line longer than the buffer
                    continue;
                }
                statistics = ScanAndFold(scanners, buffer, end, statistics);
                if (atEnd) return statistics;
                Buffer.BlockCopy(buffer, end, buffer, 0, filled - end);
                filled -= end;
            }
        }
    }

    private static JobStatistics ScanAndFold(EventLineScanner[] scanners, byte[] buffer, int end, JobStatistics statistics)
    {
        var parts = end < SmallestParallelRound ? 1 : scanners.Length;
        var bounds = new int[parts + 1];
        bounds[parts] = end;
        for (var k = 1; k < parts; k++)
        {
            var from = Math.Max(bounds[k - 1], (int)((long)end * k / parts));
            var lineBreak = buffer.AsSpan(from, end - from).IndexOfAny((byte)'\n', (byte)'\r');
            bounds[k] = lineBreak < 0 ? end : from + lineBreak + 1;
        }
        if (parts == 1) scanners[0].Scan(buffer, 0, end);
        else Parallel.For(0, parts, k => scanners[k].Scan(buffer, bounds[k], bounds[k + 1]));
        for (var k = 0; k < parts; k++) statistics = scanners[k].FoldInto(statistics);
        return statistics;
    }

    private static int ReadFully(FileStream stream, byte[] buffer, int offset)
    {
        var total = 0;
        int read;
        while (offset + total < buffer.Length && (read = stream.Read(buffer, offset + total, buffer.Length - offset - total)) > 0)
            total += read;
        return total;
    }

    /// <summary>EventLogReader's StreamReader drops a UTF-8 byte order mark, so the recount does too.</summary>
    private static void SkipByteOrderMark(FileStream stream)
    {
        Span<byte> start = stackalloc byte[3];
        var read = stream.ReadAtLeast(start, 3, throwOnEndOfStream: false);
        if (read < 3 || !start.SequenceEqual(Encoding.UTF8.Preamble)) stream.Position = 0;
    }
}
