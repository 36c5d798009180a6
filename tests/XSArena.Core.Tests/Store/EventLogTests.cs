using System.Text;
using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Store;

public sealed class EventLogTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static JobEvent Event(string type, int chunk = 0) =>
        new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), type, "job-1", new JsonObject { ["chunk_idx"] = chunk });

    [Fact]
    public void Lines_use_upstream_separators_and_ascii_escapes()
    {
        var e = new JobEvent(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), "chunk_done", "j",
            new JsonObject { ["chunk_idx"] = 3, ["hint"] = "Café" });
        var line = EventSerializer.ToLine(e);
        Assert.Equal("{\"ts\": \"2026-01-02T03:04:05.000000Z\", \"type\": \"chunk_done\", \"job_id\": \"j\", \"chunk_idx\": 3, \"hint\": \"Caf\\u00E9\"}", line);
        Assert.Contains("\"type\": \"chunk_done\"", line);
    }

    [Fact]
    public void Written_events_read_back_in_order_with_fields()
    {
        using (var writer = EventLogWriter.Open(_dir.Path))
        {
            writer.Append(Event("job_started"));
            writer.Append(Event("chunk_done", 1));
        }
        var events = EventLogReader.ReadAll(_dir.Path).ToList();
        Assert.Equal(["job_started", "chunk_done"], events.Select(e => e.Type));
        Assert.Equal(1, events[1].ChunkIndex);
        Assert.Equal(2, events[1].Line);
        Assert.Equal("job-1", events[1].JobId);
    }

    [Fact]
    public void Torn_last_line_is_skipped_on_read_with_a_warning()
    {
        File.WriteAllText(_dir.Combine("events.jsonl"), "{\"ts\": \"2026-01-01T00:00:00Z\", \"type\": \"job_started\", \"job_id\": \"a\"}\n{\"ts\": \"2026-01-01T00:00:01Z\", \"type\": \"chunk_d");
        var warnings = new List<string>();
        var events = EventLogReader.ReadAll(_dir.Path, warnings.Add).ToList();
        Assert.Single(events);
        Assert.Single(warnings);
        Assert.Contains("line 2", warnings[0]);
        Assert.Contains("torn", warnings[0]);
    }

    [Fact]
    public void Opening_the_writer_cuts_a_torn_tail_and_keeps_the_fragment()
    {
        const string good = "{\"ts\": \"2026-01-01T00:00:00Z\", \"type\": \"job_started\", \"job_id\": \"a\"}\n";
        File.WriteAllText(_dir.Combine("events.jsonl"), good + "{\"ts\": \"2026-01-01T00:0");
        using (var writer = EventLogWriter.Open(_dir.Path)) writer.Append(Event("chunk_done", 1));

        var lines = File.ReadAllLines(_dir.Combine("events.jsonl"));
        Assert.Equal(2, lines.Length);
        Assert.Equal(good.TrimEnd('\n'), lines[0]);
        Assert.StartsWith("{\"ts\": ", lines[1]);
        Assert.Equal("{\"ts\": \"2026-01-01T00:0\n", File.ReadAllText(_dir.Combine(EventLogWriter.CorruptFileName)));
        Assert.Equal(2, EventLogReader.ReadAll(_dir.Path).Count());
    }

    [Fact]
    public void A_torn_file_with_no_newline_at_all_is_cut_to_empty()
    {
        File.WriteAllText(_dir.Combine("events.jsonl"), "{\"ts\": garbage");
        using (var writer = EventLogWriter.Open(_dir.Path)) writer.Append(Event("job_started"));
        Assert.Single(File.ReadAllLines(_dir.Combine("events.jsonl")));
        Assert.Single(EventLogReader.ReadAll(_dir.Path));
    }

    [Fact]
    public void Tail_returns_only_complete_lines_and_picks_up_the_rest_later()
    {
        var path = _dir.Combine("events.jsonl");
        File.WriteAllText(path, "{\"ts\": \"2026-01-01T00:00:00Z\", \"type\": \"a\", \"job_id\": \"x\"}\n{\"ts\": \"2026-01-01T00:00:00Z\", \"ty");
        var tail = new EventLogTail(_dir.Path);
        Assert.Equal(["a"], tail.ReadNew().Select(e => e.Type));
        File.AppendAllText(path, "pe\": \"b\", \"job_id\": \"x\"}\n");
        var next = tail.ReadNew();
        Assert.Equal(["b"], next.Select(e => e.Type));
        Assert.Equal(2, next[0].Line);
        Assert.Empty(tail.ReadNew());
    }

    [Fact]
    public void Non_ascii_text_round_trips()
    {
        using (var writer = EventLogWriter.Open(_dir.Path))
            writer.Append(new JobEvent(DateTimeOffset.UtcNow, "next_hint", "j", new JsonObject { ["hint"] = "中文 — ünïcödé 🚀" }));
        Assert.Equal("中文 — ünïcödé 🚀", EventLogReader.ReadAll(_dir.Path).Single().GetString("hint"));
        Assert.True(File.ReadAllBytes(_dir.Combine("events.jsonl")).All(b => b < 128), "lines are ASCII-escaped");
        _ = Encoding.UTF8;
    }
}
