using System.Globalization;
using System.Text;
using System.Text.Json;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Bench;

/// <summary>Figure 2: Get-XSJob in a fresh pwsh over N generated job folders, against the floor (reading and parsing
/// each job.json once in C#, nothing else) and the naive Get-ChildItem | Get-Content | ConvertFrom-Json; measured at a
/// small and at the full size to show the growth.</summary>
public static class ListingFigure
{
    private const string ListingScript = """
        param([string] $Module, [string] $WarmRoot, [string] $Root, [string] $StatisticsFile, [string] $RunNaive)
        $ErrorActionPreference = 'Stop'
        $invariant = [Globalization.CultureInfo]::InvariantCulture
        Import-Module $Module
        # First-use costs (JIT, type and format data) on another root, so the timed listing is this root's own.
        Set-Location -LiteralPath $WarmRoot
        $null = @(Get-XSJob)
        Set-Location -LiteralPath $Root
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $jobs = @(Get-XSJob)
        $watch.Stop()
        'first: ' + $watch.Elapsed.TotalMilliseconds.ToString($invariant)
        $again = foreach ($i in 1..3) { (Measure-Command { $null = @(Get-XSJob) }).TotalMilliseconds }
        'again: ' + ($again | Measure-Object -Minimum).Minimum.ToString($invariant)
        $jobs | ForEach-Object {
            '{0} {1} {2} {3} {4} {5} {6} {7} {8}' -f $_.InstanceId, $_.ChunksDone, $_.Requests, $_.Retries, $_.Failovers,
                $_.Stalls, $_.PromptTokens, $_.CompletionTokens, $_.Cost.ToString($invariant)
        } | Set-Content -LiteralPath $StatisticsFile
        if ($RunNaive -eq 'yes') {
            $naive = Measure-Command { $null = Get-ChildItem .xsarena/jobs/*/job.json | Get-Content -Raw | ConvertFrom-Json }
            'naive: ' + $naive.TotalMilliseconds.ToString($invariant)
        }
        'count: ' + $jobs.Count
        """;

    public static Figure Run(string repoRoot, string scratch, int jobs, int eventsPerJob, bool naiveAtFullSize)
    {
        var smallSize = Math.Max(1, jobs / 10);
        var root = Directory.CreateDirectory(Path.Combine(scratch, "listing")).FullName;
        var warmRoot = Directory.CreateDirectory(Path.Combine(scratch, "listing-warm-up")).FullName;
        var script = PwshProcess.WriteScript(scratch, "listing.ps1", ListingScript);
        var generator = new JobFolderGenerator();
        generator.Generate(new JobStore(warmRoot), smallSize, eventsPerJob);

        var store = new JobStore(root);
        generator.Generate(store, smallSize, eventsPerJob);
        var small = Measure(repoRoot, script, warmRoot, store, smallSize, naive: true);
        generator.Generate(store, jobs - smallSize, eventsPerJob);
        var full = Measure(repoRoot, script, warmRoot, store, jobs, naive: naiveAtFullSize);

        var ratio = full.FirstMs / full.FloorMs;
        var growth = full.FirstMs / small.FirstMs;
        var figure = new Figure("2", "listing", $"Get-XSJob {full.FirstMs:0} ms for {jobs:N0} jobs",
            $"floor {full.FloorMs:0} ms", ratio, "<= 2x floor, linear growth", ratio <= 2);
        figure.Notes.Add($"{jobs:N0} generated jobs (job.json of {generator.JobFileBytes / 1024.0:0.0} KB, {eventsPerJob} events each); Get-XSJob timed in {Processes} fresh pwsh processes, each after a warm-up listing of another root of {smallSize:N0} jobs (JIT, type and format data), best of the {Processes} ({string.Join(", ", full.EachFirstMs.Select(ms => ms.ToString("0", CultureInfo.InvariantCulture)))} ms); the floor is the best of {Processes} runs in the bench process, each run just before one of the pwsh processes; the generated files are flushed to disk first.");
        figure.Notes.Add("floor: enumerate the folders, read each job.json and parse it with JsonDocument, nothing else.");
        figure.Notes.Add($"at {smallSize:N0} jobs: Get-XSJob {small.FirstMs:0} ms, floor {small.FloorMs:0} ms ({small.FirstMs / small.FloorMs:0.00}x), naive {small.NaiveMs:0} ms ({small.NaiveMs / small.FirstMs:0}x Get-XSJob).");
        figure.Notes.Add($"growth from {smallSize:N0} to {jobs:N0} jobs: Get-XSJob {growth:0.0}x, floor {full.FloorMs / small.FloorMs:0.0}x for {(double)jobs / smallSize:0}x the jobs ({(growth <= 1.3 * jobs / smallSize ? "linear" : "worse than linear")}).");
        figure.Notes.Add(full.NaiveMs is { } naiveMs
            ? $"naive Get-ChildItem | Get-Content -Raw | ConvertFrom-Json at {jobs:N0} jobs: {naiveMs:0} ms ({naiveMs / full.FirstMs:0}x Get-XSJob)."
            : $"naive baseline at {jobs:N0} jobs not run (it takes minutes; XSARENA_BENCH_NAIVE_FULL=1 runs it).");
        figure.Notes.Add($"a repeated Get-XSJob in the same session (job.json unchanged, so only stat calls): {full.AgainMs:0} ms.");
        figure.Notes.Add($"correctness: the statistics Get-XSJob showed for all {jobs:N0} jobs equal a full recount of their events (EventLogReader.ReadAll, an event object per line).");
        return figure;
    }

