using System.Globalization;
using System.Text;
using XSArena.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var repoRoot = Path.GetFullPath(args.Length > 0 ? args[0] : Directory.GetCurrentDirectory());
var scratch = Path.Combine(repoRoot, ".scratch", "bench");
if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
Directory.CreateDirectory(scratch);

var parameters = new SortedDictionary<string, int>
{
    ["XSARENA_BENCH_LOG_LINES"] = Timing.EnvInt("XSARENA_BENCH_LOG_LINES", 1_000_000),
    ["XSARENA_BENCH_ANCHOR_REPS"] = Timing.EnvInt("XSARENA_BENCH_ANCHOR_REPS", 200),
    ["XSARENA_BENCH_JOBS"] = Timing.EnvInt("XSARENA_BENCH_JOBS", 10_000),
    ["XSARENA_BENCH_JOB_EVENTS"] = Timing.EnvInt("XSARENA_BENCH_JOB_EVENTS", 300),
    ["XSARENA_BENCH_NAIVE_FULL"] = Timing.EnvInt("XSARENA_BENCH_NAIVE_FULL", 0, minimum: 0),
    ["XSARENA_BENCH_CHUNKS"] = Timing.EnvInt("XSARENA_BENCH_CHUNKS", 40),
    ["XSARENA_BENCH_REPLY_MS"] = Timing.EnvInt("XSARENA_BENCH_REPLY_MS", 1000),
    ["XSARENA_BENCH_SCHED_LATENCY_MS"] = Timing.EnvInt("XSARENA_BENCH_SCHED_LATENCY_MS", 1000),
    ["XSARENA_BENCH_IMPORT_RUNS"] = Timing.EnvInt("XSARENA_BENCH_IMPORT_RUNS", 10),
    ["XSARENA_BENCH_MEM_JOBS"] = Timing.EnvInt("XSARENA_BENCH_MEM_JOBS", 20),
    ["XSARENA_BENCH_MEM_REPLY_MS"] = Timing.EnvInt("XSARENA_BENCH_MEM_REPLY_MS", 250),
    ["XSARENA_BENCH_MEM_ROUNDS"] = Timing.EnvInt("XSARENA_BENCH_MEM_ROUNDS", 5),
};

// XSARENA_BENCH_ONLY=3,7 measures only those figures (while working on one); RESULTS.md then lists the rest as not measured.
var only = (Environment.GetEnvironmentVariable("XSARENA_BENCH_ONLY") ?? "")
    .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

var figures = new List<Figure>();
var failures = new List<string>();
void Measure(string id, Func<Figure> run)
{
    if (only.Count > 0 && !only.Contains(id)) return;
    try
    {
        var figure = run();
        figures.Add(figure);
        Console.WriteLine(figure.ConsoleLine);
        foreach (var note in figure.Notes) Console.WriteLine($"    {note}");
    }
    catch (Exception ex)
    {
        failures.Add($"figure {id}: {ex.GetType().Name}: {ex.Message}");
        Console.Error.WriteLine($"figure {id} failed: {ex}");
    }
}

Measure("5", () => BigLogFigure.Run(scratch, parameters["XSARENA_BENCH_LOG_LINES"]));
Measure("6", () => AnchorFigure.Run(scratch, parameters["XSARENA_BENCH_ANCHOR_REPS"]));
Measure("2", () => ListingFigure.Run(repoRoot, scratch, parameters["XSARENA_BENCH_JOBS"], parameters["XSARENA_BENCH_JOB_EVENTS"],
    naiveAtFullSize: parameters["XSARENA_BENCH_NAIVE_FULL"] != 0));
