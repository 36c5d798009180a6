using XSArena.Core.Book;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Settings;

public sealed class SettingsLayersTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, string yaml)
    {
        var path = _dir.Combine(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static Dictionary<string, string?> Env(params (string, string)[] pairs) =>
        pairs.ToDictionary(p => p.Item1, p => (string?)p.Item2);

    [Fact]
    public void Default_then_user_then_project_then_environment_with_provenance()
    {
        var user = Write("home/config.yml", "backend: openrouter\nmodel: user-model\nscheduler:\n  default_priority: 3\n  concurrency: { total: 2 }\n");
        var project = Write("root/.xsarena/config.yml", "model: project-model\nscheduler:\n  concurrency:\n    total: 5\n");
        var settings = SettingsBuilder.Build(Env((SettingsBuilder.ModelVariable, "env-model")), user, project, null, null);

        Assert.Equal("openrouter", settings.DefaultBackend);
        Assert.Equal($"user:{user}:1", settings.Sources["backend"]);
        Assert.Equal("env-model", settings.DefaultModel);
        Assert.Equal("env:XSARENA_MODEL", settings.Sources["model"]);
        Assert.Equal(3, settings.DefaultPriority);
        Assert.Equal($"user:{user}:4", settings.Sources["scheduler.default_priority"]);
        Assert.Equal(5, settings.Concurrency.Total);
        Assert.Equal($"project:{project}:4", settings.Sources["scheduler.concurrency.total"]);

        var listed = EffectiveConfig.List(settings).ToDictionary(v => v.Key);
        Assert.Equal("default", listed["timeouts.idle"].Source);
        Assert.Equal("env:XSARENA_MODEL", listed["model"].Source);
        Assert.Equal(5, listed["scheduler.concurrency.total"].Value);
        Assert.Equal("default", listed["scheduler.concurrency.bridge"].Source);
    }

    [Fact]
    public void Without_files_the_defaults_hold()
    {
        var settings = SettingsBuilder.Build(Env(), _dir.Combine("missing-user.yml"), _dir.Combine("missing-project.yml"), _dir.Combine("missing-project.yml"), null);
        Assert.Equal(new XSSettings().DefaultBackend, settings.DefaultBackend);
        Assert.Equal(1, settings.Concurrency.Total);
        Assert.Equal(1, settings.Concurrency.For("bridge"));
        Assert.False(settings.QuietHours.Enabled);
        Assert.Empty(settings.Sources);
        Assert.All(EffectiveConfig.List(settings), v => Assert.Equal("default", v.Source));
    }

    [Fact]
    public void Environment_base_url_beats_the_files()
    {
        var project = Write("p.yml", "backends:\n  bridge: { base_url: \"http://127.0.0.1:6000/v1\" }\n");
        var settings = SettingsBuilder.Build(Env(("XSA_BRIDGE_URL", "http://127.0.0.1:7000/v1")), null, project, null, null);
        Assert.Equal("http://127.0.0.1:7000/v1", settings.Backends["bridge"].BaseUrl);
        Assert.Equal("env:XSA_BRIDGE_URL", settings.Sources["backends.bridge.base_url"]);
    }

    [Fact]
    public void A_new_backend_profile_and_per_backend_timeouts()
    {
        var project = Write("p.yml", """
            backends:
              local:
                base_url: "http://127.0.0.1:11434/v1"
                kind: openai
                model: llama3.1
                api_key_env: LOCAL_KEY
              openrouter:
                timeouts: { first_byte: 90 }
            """);
        var settings = SettingsBuilder.Build(Env(), null, project, null, null);
        var local = settings.Backends["local"];
        Assert.Equal(("openai", "http://127.0.0.1:11434/v1", "llama3.1", "LOCAL_KEY"), (local.Kind, local.BaseUrl, local.Model, local.ApiKeyVariable));
        var timeouts = settings.Backends["openrouter"].Timeouts!.Over(settings.Timeouts);
        Assert.Equal(TimeSpan.FromSeconds(90), timeouts.FirstByte);
        Assert.Equal(settings.Timeouts.Idle, timeouts.Idle);
    }

    [Fact]
    public void A_new_backend_without_kind_is_an_error()
    {
        var project = Write("p.yml", "backends:\n  local:\n    base_url: \"http://127.0.0.1:1/v1\"\n");
        var ex = Assert.Throws<ConfigException>(() => SettingsBuilder.Build(Env(), null, project, null, null));
        Assert.Equal(3, ex.Line);
        Assert.Contains("kind", ex.Message);
    }

    [Fact]
    public void A_broken_user_file_stops_the_build_even_when_the_project_file_is_fine()
    {
        var user = Write("u.yml", "backend: bridge\nbackend: openai\n");
        var project = Write("p.yml", "model: x\n");
        var ex = Assert.Throws<ConfigException>(() => SettingsBuilder.Build(Env(), user, project, null, null));
        Assert.Equal(user, ex.File);
    }

    [Fact]
    public void Upstream_project_yml_concurrency_is_a_fallback()
    {
        var upstream = Write("root/.xsarena/project.yml", "concurrency:\n  total: 4\n  bridge: 2\n  openrouter: 3\n  quiet_hours: false\nscheduler:\n  quiet_hours: { enabled: true }\n");
        var project = Write("root/.xsarena/config.yml", "scheduler:\n  concurrency: { bridge: 1 }\n");
        var notes = new List<string>();
        var settings = SettingsBuilder.Build(Env(), null, project, upstream, notes.Add);

        Assert.Equal(4, settings.Concurrency.Total);
        Assert.Equal(3, settings.Concurrency.For("openrouter"));
        Assert.Equal(1, settings.Concurrency.For("bridge"));
        Assert.Equal($"upstream:{upstream}:2", settings.Sources["scheduler.concurrency.total"]);
        Assert.Equal($"project:{project}:2", settings.Sources["scheduler.concurrency.bridge"]);
        Assert.False(settings.QuietHours.Enabled);
        Assert.Equal(2, notes.Count);
    }

    [Fact]
    public void Upstream_project_yml_with_a_wrong_type_is_an_error_with_its_line()
    {
        var upstream = Write("project.yml", "concurrency:\n  total: many\n");
        var ex = Assert.Throws<ConfigException>(() => SettingsBuilder.Build(Env(), null, null, upstream, null));
        Assert.Equal((upstream, 2, "concurrency.total"), (ex.File, ex.Line, ex.Key));
    }

    [Fact]
    public void Preset_overrides_feed_the_plan_of_a_new_job()
    {
        var project = Write("root/.xsarena/config.yml", "presets:\n  length: { long: { min_chars: 6000, passes: 2 } }\n  span: { medium: 10 }\n");
        var settings = SettingsBuilder.Build(Env(), null, project, null, null);

        var plan = BookPresets.Resolve("long", "medium", null, null, settings.Presets);
        Assert.Equal((10, 6000, 2), (plan.Chunks, plan.MinChars, plan.ExtensionPasses));
        Assert.Equal(24, BookPresets.Resolve("long", "long", null, null, settings.Presets).Chunks);
        Assert.Equal(7, BookPresets.Resolve("long", "medium", 7, null, settings.Presets).Chunks);

        var store = new JobStore(_dir.Combine("root"));
        using var writer = BookJobs.Create(store, new BookRequest("Presets") { Length = "long", Backend = "offline" }, settings, new FixedClock(DateTimeOffset.UnixEpoch));
        Assert.Equal((10, 6000, 2), (writer.Record.Meta.Chunks, writer.Record.Meta.MinChars, writer.Record.Meta.ExtensionPasses));

        var listed = EffectiveConfig.List(settings).ToDictionary(v => v.Key);
        Assert.Equal(10, listed["presets.span.medium"].Value);
        Assert.Equal($"project:{project}:3", listed["presets.span.medium"].Source);
    }

    [Fact]
    public void Retries_and_fallback_from_a_file_feed_the_retry_settings_with_their_source()
    {
        var project = Write("p.yml", "retries: { max: 2, backoff_base: 1.5, backoff_cap: 30, retry_after_cap: 90 }\nfallback: [openrouter]\n");
        var settings = SettingsBuilder.Build(Env(), null, project, null, null);
        Assert.Equal(2, settings.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(1.5), settings.BackoffBase);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.BackoffCap);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.RetryAfterCap);
        Assert.Equal(["openrouter"], settings.FallbackBackends);
        Assert.StartsWith("project:", settings.Sources["retries.max"]);
        Assert.StartsWith("project:", settings.Sources["fallback"]);

        var fromEnvironment = SettingsBuilder.Build(Env(("XSARENA_MAX_RETRIES", "7")), null, project, null, null);
        Assert.Equal(7, fromEnvironment.MaxRetries);
        Assert.Equal("env:XSARENA_MAX_RETRIES", fromEnvironment.Sources["retries.max"]);

        var bad = Write("bad.yml", "retries: { max: 2, backof_cap: 5 }\n");
        var ex = Assert.Throws<ConfigException>(() => SettingsBuilder.Build(Env(), null, bad, null, null));
        Assert.Contains("Did you mean 'backoff_cap'?", ex.Message);
    }

    [Fact]
    public void An_unknown_fallback_name_is_an_error_where_it_was_written()
    {
        var project = Write("p.yml", "backend: offline\nfallback: [nosuch]\n");
        var ex = Assert.Throws<ConfigException>(() => SettingsBuilder.Build(Env(), null, project, null, null));
        Assert.Equal(2, ex.Line);
        Assert.Contains("'nosuch' is not a backend", ex.Message);

        var fromEnvironment = Assert.Throws<ArgumentException>(() => SettingsBuilder.Build(Env(("XSARENA_FALLBACK_BACKENDS", "nosuch2;offline"))));
        Assert.Contains("XSARENA_FALLBACK_BACKENDS", fromEnvironment.Message);
        Assert.Equal(["openrouter", "offline"], SettingsBuilder.Build(Env(("XSARENA_FALLBACK_BACKENDS", "openrouter, offline"))).FallbackBackends);
    }
}
