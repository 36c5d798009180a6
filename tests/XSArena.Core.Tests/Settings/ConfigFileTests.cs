using XSArena.Core.Book;
using XSArena.Core.Settings;

namespace XSArena.Core.Tests.Settings;

public sealed class ConfigFileTests
{
    private const string File = "/cfg/config.yml";

    private static ConfigFile Parse(string yaml, List<string>? notes = null) =>
        ConfigFile.Parse(File, yaml.Replace("\r\n", "\n"), ConfigFile.ProjectOrigin, notes is null ? null : notes.Add);

    private static ConfigException Broken(string yaml) => Assert.Throws<ConfigException>(() => Parse(yaml));

    [Fact]
    public void The_documented_example_parses()
    {
        var file = Parse("""
            backend: bridge
            model: default
            backends:
              openrouter: { base_url: "https://openrouter.ai/api/v1", model: openai/gpt-4o, api_key_env: OPENROUTER_API_KEY, timeouts: { first_byte: 90, idle: 120, total: 1800 }, max_retries: 4 }
              local: { kind: openai, base_url: "http://127.0.0.1:11434/v1", model: llama3.1 }
            fallback: [openrouter]
            retries: { max: 4, backoff_base: 2, backoff_cap: 60 }
            presets: { length: { long: { min_chars: 6000, passes: 3 } }, span: { medium: 10 } }
            scheduler:
              concurrency: { total: 1, bridge: 1, openrouter: 1 }
              quiet_hours: { enabled: false, start: "22:00", end: "06:00" }
              default_priority: 0
            """);
        var keys = file.Entries.ToDictionary(e => e.Key);
        Assert.Equal("bridge", keys["backend"].Value);
        Assert.Equal(TimeSpan.FromSeconds(90), keys["backends.openrouter.timeouts.first_byte"].Value);
        Assert.Equal("openai", keys["backends.local.kind"].Value);
        Assert.Equal(new[] { "openrouter" }, (IEnumerable<string>)keys["fallback"].Value);
        Assert.Equal(6000, keys["presets.length.long.min_chars"].Value);
        Assert.Equal(10, keys["presets.span.medium"].Value);
        Assert.Equal(new TimeOnly(22, 0), keys["scheduler.quiet_hours.start"].Value);
        Assert.Equal(10, keys["scheduler.concurrency.total"].Line);
    }

    [Fact]
    public void An_empty_file_is_an_empty_layer() => Assert.Empty(Parse("# nothing yet\n").Entries);

    [Fact]
    public void Unknown_key_suggests_the_closest_one()
    {
        var ex = Broken("backend: bridge\nschedular:\n  default_priority: 1\n");
        Assert.Equal(2, ex.Line);
        Assert.Equal("schedular", ex.Key);
        Assert.Equal(File, ex.File);
        Assert.Contains("Did you mean 'scheduler'?", ex.Message);
    }

    [Fact]
    public void Unknown_nested_key_names_its_path_and_suggestion()
    {
        var ex = Broken("scheduler:\n  concurrency: { total: 1 }\n  quiet_hours:\n    enabeld: true\n");
        Assert.Equal(4, ex.Line);
        Assert.Equal("scheduler.quiet_hours.enabeld", ex.Key);
        Assert.Contains("Did you mean 'enabled'?", ex.Message);
    }

    [Fact]
    public void Duplicate_key_names_both_lines()
    {
        var ex = Broken("backend: bridge\nmodel: a\nbackend: openrouter\n");
        Assert.Equal(3, ex.Line);
        Assert.Equal("backend", ex.Key);
        Assert.Contains("line 1", ex.Message);
        Assert.Contains("line 3", ex.Message);
    }

