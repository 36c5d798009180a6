using System.Diagnostics;
using System.Text;
using XSArena.Core.Book;

namespace XSArena.Bench;

/// <summary>Figure 6: building the continuation prompt of chunk 40 of a 4 MB book against chunk 2 of a small book.</summary>
public static class AnchorFigure
{
    public static Figure Run(string scratch, int repetitions)
    {
        var folder = Directory.CreateDirectory(Path.Combine(scratch, "anchor")).FullName;
        var big = Path.Combine(folder, "big.md");
        var small = Path.Combine(folder, "small.md");
        WriteBook(big, 4 * 1024 * 1024);
        WriteBook(small, 6 * 1024);

        var bigTimes = new List<double>();
        var smallTimes = new List<double>();
        for (var i = 0; i < 20; i++) { Build(big, 40); Build(small, 2); }
        for (var i = 0; i < repetitions; i++)
        {
            bigTimes.Add(Measure(big, 40));
            smallTimes.Add(Measure(small, 2));
        }
        var bigMedian = Timing.Median(bigTimes);
        var smallMedian = Timing.Median(smallTimes);
        var ratio = bigMedian / smallMedian;
        var figure = new Figure("6", "anchor cost", $"{bigMedian * 1000:0.0} us", $"small book {smallMedian * 1000:0.0} us", ratio, "flat (ratio <= 1.5)", ratio <= 1.5);
        figure.Notes.Add($"median of {repetitions} repetitions each, interleaved; chunk 40 of a {Timing.Mb(new FileInfo(big).Length)} book vs chunk 2 of a {new FileInfo(small).Length / 1024} KB book.");
        return figure;
    }

    private static double Measure(string path, int chunk)
    {
        var watch = Stopwatch.StartNew();
        Build(path, chunk);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string Build(string path, int chunk)
    {
        var anchor = Anchor.FromTail(Anchor.ReadTail(path));
        return UserPrompts.Continuation(chunk, 40, anchor, "Continue with the spectral theorem.", null);
    }

    private static void WriteBook(string path, int bytes)
    {
        var paragraph = "The determinant measures how a linear map scales volume. When it vanishes, the map collapses "
            + "some direction to zero, and the matrix has no inverse. We now see why row operations preserve this fact.\n\n";
        var builder = new StringBuilder(bytes + paragraph.Length);
        while (builder.Length < bytes) builder.Append(paragraph);
        File.WriteAllText(path, builder.ToString(), new UTF8Encoding(false));
    }
}
