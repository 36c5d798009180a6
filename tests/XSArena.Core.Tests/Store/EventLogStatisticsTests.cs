using System.Text;
using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Store;

/// <summary>The fast recount must give exactly what the full parse gives, line for odd line. Runs alone (with the
/// memory test): its big logs keep both cores busy for seconds, which would stall the timing tests beside it.</summary>
[Collection(nameof(EventLogStatisticsMemoryTests))]
public sealed class EventLogStatisticsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => Path.Combine(_dir.Path, EventLogWriter.FileName);

    private static readonly string[] ValidLines =
    [
        """{"ts": "2026-01-05T09:00:00.000000Z", "type": "job_started", "job_id": "j", "backend": "openai"}""",
        """{"ts": "2026-01-05T09:00:01.000000Z", "type": "request", "job_id": "j", "chunk_idx": 1, "prompt_tokens": 900, "completion_tokens": 1500, "cost": 0.000125, "chars": 6000}""",
        """{"ts": "2026-01-05T09:00:02.000000Z", "type": "next_hint", "job_id": "j", "chunk_idx": 1, "hint": "Eigenvalues next"}""",
        """{"ts": "2026-01-05T09:00:03.000000Z", "type": "chunk_done", "job_id": "j", "chunk_idx": 1, "out_len": 6002, "sha256": "ab"}""",
        """{"ts": "2026-01-05T09:00:04.000000Z", "type": "retry", "job_id": "j", "chunk_idx": 2, "error_code": "server_error", "delay_s": 2.5}""",
        """{"ts": "2026-01-05T09:00:05.000000Z", "type": "failover", "job_id": "j", "from": "openai", "to": "offline"}""",
        """{"ts": "2026-01-05T09:00:06.000000Z", "type": "watchdog_timeout", "job_id": "j", "chunk_idx": 2}""",
        """{"ts": "2026-01-05T09:00:07.000000Z", "type": "chunk_done", "job_id": "j", "chunk_idx": 2, "out_len": 12010}""",
        """{"ts": "2026-01-05T09:00:08.000000Z", "type": "book_reconciled", "job_id": "j", "chunks_kept": 1, "out_len": 6002}""",
        """{"ts": "2026-01-05T09:00:09.000000Z", "type": "job_failed", "job_id": "j", "error_code": "auth", "user_message": "Key rejected: \"sk-...\" \u00e9"}""",
    ];

    private static readonly string[] HostileLines =
    [
        """{"type": "request", "type": "chunk_done", "chunk_idx": 9}""",
        """{"type": "request", "prompt_tokens": 5, "prompt_tokens": 6}""",
        """{"type": "notes", "type": "request"}""",
        """{"type": 7, "chunk_idx": 3}""",
        """{"t\u0079pe": "req\u0075est", "prompt\u005ftokens": 11, "cost": 1E-3}""",
        """{"type": "chunk_done", "chunk_idx": 1e20, "out_len": 1e300}""",
        """{"type": "request", "cost": 1e300, "prompt_tokens": -1e400, "completion_tokens": 12.9}""",
        """{"type": "chunk_done", "chunk_idx": 4, "nested": {"type": "request", "chunk_idx": 99, "a": [1, {"b": 2}]}}""",
        """{"type": "request", "prompt_tokens": 3} {"type": "request"}""",
        """{"type": "request", "prompt_tokens": 3} x""",
        """[{"type": "request"}]""",
        """{"type": "request", "prompt_tokens": 3,}""",
        """{"type": "chunk_done", "chunk_idx": 5, "out_len": "6000"}""",
        """{"type": "job_failed", "job_id": "\ud800", "user_message": "lone \udc00 surrogate", "error": "e"}""",
        """{"type": "job_failed", "error": "fallback text", "user_message": null}""",
        """{"type": "req\ud800uest"}""",
        """{"type": "request", "prompt_tokens": 8, "message": "Caf\u00e9 — naïve"}""",
        """   {"type": "retry"}   """,
        """{"type": "retry" """,
        "",
        "   ",
        "not json at all",
        "{\"type\": \"request\",\t\"prompt_tokens\": 4}",
        new string('[', 70) + new string(']', 70),
        // Lines close to the writer's own shape, which the recount reads without the JSON reader.
        """{"type": "request", "prompt_tokens": 01}""",
        """{"type": "request", "prompt_tokens": 1.}""",
        """{"type": "request", "prompt_tokens": .5}""",
        """{"type": "request", "prompt_tokens": -}""",
        """{"type": "request", "prompt_tokens": 1e}""",
        """{"type": "request", "prompt_tokens": 1E+}""",
        """{"type": "request", "prompt_tokens": +1}""",
        """{"type": "request", "prompt_tokens": -0, "completion_tokens": -12, "cost": -0.5}""",
        """{"type": "request", "prompt_tokens": 123456789012345678, "completion_tokens": 1234567890123456789, "cost": 12345678901234567.8}""",
        """{"type": "request", "cost": 0.0000000000000000000000000001234, "prompt_tokens": 7.0}""",
        """{"type": "request", "cost": 2.5e-3, "prompt_tokens": 1E2}""",
        """{"type":"request","prompt_tokens":3}""",
        "{\"type\":\t\"request\" ,\"prompt_tokens\" :\t3 }",
        """{"type": "request", "prompt_tokens": tru}""",
        """{"type": "request", "flag": true, "none": null, "off": false, "prompt_tokens": 2}""",
        """{"type": "request", "flag": nulls, "prompt_tokens": 2}""",
        "{\"type\": \"request\", \"note\": \"a\u0001b\", \"prompt_tokens\": 2}",
        """{"type": "request", "prompt_tokens": 2, }""",
        """{"type": "request" "prompt_tokens": 2}""",
        """{"type": "request", "prompt_tokens" 2}""",
        """{"type": "request", "prompt_tokens": 2}}""",
        """{"type": "request", "prompt_tokens": 2"}""",
        """{"type": "request", "prompt_tokens": 2} """,
        """{}""",
        """{"prompt_tokens": 2}""",
        """{"type": "chunk_done", "chunk_idx": 3, "type": "chunk_done"}""",
        """{"type": "chunk_done", "chunk_idx": 3, "chunk_idx": 4}""",
        """{"chunk_idx": 3, "type": "chunk_done", "out_len": 12}""",
        """{"type": "chunk_done", "chunk_idx": 6, "deep": """ + new string('[', 70) + new string(']', 70) + "}",
    ];

    private JobStatistics FullParse() => JobStatistics.Fold(EventLogReader.ReadAll(_dir.Path));

    private void AssertSameAsFullParse(byte[] content)
    {
        File.WriteAllBytes(LogPath, content);
        var expected = FullParse();
        Assert.Equal(expected, EventLogStatistics.Recount(_dir.Path));
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Counts_a_log_written_by_the_writer_as_the_full_parse_does()
    {
        var random = new Random(3);
        using (var writer = EventLogWriter.Open(_dir.Path))
        {
            for (var chunk = 1; chunk <= 300; chunk++)
            {
                if (random.Next(5) == 0) writer.Append(Event("retry", new JsonObject { ["chunk_idx"] = chunk, ["delay_s"] = 1.5 }));
                writer.Append(Event("request", new JsonObject
                {
                    ["chunk_idx"] = chunk, ["prompt_tokens"] = random.Next(1000), ["completion_tokens"] = 1500L,
                    ["cost"] = Math.Round(random.NextDouble() / 1000, 6),
                }));
                writer.Append(Event("next_hint", new JsonObject { ["chunk_idx"] = chunk, ["hint"] = "Café au lait" }));
                writer.Append(Event("chunk_done", new JsonObject { ["chunk_idx"] = chunk, ["out_len"] = chunk * 6000L }));
            }
            writer.Append(Event("job_failed", new JsonObject { ["error_code"] = "auth", ["user_message"] = "Clé refusée" }));
        }
        var expected = FullParse();
        Assert.Equal(300, expected.ChunksDone);
        Assert.Equal("Clé refusée", expected.LastError);
        Assert.Equal(expected, EventLogStatistics.Recount(_dir.Path));
    }

    [Fact]
    public void Every_valid_line_counts_alone_as_in_the_full_parse()
    {
        foreach (var line in ValidLines)
        {
            AssertSameAsFullParse(Utf8(line + "\n"));
            var counted = JobStatistics.CountedTypes.Any(type => line.Contains($"\"type\": \"{type}\""));
            Assert.Equal(counted, EventLogStatistics.Recount(_dir.Path) != JobStatistics.Empty);
        }
    }

    [Theory]
    [MemberData(nameof(HostileLineIndexes))]
    public void A_hostile_line_is_counted_or_skipped_as_in_the_full_parse_and_never_throws(int index)
    {
        var line = HostileLines[index];
        AssertSameAsFullParse(Utf8(line + "\n"));
        AssertSameAsFullParse(Utf8(string.Join("\n", ValidLines[..4]) + "\n" + line + "\n" + string.Join("\n", ValidLines[4..]) + "\n"));
    }

    public static TheoryData<int> HostileLineIndexes() => [.. Enumerable.Range(0, HostileLines.Length)];

    [Fact]
    public void Hostile_numbers_and_duplicate_keys_do_not_break_the_full_parse()
    {
        File.WriteAllText(LogPath, """
            {"type": "chunk_done", "chunk_idx": 1e20, "out_len": 1e300}
            {"type": "request", "cost": 1e300, "prompt_tokens": 5}
            {"type": "chunk_done", "type": "request", "chunk_idx": 3}
            {"type": "chunk_done", "chunk_idx": 2, "out_len": 10}
            """);
        var stats = FullParse();
        Assert.Equal(new JobStatistics { ChunksDone = 2, OutLength = 10, Requests = 1, PromptTokens = 5 }, stats);
        Assert.Equal(stats, EventLogStatistics.Recount(_dir.Path));
    }

    [Fact]
    public void Line_endings_a_byte_order_mark_bad_utf8_and_a_torn_last_line_count_as_in_the_full_parse()
    {
        var body = string.Join("\r\n", ValidLines) + "\r\n";
        AssertSameAsFullParse(Utf8(body));
        AssertSameAsFullParse([.. Encoding.UTF8.Preamble, .. Utf8(body)]);
        AssertSameAsFullParse(Utf8(ValidLines[1].Replace(", \"chunk_idx\"", ",\r\"chunk_idx\"") + "\n" + ValidLines[3]));
        AssertSameAsFullParse([.. Utf8(ValidLines[1][..^1] + ", \"note\": \""), 0xC3, 0x28, 0xFF, .. Utf8("\"}\n"), .. Utf8(ValidLines[3])]);
        AssertSameAsFullParse(Utf8(string.Join("\n", ValidLines) + "\n" + ValidLines[1][..40]));
        AssertSameAsFullParse([]);
    }

    [Fact]
    public void Random_damage_to_a_log_counts_as_in_the_full_parse()
    {
        var random = new Random(11);
        var clean = Utf8(string.Join("\n", ValidLines.Concat(ValidLines).Concat(HostileLines)) + "\n");
        const string Damage = "\"{}[]:,\\ \r\n0123456789eE-+.tfnu_xyz";
        for (var round = 0; round < 2000; round++)
        {
            var bytes = clean.ToList();
            for (var edits = random.Next(1, 6); edits > 0; edits--)
            {
                var at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0: bytes[at] = (byte)Damage[random.Next(Damage.Length)]; break;
                    case 1: bytes.RemoveAt(at); break;
                    case 2: bytes.Insert(at, (byte)Damage[random.Next(Damage.Length)]); break;
                    default: bytes.InsertRange(at, bytes.Skip(random.Next(bytes.Count)).Take(random.Next(1, 80)).ToList()); break;
                }
            }
            AssertSameAsFullParse([.. bytes]);
        }
    }

    [Fact]
    public void A_damaged_log_of_many_read_rounds_counts_as_in_the_full_parse()
    {
        var random = new Random(17);
        var lines = Enumerable.Range(0, 12).SelectMany(_ => ValidLines.Concat(HostileLines)).ToList();
        var bytes = Utf8(string.Join("\r\n", Enumerable.Range(0, 200).SelectMany(_ => lines)) + "\n").ToList();
        Assert.True(bytes.Count > 4 << 20, "the log must span several rounds of parallel parts");
        for (var edit = 0; edit < 300; edit++) bytes[random.Next(bytes.Count)] = (byte)"\"{}:,\n\r9"[random.Next(8)];
        AssertSameAsFullParse([.. bytes]);
        Assert.True(EventLogStatistics.Recount(_dir.Path).Requests > 1000);
    }

    [Fact]
    public void Plain_numbers_keep_the_value_and_scale_the_JSON_reader_gives_them()
    {
        File.WriteAllText(LogPath, string.Join("\n",
            """{"type": "request", "prompt_tokens": 900, "completion_tokens": 0, "cost": 1.50}""",
            """{"type": "request", "prompt_tokens": 999999999999999999, "completion_tokens": 12, "cost": 0.000125}""",
            """{"type": "request", "cost": 100000000000000000.0}""",
            """{"type": "chunk_done", "chunk_idx": 40, "out_len": 123456789012}""") + "\n");
        var expected = FullParse();
        var recounted = EventLogStatistics.Recount(_dir.Path);
        Assert.Equal(expected, recounted);
        Assert.Equal(1_000_000_000_000_000_899L, recounted.PromptTokens);
        Assert.Equal(expected.Cost.ToString(System.Globalization.CultureInfo.InvariantCulture), recounted.Cost.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("100000000000000001.500125", recounted.Cost.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Lines_longer_than_half_a_read_round_anywhere_in_a_big_log_count_as_in_the_full_parse()
    {
        var body = new StringBuilder();
        void Normal(int rounds) { for (var i = 0; i < rounds; i++) body.Append(string.Join("\n", ValidLines)).Append('\n'); }
        Normal(1500);
        body.Append($$"""{"type": "request", "prompt_tokens": 4, "hint": "{{new string('y', 1_700_000)}}"}""").Append('\n');
        Normal(700);
        body.Append($$"""{"type": "request", "prompt_tokens": 5, "hint": "{{new string('z', 5_000_000)}}"}""").Append('\n');
        Normal(300);
        AssertSameAsFullParse(Utf8(body.ToString()));
        Assert.Equal(900L * 2500 + 9, EventLogStatistics.Recount(_dir.Path).PromptTokens);
    }

    [Fact]
    public void A_missing_log_counts_nothing()
    {
        Assert.Equal(JobStatistics.Empty, EventLogStatistics.Recount(Path.Combine(_dir.Path, "absent")));
    }

    [Fact]
    public void A_line_longer_than_the_read_block_is_counted()
    {
        var longHint = new string('x', 3 << 20);
        AssertSameAsFullParse(Utf8($$"""{"type": "request", "prompt_tokens": 4, "hint": "{{longHint}}"}""" + "\n" + ValidLines[3] + "\n"));
        Assert.Equal(4, EventLogStatistics.Recount(_dir.Path).PromptTokens);
    }

    [Fact]
    public void Types_outside_the_counted_set_change_no_statistic()
    {
        var fields = new JsonObject
        {
            ["chunk_idx"] = 7, ["out_len"] = 100, ["chunks_kept"] = 3, ["prompt_tokens"] = 5, ["completion_tokens"] = 6,
            ["cost"] = 0.5, ["user_message"] = "m", ["error"] = "e", ["error_code"] = "c",
        };
        var start = new JobStatistics { ChunksDone = 1, Requests = 2 };
        var uncounted = typeof(EventTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!)
            .Where(type => !JobStatistics.CountedTypes.Contains(type)).ToList();
        Assert.Contains(EventTypes.NextHint, uncounted);
        foreach (var type in uncounted) Assert.Same(start, start.Apply(Event(type, fields.DeepClone().AsObject())));
        foreach (var type in JobStatistics.CountedTypes) Assert.NotEqual(start, start.Apply(Event(type, fields.DeepClone().AsObject())));
    }

    private static JobEvent Event(string type, JsonObject fields) =>
        new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), type, "job-1", fields);
}