Measure("1", () => ChunkOverheadFigure.RunAsync(scratch, parameters["XSARENA_BENCH_CHUNKS"], parameters["XSARENA_BENCH_REPLY_MS"]).GetAwaiter().GetResult());
Measure("4", () => SchedulerFigure.RunAsync(scratch, parameters["XSARENA_BENCH_SCHED_LATENCY_MS"]).GetAwaiter().GetResult());
Measure("3", () => WatchFigure.Run(scratch, repoRoot));
Measure("7", () => ImportFigure.Run(scratch, repoRoot, parameters["XSARENA_BENCH_IMPORT_RUNS"]));
Measure("8", () => MemoryFigure.RunAsync(repoRoot, scratch, parameters["XSARENA_BENCH_MEM_JOBS"], parameters["XSARENA_BENCH_MEM_REPLY_MS"],
    parameters["XSARENA_BENCH_MEM_ROUNDS"]).GetAwaiter().GetResult());

var pending = new List<PendingFigure>
{
    new("1", "per-chunk overhead (book runner vs raw backend requests)", "<= 1.02x"),
    new("2", "listing N jobs vs reading each job.json once", "<= 2x floor"),
    new("5", "big log statistics vs wc -l", "within 10x"),
    new("6", "anchor cost, chunk 40 of a 4 MB book vs chunk 2 of a small book", "ratio <= 1.5"),
    new("3", "watch latency from another process (median, p95) and idle CPU", "median <= 50 ms, p95 <= 100 ms, idle CPU <= 1 %"),
    new("4", "scheduler makespan, 50 jobs of 3 chunks at limit 8 vs ceil(50/8) x 3 x latency", "<= 1.05x ideal"),
    new("7", "Import-Module XSArena vs Microsoft.PowerShell.ThreadJob, median of >= 10 fresh processes", "<= 1.5x"),
    new("8", "memory of 20 concurrent jobs at chunk 10 and 40 vs an idle pwsh with the module", "<= 50 MB more, no growth"),
}.Where(p => figures.All(f => f.Id != p.Id)).ToList();

var results = new StringBuilder();
results.AppendLine("# Benchmark results");
results.AppendLine();
results.AppendLine("Written by `./build.sh Bench` (bench/XSArena.Bench) from one run; every baseline was measured in the same run.");
results.AppendLine();
results.AppendLine($"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
results.AppendLine($"- machine: {Environment.ProcessorCount} logical cores, {Timing.Mb(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} memory available to the process, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
results.AppendLine($"- parameters: {string.Join(", ", parameters.Select(p => $"{p.Key}={p.Value}"))}");
results.AppendLine();
results.AppendLine("| figure | value | baseline | ratio | target | result |");
results.AppendLine("|---|---|---|---|---|---|");
var rows = figures.Select(f => (f.Id, Row: $"| {f.Id}. {f.Name} | {f.Value} | {f.Baseline} | {f.Ratio:0.00}x | {f.Target} | {(f.Met ? "MET" : "MISSED")} |"))
    .Concat(pending.Select(p => (p.Id, Row: $"| {p.Id}. {p.Name} | not measured yet | | | {p.Target} | |")));
foreach (var (_, row) in rows.OrderBy(r => int.Parse(r.Id, CultureInfo.InvariantCulture))) results.AppendLine(row);
results.AppendLine();
results.AppendLine("## Notes");
results.AppendLine();
foreach (var f in figures.OrderBy(f => f.Id))
    foreach (var note in f.Notes) results.AppendLine($"- figure {f.Id}: {note}");
foreach (var failure in failures) results.AppendLine($"- FAILED {failure}");

var resultsPath = Path.Combine(Directory.CreateDirectory(Path.Combine(repoRoot, "bench")).FullName, "RESULTS.md");
File.WriteAllText(resultsPath, results.ToString().Replace("\r\n", "\n"), new UTF8Encoding(false));
Console.WriteLine($"results: {resultsPath}");
if (Environment.GetEnvironmentVariable("XSARENA_BENCH_KEEP") != "1") { try { Directory.Delete(scratch, recursive: true); } catch (IOException) { } }
return failures.Count == 0 ? 0 : 1;
