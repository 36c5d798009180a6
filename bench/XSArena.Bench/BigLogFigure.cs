using System.Diagnostics;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Bench;

/// <summary>Figure 5: folding the statistics of one job with a very long events.jsonl, against wc -l on the same file.</summary>
public static class BigLogFigure
{
    public static Figure Run(string scratch, int lines)
    {
        var folder = Directory.CreateDirectory(Path.Combine(scratch, "biglog")).FullName;
        var path = Path.Combine(folder, EventLogWriter.FileName);
        var expected = EventGenerator.Write(path, Guid.NewGuid().ToString("D"), lines, seed: 5);
        var size = new FileInfo(path).Length;

        var wcMs = Enumerable.Range(0, 3).Select(_ => Timing.Ms(() => CountWithWc(path, lines))).Min();

        // Best of three after a warm-up, like wc; the file is in the page cache for both.
        EventLogStatistics.Recount(folder);
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        JobStatistics? stats = null;
        var recountMs = Enumerable.Range(0, 3).Select(_ => Timing.Ms(() => stats = EventLogStatistics.Recount(folder))).Min();
        var allocatedPerRun = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / 3;
        long after = GC.GetTotalMemory(forceFullCollection: true);
        if (stats != expected) throw new InvalidOperationException($"big log: recounted statistics differ from the generated ones ({stats} vs {expected}).");

        // The full parse (an event object per line) is what Get-XSJobEvent does; shown for scale, not judged.
        JobStatistics? parsed = null;
        var fullParseMs = Timing.Ms(() => parsed = JobStatistics.Fold(EventLogReader.ReadAll(folder)));
        if (parsed != expected) throw new InvalidOperationException($"big log: the full parse differs from the generated statistics ({parsed} vs {expected}).");

        var ratio = recountMs / wcMs;
        var figure = new Figure("5", "big log statistics", $"{recountMs:0} ms", $"wc -l {wcMs:0} ms", ratio, "within 10x of wc -l, constant memory", ratio <= 10);
        figure.Notes.Add($"{lines:N0} lines, {Timing.Mb(size)}; EventLogStatistics.Recount, best of 3; statistics checked against the generator's own fold.");
        figure.Notes.Add($"memory: managed heap {Timing.Mb(before)} before and {Timing.Mb(after)} after; {Timing.Mb(allocatedPerRun)} allocated per recount in all (two read rounds of a 1 MB part per core, one filled while the other is scanned, and a small statistics record per counted event, garbage at once).");
        figure.Notes.Add($"for scale: folding an event object per line (EventLogReader.ReadAll, as Get-XSJobEvent reads) takes {fullParseMs:0} ms, {fullParseMs / wcMs:0}x wc -l.");
        return figure;
    }

    private static void CountWithWc(string path, int lines)
    {
        var info = new ProcessStartInfo("/usr/bin/wc") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-l");
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (!output.TrimStart().StartsWith(lines.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal))
            throw new InvalidOperationException($"wc -l said '{output.Trim()}', expected {lines}.");
    }
}
