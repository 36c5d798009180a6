using System.Globalization;
using XSArena.FakeLlm;

namespace XSArena.Bench;

/// <summary>Figure 8: resident set and managed heap (after a forced GC) of a pwsh running N concurrent books on the
/// openai backend against the in-process fake server, at chunk 10, 30 and 40, against an idle pwsh that only imported
/// the module. Both processes run the same script, so they differ only in the jobs. Each figure is the median of a few
/// rounds of one idle and one busy pwsh: a fresh pwsh's resident set differs by about 10 MB from one start to the next
/// (the runtime's native allocations land in glibc's main heap or in a thread arena), which a single pair turns
/// into a swing of the very number the target judges.</summary>
public static class MemoryFigure
{
    private const int Chunks = 40;
    private const int ReplyEvents = 20;
    private const int ReplyChars = 8000;
    private const int MinChars = 4000;
    private const double TargetExtraMb = 50;
    /// <summary>Heap growth from chunk 10 to 30 stays under half a megabyte when nothing is kept; keeping the books
    /// would add about 6 MB, so 2 MB separates the two with room on both sides.</summary>
    private const double GrowthToleranceMb = 2;
    private static readonly int[] SampleChunks = [10, 30, Chunks];
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan SampleTimeout = TimeSpan.FromSeconds(120);

    /// <summary>The same script for both processes: with -Jobs 0 it only imports the module and prints the idle sample.
    /// Every sample is taken after the forced GC the issue names, inside pwsh itself (/proc/self), so whatever
    /// `dotnet tool run` puts between the bench and pwsh is not measured. Books are polled through the job objects
    /// Start-XSBook returned with a plain loop, so the polling reads nothing from disk and adds as little as it can
    /// to the process it measures.</summary>
    private const string Script = """
        param([string] $Manifest, [int] $Jobs, [string] $BaseUri, [int] $Chunks, [int] $MinChars, [string] $Samples)
        $ErrorActionPreference = 'Stop'
        Set-StrictMode -Version Latest

        function Write-Sample([string] $Label) {
            [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
            $gc = [GC]::GetGCMemoryInfo([GCKind]::FullBlocking)
            $totalMemory = [GC]::GetTotalMemory($false)
            $status = [IO.File]::ReadAllLines('/proc/self/status')
            $number = { param($key) [long](($status | Where-Object { $_ -like "${key}:*" }) -replace '[^0-9]', '') }
            $numbers = @((& $number 'VmRSS') * 1024; $gc.PromotedBytes; $totalMemory; (& $number 'VmHWM') * 1024
                $gc.TotalCommittedBytes; (& $number 'Threads'))
            [Console]::WriteLine("${Label}: $($numbers -join ' ')")
        }

        Import-Module $Manifest
        if ($Jobs -eq 0) { Write-Sample 'idle'; exit 0 }

        $books = foreach ($i in 1..$Jobs) {
            Start-XSBook "Memory Benchmark Volume $i" -Backend openai -BaseUri $BaseUri -Model fake-model `
                -Chunks $Chunks -MinChars $MinChars -SkipPreflight
        }
        [Console]::WriteLine("started: $(@($books).Count)")

        function Test-Reached([int] $Chunk) {
            foreach ($book in $books) {
                if ($book.XSState -in 'FAILED', 'CANCELLED') { throw "job '$($book.Name)' ended $($book.XSState): $($book.LastError)" }
                if ($book.ChunksDone -lt $Chunk -or ($Chunk -eq $Chunks -and $book.XSState -ne 'DONE')) { return $false }
            }
            return $true
        }

        foreach ($chunk in $Samples -split ',') {
            while (-not (Test-Reached $chunk)) { Start-Sleep -Milliseconds 100 }
            if ($chunk -eq $Chunks) { [Console]::WriteLine("held: $(@(Get-Job | Where-Object PSJobTypeName -eq 'XSArenaJob').Count)") }
            $running = 0
            foreach ($book in $books) { if ($book.XSState -eq 'RUNNING') { $running++ } }
            Write-Sample "mem$chunk running=$running"
        }
        """;