/// <summary>Runs alone: it counts the bytes the whole process allocates, the recount's worker threads included.</summary>
[CollectionDefinition(nameof(EventLogStatisticsMemoryTests), DisableParallelization = true)]
[Collection(nameof(EventLogStatisticsMemoryTests))]
public sealed class EventLogStatisticsMemoryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Recount_allocates_a_small_record_per_counted_line_not_an_event_object_per_line()
    {
        const int Chunks = 20_000;
        using (var writer = EventLogWriter.Open(_dir.Path))
        {
            for (var chunk = 1; chunk <= Chunks; chunk++)
            {
                writer.Append(Event("request", new JsonObject { ["chunk_idx"] = chunk, ["prompt_tokens"] = 900, ["cost"] = 0.0001, ["model"] = "gpt-4o-mini" }));
                writer.Append(Event("next_hint", new JsonObject { ["chunk_idx"] = chunk, ["hint"] = "Go on with the spectral theorem and its proof." }));
                writer.Append(Event("chunk_done", new JsonObject { ["chunk_idx"] = chunk, ["out_len"] = chunk * 6000L, ["sha256"] = "9f2c4e1a7b3d5f60" }));
            }
        }
        Assert.True(new FileInfo(Path.Combine(_dir.Path, EventLogWriter.FileName)).Length > 8 << 20, "the log must span several read rounds");
        EventLogStatistics.Recount(_dir.Path);

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var stats = EventLogStatistics.Recount(_dir.Path);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(Chunks, stats.ChunksDone);
        Assert.Equal(Chunks * 900L, stats.PromptTokens);
        // Read buffer and field tables (a few MB at most), then about 100 bytes of statistics record per counted line;
        // an event object per line would be well over 1 KB a line (about 60 MB here).
        var perLine = (allocated - (16 << 20)) / (3.0 * Chunks);
        Assert.True(perLine < 150, $"{allocated / 1024 / 1024} MB allocated for {3 * Chunks} lines");
    }

    private static JobEvent Event(string type, JsonObject fields) =>
        new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), type, "job-1", fields);
}