    /// <summary>Get-XSJob is timed in this many fresh pwsh processes and the best counts, as the floor is the best of
    /// this many runs: one process start can land on a busy moment of a shared machine.</summary>
    private const int Processes = 5;

    private sealed record Sizes(double FirstMs, IReadOnlyList<double> EachFirstMs, double AgainMs, double FloorMs, double? NaiveMs);

    private static Sizes Measure(string repoRoot, string script, string warmRoot, JobStore store, int expected, bool naive)
    {
        FlushToDisk();
        var statisticsFile = Path.Combine(Path.GetDirectoryName(script)!, $"listed-{expected}.txt");
        var floors = new List<double>();
        var firsts = new List<double>();
        double again = 0;
        double? naiveMs = null;
        // Floor and Get-XSJob runs take turns, so a busy moment of a shared machine falls on both alike.
        for (var process = 0; process < Processes; process++)
        {
            floors.Add(Timing.Ms(() => Floor(store.JobsFolder, expected)));
            var runNaive = naive && process == 0;
            var output = PwshProcess.Run(repoRoot, script, TimeSpan.FromMinutes(20), workingDirectory: store.Root, scriptArguments:
                [PwshProcess.ModuleManifest(repoRoot), warmRoot, store.Root, statisticsFile, runNaive ? "yes" : "no"]);
            double Value(string name) => double.Parse(output.Single(line => line.StartsWith(name + ": ", StringComparison.Ordinal))[(name.Length + 2)..], CultureInfo.InvariantCulture);

            if ((int)Value("count") != expected) throw new InvalidOperationException($"listing: Get-XSJob listed {Value("count")} jobs, expected {expected}.");
            VerifyAgainstRecount(store, statisticsFile, expected);
            firsts.Add(Value("first"));
            again = process == 0 ? Value("again") : Math.Min(again, Value("again"));
            if (runNaive) naiveMs = Value("naive");
        }
        return new Sizes(firsts.Min(), firsts, again, floors.Min(), naiveMs);
    }

    /// <summary>Writes the generated folders (hundreds of MB of events) to disk before anything is timed: the kernel's
    /// writeback would otherwise compete with whichever runs come first.</summary>
    private static void FlushToDisk()
    {
        try
        {
            using var sync = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sync") { UseShellExecute = false });
            sync?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No sync command (not Linux or macOS): the runs take turns all the same.
        }
    }