    /// <param name="Heap">Bytes that survived the forced full GC: the live managed heap.</param>
    /// <param name="TotalMemory">What GC.GetTotalMemory says right after; shown only, see the note on it.</param>
    /// <param name="PeakRss">VmHWM, the largest resident set the process has had.</param>
    /// <param name="Committed">Memory the GC holds from the system, live or not: the part of RSS that a forced GC
    /// does not give back at once.</param>
    private sealed record Sample(long Rss, long Heap, long TotalMemory, long PeakRss, long Committed, long Threads)
    {
        public static Sample Parse(string text)
        {
            var numbers = text.Trim().Split(' ').Select(part => long.Parse(part, CultureInfo.InvariantCulture)).ToArray();
            return new Sample(numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5]);
        }
    }

    /// <summary>One idle pwsh and one busy pwsh; <see cref="StillRunning"/> counts the jobs not DONE at each sample.</summary>
    private sealed record Round(Sample Idle, IReadOnlyDictionary<int, Sample> Busy, IReadOnlyDictionary<int, int> StillRunning, FakeStats Stats);

    public static async Task<Figure> RunAsync(string repoRoot, string scratch, int jobs, int replyMs, int rounds)
    {
        var reply = new FakeReply { Events = ReplyEvents, EventDelayMs = replyMs / ReplyEvents, Chars = ReplyChars };
        await using var server = new FakeLlmServer(FakeScript.Always(reply));
        await server.StartAsync();

        var measured = new List<Round>();
        for (var round = 1; round <= rounds; round++)
        {
            var root = Directory.CreateDirectory(Path.Combine(scratch, "memory", $"round{round}")).FullName;
            server.Reset();
            measured.Add(RunRound(repoRoot, root, server, jobs));
        }
        var bookBytes = Directory.GetFiles(Path.Combine(scratch, "memory", "round1", "books"), "*.md").Sum(path => new FileInfo(path).Length);
        return Report(measured, jobs, replyMs, bookBytes);
    }

    private static Round RunRound(string repoRoot, string root, FakeLlmServer server, int jobs)
    {
        var configFolder = Directory.CreateDirectory(Path.Combine(root, ".xsarena")).FullName;
        // Both limits: total holds per project root, openai's own limit per local server address.
        File.WriteAllText(Path.Combine(configFolder, "config.yml"),
            $"scheduler:\n  concurrency: {{ total: {jobs}, openai: {jobs} }}\n");
        var script = PwshProcess.WriteScript(root, "memory.ps1", Script);
        var environment = new Dictionary<string, string>
        {
            ["XSARENA_PROJECT_ROOT"] = root,
            ["XSARENA_USER_CONFIG"] = Path.Combine(root, "no-user-config.yml"), // the user's own limits stay out
            ["OPENAI_API_KEY"] = "bench-placeholder-not-a-key", // a real key in the environment never reaches the fake server
        };
        string[] Arguments(int jobCount) =>
            ["-Manifest", PwshProcess.ModuleManifest(repoRoot), "-Jobs", jobCount.ToString(CultureInfo.InvariantCulture),
             "-BaseUri", server.BaseUrl, "-Chunks", Chunks.ToString(CultureInfo.InvariantCulture),
             "-MinChars", MinChars.ToString(CultureInfo.InvariantCulture), "-Samples", string.Join(',', SampleChunks)];

        Sample idle;
        using (var idlePwsh = PwshProcess.Start(repoRoot, script, environment, root, Arguments(0)))
            idle = Sample.Parse(idlePwsh.WaitFor("idle: ", IdleTimeout));

        var busy = new Dictionary<int, Sample>();
        var stillRunning = new Dictionary<int, int>();
        var held = 0;
        using (var pwsh = PwshProcess.Start(repoRoot, script, environment, root, Arguments(jobs)))
        {
            var started = int.Parse(pwsh.WaitFor("started: ", SampleTimeout), CultureInfo.InvariantCulture);
            if (started != jobs) throw new InvalidOperationException($"memory: Start-XSBook returned {started} jobs, expected {jobs}.");
            foreach (var chunk in SampleChunks)
            {
                if (chunk == Chunks) held = int.Parse(pwsh.WaitFor("held: ", SampleTimeout), CultureInfo.InvariantCulture);
                var line = pwsh.WaitFor($"mem{chunk} running=", SampleTimeout);
                var colon = line.IndexOf(':');
                stillRunning[chunk] = int.Parse(line[..colon], CultureInfo.InvariantCulture);
                busy[chunk] = Sample.Parse(line[(colon + 1)..]);
            }
        }

        var stats = server.Stats;
        if (stats.Requests != jobs * Chunks)
            throw new InvalidOperationException($"memory: {stats.Requests} requests for {jobs} books of {Chunks} chunks (extensions or retries happened).");
        if (stats.PeakActive < jobs)
            throw new InvalidOperationException($"memory: at most {stats.PeakActive} requests ran at once, not {jobs}; the limits did not rise.");
        if (held < jobs) throw new InvalidOperationException($"memory: the session held {held} XSArena jobs at the end, expected {jobs}.");
        return new Round(idle, busy, stillRunning, stats);
    }

    private static Figure Report(IReadOnlyList<Round> rounds, int jobs, int replyMs, long bookBytes)
    {
        var first = SampleChunks[0];
        long IdleMedian(Func<Sample, long> measure) => MedianOf(rounds.Select(r => measure(r.Idle)));
        long BusyMedian(int chunk, Func<Sample, long> measure) => MedianOf(rounds.Select(r => measure(r.Busy[chunk])));
        double ExtraRss(int chunk) => Mb(BusyMedian(chunk, s => s.Rss) - IdleMedian(s => s.Rss));
        double ExtraHeap(int chunk) => Mb(BusyMedian(chunk, s => s.Heap) - IdleMedian(s => s.Heap));
        double HeapGrowth(int chunk) => Mb(BusyMedian(chunk, s => s.Heap) - BusyMedian(first, s => s.Heap));
        double RssGrowth(int chunk) => Mb(BusyMedian(chunk, s => s.Rss) - BusyMedian(first, s => s.Rss));
        string Each(IEnumerable<long> values) => string.Join(" / ", values.Select(v => $"{Mb(v):0.0}")) + " MB";

        var worstExtra = SampleChunks.Max(c => Math.Max(ExtraRss(c), ExtraHeap(c)));
        var worstGrowth = SampleChunks.Skip(1).Max(HeapGrowth);
        var met = worstExtra <= TargetExtraMb && worstGrowth <= GrowthToleranceMb;
        var ratio = (double)SampleChunks.Max(c => BusyMedian(c, s => s.Rss)) / IdleMedian(s => s.Rss);

        var figure = new Figure("8", $"memory of {jobs} concurrent jobs",
            $"{Signed(ExtraRss(first))} MB RSS, {Signed(ExtraHeap(first))} MB heap at chunk {first}; "
            + $"{Signed(ExtraRss(Chunks))} MB RSS, {Signed(ExtraHeap(Chunks))} MB heap at chunk {Chunks}; "
            + $"heap growth {first} to {Chunks} {Signed(HeapGrowth(Chunks))} MB",
            $"idle pwsh with the module {Timing.Mb(IdleMedian(s => s.Rss))} RSS, {Timing.Mb(IdleMedian(s => s.Heap))} heap",
            ratio, $"<= {TargetExtraMb:0} MB more, no growth (heap {first} to {Chunks} <= {GrowthToleranceMb:0} MB)", met);
        figure.Notes.Add($"medians of {rounds.Count} rounds (one idle, then one busy pwsh each). idle: RSS {Each(rounds.Select(r => r.Idle.Rss))}, "
            + $"heap {Each(rounds.Select(r => r.Idle.Heap))}, GC committed {Timing.Mb(IdleMedian(s => s.Committed))}, "
            + $"RSS outside it {Timing.Mb(IdleMedian(s => s.Rss - s.Committed))}, {IdleMedian(s => s.Threads)} threads.");
        foreach (var chunk in SampleChunks)
        {
            figure.Notes.Add($"chunk {chunk} ({rounds[0].StillRunning[chunk]} of {jobs} still running): RSS {Each(rounds.Select(r => r.Busy[chunk].Rss))} "
                + $"(median {Signed(ExtraRss(chunk))} MB over idle), heap {Each(rounds.Select(r => r.Busy[chunk].Heap))} ({Signed(ExtraHeap(chunk))} MB); "
                + $"since chunk {first} heap {Signed(HeapGrowth(chunk))} MB, RSS {Signed(RssGrowth(chunk))} MB; GC committed "
                + $"{Timing.Mb(BusyMedian(chunk, s => s.Committed))}, RSS outside it {Timing.Mb(BusyMedian(chunk, s => s.Rss - s.Committed))}, "
                + $"{BusyMedian(chunk, s => s.Threads)} threads, peak RSS so far {Timing.Mb(BusyMedian(chunk, s => s.PeakRss))}.");
        }
        figure.Notes.Add($"judged on both: RSS and managed heap each at most {TargetExtraMb:0} MB over the idle pwsh at every sample; growth judged on "
            + $"the heap, at most {GrowthToleranceMb:0} MB from chunk {first} to any later sample. The heap after a forced GC counts only what is still "
            + "referenced, so it shows retention; RSS also holds memory the GC freed but keeps committed, native heaps, thread stacks and code, "
            + "so it is reported, not judged, for growth.");
        figure.Notes.Add($"{jobs} books of {Chunks} chunks, {Timing.Mb(bookBytes)} on disk per round; replies of {ReplyChars} chars in {ReplyEvents} SSE events "
            + $"over {replyMs} ms (min_chars {MinChars}, so no extension). Keeping the books in memory would add about "
            + $"{Timing.Mb(bookBytes * 2 * (SampleChunks[1] - first) / Chunks)} of heap (UTF-16) from chunk {first} to {SampleChunks[1]}.");
        figure.Notes.Add($"scheduler.concurrency total and openai raised to {jobs} in the scratch root's config.yml; the fake server saw "
            + $"{string.Join(" / ", rounds.Select(r => r.Stats.Requests))} requests, at most {string.Join(" / ", rounds.Select(r => r.Stats.PeakActive))} at once. "
            + $"The chunk-{Chunks} sample is taken when every job is DONE and still in the session's job table (Get-Job), none received.");
        figure.Notes.Add("samples: [GC]::Collect(), WaitForPendingFinalizers(), Collect(), then the bytes that survived that full GC "
            + "(GetGCMemoryInfo(FullBlocking).PromotedBytes) as the heap, and VmRSS from /proc/self/status. GC.GetTotalMemory is not the heap "
            + "figure: under the regions GC it miscounts gen0 when a gen0 region is kept in place rather than compacted, and can even go negative "
            + $"(dotnet/runtime#106712); for the record its medians were idle {Timing.Mb(IdleMedian(s => s.TotalMemory))}, "
            + string.Join(", ", SampleChunks.Select(c => $"chunk {c} {Timing.Mb(BusyMedian(c, s => s.TotalMemory))}")) + ".");
        return figure;
    }

    private static long MedianOf(IEnumerable<long> values) => (long)Timing.Median(values.Select(v => (double)v));

    private static double Mb(long bytes) => bytes / 1024.0 / 1024.0;

    private static string Signed(double megabytes)
    {
        var rounded = Math.Round(megabytes, 1);
        return (rounded >= 0 ? "+" : "-") + Math.Abs(rounded).ToString("0.0", CultureInfo.InvariantCulture);
    }
}
