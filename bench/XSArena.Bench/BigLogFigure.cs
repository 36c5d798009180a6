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

        long before = GC.GetTotalMemory(forceFullCollection: true);
        long peakDuring = 0;
        var count = 0;
        JobStatistics? stats = null;
        var foldMs = Timing.Ms(() =>
        {
            stats = JobStatistics.Fold(EventLogReader.ReadAll(folder).Select(e =>
            {
                if (++count % 100_000 == 0) peakDuring = Math.Max(peakDuring, GC.GetTotalMemory(false));
                return e;
            }));
        });
        long after = GC.GetTotalMemory(forceFullCollection: true);
        if (stats != expected) throw new InvalidOperationException($"big log: folded statistics differ from the generated ones ({stats} vs {expected}).");
        if (count != lines) throw new InvalidOperationException($"big log: read {count} events, wrote {lines}.");

        var ratio = foldMs / wcMs;
        var figure = new Figure("5", "big log statistics", $"{foldMs:0} ms", $"wc -l {wcMs:0} ms", ratio, "within 10x of wc -l", ratio <= 10);
        figure.Notes.Add($"{lines:N0} lines, {Timing.Mb(size)}; statistics checked against the generator's own fold.");
        figure.Notes.Add($"managed memory: {Timing.Mb(before)} before, {Timing.Mb(after)} after, at most {Timing.Mb(peakDuring)} sampled every 100,000 events (uncollected garbage included).");
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