    private static void VerifyAgainstRecount(JobStore store, string statisticsFile, int expected)
    {
        var lines = File.ReadAllLines(statisticsFile);
        if (lines.Length != expected) throw new InvalidOperationException($"listing: {lines.Length} statistics lines, expected {expected}.");
        foreach (var line in lines)
        {
            var parts = line.Split(' ');
            var folder = Path.Combine(store.JobsFolder, parts[0]);
            var recount = JobStatistics.Fold(EventLogReader.ReadAll(folder));
            var shown = string.Join(' ', parts.Skip(1));
            var expectedText = string.Join(' ', new object[]
            {
                recount.ChunksDone, recount.Requests, recount.Retries, recount.Failovers, recount.Stalls,
                recount.PromptTokens, recount.CompletionTokens, recount.Cost.ToString(CultureInfo.InvariantCulture),
            });
            if (shown != expectedText)
                throw new InvalidOperationException($"listing: Get-XSJob showed '{shown}' for {parts[0]}, a recount of its events gives '{expectedText}'.");
        }
    }

    private static void Floor(string jobsFolder, int expected)
    {
        var count = 0;
        foreach (var folder in Directory.EnumerateDirectories(jobsFolder))
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, JobFile.FileName));
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object) count++;
        }
        if (count != expected) throw new InvalidOperationException($"floor: parsed {count} job files, expected {expected}.");
    }

    /// <summary>Writes job folders that look like finished or failed book jobs: a job.json of a few KB whose counters
    /// are the fold of the events written beside it.</summary>
    private sealed class JobFolderGenerator
    {
        private readonly string _systemText = BuildSystemText();
        private readonly DateTimeOffset _firstCreated = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        private int _written;

        public long JobFileBytes { get; private set; }

        public void Generate(JobStore store, int count, int eventsPerJob)
        {
            for (var i = 0; i < count; i++, _written++)
            {
                var id = Guid.NewGuid();
                var folder = store.CreateFolder(id);
                var stats = EventGenerator.Write(Path.Combine(folder, EventLogWriter.FileName), id.ToString("D"), eventsPerJob, seed: _written);
                JobFile.Write(folder, Record(id, _written, _firstCreated.AddMinutes(_written), stats));
                if (JobFileBytes == 0) JobFileBytes = new FileInfo(Path.Combine(folder, JobFile.FileName)).Length;
            }
        }

        private JobRecord Record(Guid id, int index, DateTimeOffset created, JobStatistics stats) => new()
        {
            Id = id.ToString("D"),
            Name = $"Linear algebra, volume {index}",
            Backend = "openai",
            State = index % 7 == 0 ? "FAILED" : "DONE",
            CreatedAt = Timestamps.Format(created),
            UpdatedAt = Timestamps.Format(created.AddHours(1)),
            Schema = JobRecord.CurrentSchema,
            RunSpec = new RunSpec
            {
                Subject = $"Introduction to Linear Algebra {index}",
                Overlays = ["narrative", "no_bs"],
                OutPath = $"books/linear-algebra-{index}.final.md",
                Backend = "openai",
                Model = "gpt-4o-mini",
            },
            Meta = new JobMeta { SystemText = _systemText, Chunks = 40, MinChars = 4200 },
            Progress = new JobProgress
            {
                ChunksDone = stats.ChunksDone,
                ChunksTotal = 40,
                Requests = stats.Requests,
                Retries = stats.Retries,
                Failovers = stats.Failovers,
                Stalls = stats.Stalls,
                PromptTokens = stats.PromptTokens,
                CompletionTokens = stats.CompletionTokens,
                Cost = stats.Cost,
                OutLength = stats.OutLength,
            },
        };

        private static string BuildSystemText()
        {
            var builder = new StringBuilder();
            var line = "You are writing a long-form book. Keep a steady narrative voice, define every term before use, "
                + "avoid filler and summaries, and end each part with a line NEXT: [what comes next].\n";
            while (builder.Length < 2048) builder.Append(line);
            return builder.ToString();
        }
    }
}