    [Fact]
    public void Tab_in_indentation_is_rejected_with_its_line()
    {
        var ex = Broken("scheduler:\n\tdefault_priority: 1\n");
        Assert.Equal(2, ex.Line);
        Assert.Contains("tab", ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Wrong_type_says_what_was_expected()
    {
        var ex = Broken("scheduler:\n  concurrency: 3\n");
        Assert.Equal(2, ex.Line);
        Assert.Equal("scheduler.concurrency", ex.Key);
        Assert.Contains("mapping", ex.Message);

        var word = Broken("scheduler:\n  default_priority: high\n");
        Assert.Equal("scheduler.default_priority", word.Key);
        Assert.Contains("whole number", word.Message);
    }

    [Theory]
    [InlineData("yes", "true")]
    [InlineData("on", "true")]
    [InlineData("no", "false")]
    [InlineData("off", "false")]
    public void Yes_no_on_off_are_not_booleans(string word, string instead)
    {
        var ex = Broken($"scheduler:\n  quiet_hours:\n    enabled: {word}\n");
        Assert.Equal(3, ex.Line);
        Assert.Equal("scheduler.quiet_hours.enabled", ex.Key);
        Assert.Contains($"write {instead}", ex.Message);
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("1.000,5")]
    public void Culture_dependent_numbers_are_rejected(string number)
    {
        var ex = Broken($"repetition_threshold: {number}\n");
        Assert.Equal(1, ex.Line);
        Assert.Equal("repetition_threshold", ex.Key);
        Assert.Contains("'.' for decimals", ex.Message);
    }

    [Fact]
    public void A_quoted_number_is_rejected_with_what_to_write()
    {
        var ex = Broken("scheduler:\n  concurrency:\n    total: \"30\"\n");
        Assert.Equal(3, ex.Line);
        Assert.Equal("scheduler.concurrency.total", ex.Key);
        Assert.Contains("without quotes", ex.Message);
        Assert.Contains("write 30 unquoted", ex.Message);
    }

    [Fact]
    public void A_literal_api_key_names_the_variable_to_use()
    {
        var ex = Broken("backends:\n  openrouter:\n    model: x\n    api_key: sk-or-v1-0000\n");
        Assert.Equal(4, ex.Line);
        Assert.Equal("backends.openrouter.api_key", ex.Key);
        Assert.Contains("OPENROUTER_API_KEY", ex.Message);
        Assert.DoesNotContain("sk-or-v1-0000", ex.Message);
    }

    [Fact]
    public void A_literal_key_at_the_top_level_is_rejected_too()
    {
        var ex = Broken("api_key: abc\n");
        Assert.Equal("api_key", ex.Key);
        Assert.Contains("OPENROUTER_API_KEY", ex.Message);
    }

    [Fact]
    public void A_key_in_api_key_env_is_rejected_without_echoing_it()
    {
        var ex = Broken("backends:\n  local:\n    kind: openai\n    api_key_env: sk-proj-abcdefghijklmnopqrstuvwxyz\n");
        Assert.Equal(4, ex.Line);
        Assert.Contains("LOCAL_API_KEY", ex.Message);
        Assert.DoesNotContain("abcdefghijklmnop", ex.Message);
    }

    [Theory]
    [InlineData("90s")]
    [InlineData("1,5")]
    [InlineData("-3")]
    [InlineData("25:99:00")]
    public void Bad_durations_are_rejected(string duration)
    {
        var ex = Broken($"timeouts:\n  idle: {duration}\n");
        Assert.Equal(2, ex.Line);
        Assert.Equal("timeouts.idle", ex.Key);
    }

    [Fact]
    public void Durations_are_seconds_or_hh_mm_ss()
    {
        var keys = Parse("timeouts:\n  idle: 2.5\n  total: \"00:30:00\"\n  first_byte: 01:00:00\n").Entries.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(TimeSpan.FromSeconds(2.5), keys["timeouts.idle"]);
        Assert.Equal(TimeSpan.FromMinutes(30), keys["timeouts.total"]);
        Assert.Equal(TimeSpan.FromHours(1), keys["timeouts.first_byte"]);
    }

    [Fact]
    public void Quiet_hours_crossing_midnight_are_parsed_and_judged()
    {
        var layer = Parse("scheduler:\n  quiet_hours: { enabled: true, start: \"22:00\", end: \"06:30\" }\n");
        var settings = SettingsBuilder.Build(new Dictionary<string, string?>(), [layer], null);
        var quiet = settings.QuietHours;
        Assert.True(quiet.Enabled);
        Assert.True(quiet.CrossesMidnight);
        Assert.True(quiet.IsQuiet(new TimeOnly(23, 15)));
        Assert.True(quiet.IsQuiet(new TimeOnly(3, 0)));
        Assert.False(quiet.IsQuiet(new TimeOnly(6, 30)));
        Assert.False(quiet.IsQuiet(new TimeOnly(12, 0)));
    }

    [Fact]
    public void Bad_time_of_day_is_rejected()
    {
        var ex = Broken("scheduler:\n  quiet_hours: { start: \"10pm\" }\n");
        Assert.Equal("scheduler.quiet_hours.start", ex.Key);
    }

    [Fact]
    public void Unknown_preset_name_suggests_one()
    {
        var ex = Broken("presets:\n  length:\n    lnog: { passes: 2 }\n");
        Assert.Equal(3, ex.Line);
        Assert.Contains("Did you mean 'long'?", ex.Message);
    }

    [Fact]
    public void Unknown_backend_kind_is_rejected()
    {
        var ex = Broken("backends:\n  local: { kind: olama }\n");
        Assert.Equal("backends.local.kind", ex.Key);
    }

    [Fact]
    public void Invalid_yaml_is_reported_with_a_line()
    {
        var ex = Broken("backend: bridge\nscheduler: [1, 2\n");
        Assert.True(ex.Line >= 2);
        Assert.Contains("Not valid YAML", ex.Message);
    }

    [Fact]
    public void Upstream_sections_are_ignored_with_a_note()
    {
        var notes = new List<string>();
        var file = Parse("settings:\n  output_min_chars: 3000\nbridge:\n  session_id: abc\n  api_key: secret\nsnapshot_presets: {}\nbackend: openrouter\n", notes);
        Assert.Equal(["backend"], file.Entries.Select(e => e.Key));
        Assert.Equal(3, notes.Count);
        Assert.Contains(notes, n => n.Contains(":3: bridge") && n.Contains("ignored"));
        Assert.DoesNotContain(notes, n => n.Contains("secret"));
    }
}
