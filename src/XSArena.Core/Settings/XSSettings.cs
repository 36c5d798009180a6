namespace XSArena.Core.Settings;

/// <summary>Where a backend lives and how to authenticate. The key itself is never stored here:
/// only the name of the environment variable that holds it.</summary>
public sealed record BackendProfile(
    string Name,
    string Kind,
    string BaseUrl,
    string? ApiKeyVariable,
    string? Model)
{
    /// <summary>Sent as max_tokens when set; null leaves the length to the server.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>This backend's request time limits from configuration; null parts keep <see cref="XSSettings.Timeouts"/>.</summary>
    public TimeoutOverrides? Timeouts { get; init; }

    /// <summary>This backend's retry count from configuration; null keeps the global one.</summary>
    public int? MaxRetries { get; init; }
}

/// <summary>Per-request time limits. Zero or negative means no limit.</summary>
public sealed record RequestTimeouts(TimeSpan FirstByte, TimeSpan Idle, TimeSpan Total)
{
    /// <summary>Generous defaults: slow local models load for minutes; the bridge waits up to 360 s per piece.</summary>
    public static RequestTimeouts Default { get; } =
        new(TimeSpan.FromSeconds(400), TimeSpan.FromSeconds(400), TimeSpan.FromMinutes(30));
}

/// <summary>A crash point and the chunk at which it fires.</summary>
public sealed record CrashPoint(string Point, int Chunk);

/// <summary>The one typed settings object (DESIGN §6). Filled from defaults, then environment, then cmdlet
/// parameters; later sources (YAML) are layered in by <see cref="SettingsBuilder"/>.</summary>
public sealed record XSSettings
{
    public string DefaultBackend { get; init; } = "bridge";
    public string DefaultModel { get; init; } = "default";
    public IReadOnlyDictionary<string, BackendProfile> Backends { get; init; } = DefaultBackends();
    public RequestTimeouts Timeouts { get; init; } = RequestTimeouts.Default;

    /// <summary>4-gram Jaccard similarity above which an extension or a new chunk counts as a repeat.</summary>
    public double RepetitionThreshold { get; init; } = 0.35;

    /// <summary>How often a runner looks for control requests (a file-system watcher usually wakes it sooner).</summary>
    public TimeSpan ControlPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a control cmdlet waits for the runner of a job in another process to acknowledge.</summary>
    public TimeSpan ControlAckTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>File-system watchers as wake-up hints; off, everything still works by polling.</summary>
    public bool UseFileWatcher { get; init; } = true;

    /// <summary>How often one request is retried after a retriable failure before the chunk fails (or fails over).</summary>
    public int MaxRetries { get; init; } = 4;

    /// <summary>First backoff wait; each further retry doubles it, up to <see cref="BackoffCap"/>.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest computed backoff wait.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait a server's Retry-After can impose on one retry.</summary>
    public TimeSpan RetryAfterCap { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Backend names tried in order when the job's backend gives up (e.g. bridge, then openrouter).
    /// Empty: no failover, the job fails with the classified reason.</summary>
    public IReadOnlyList<string> FallbackBackends { get; init; } = [];

    /// <summary>For crash tests only: where the runner kills its own process (see Runner.CrashPoints).</summary>
    public CrashPoint? CrashPoint { get; init; }

    /// <summary>Attribution headers sent to OpenRouter.</summary>
    public string OpenRouterReferer { get; init; } = "https://github.com/xsarena";
    public string OpenRouterTitle { get; init; } = "XSArena";

    /// <summary>How long the whole backend preflight (key, reachability, browser, model) may take.</summary>
    public TimeSpan PreflightTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static IReadOnlyDictionary<string, BackendProfile> DefaultBackends() =>
        new Dictionary<string, BackendProfile>(StringComparer.OrdinalIgnoreCase)
        {
            ["offline"] = new("offline", "offline", "", null, "offline-rehearsal"),
            ["bridge"] = new("bridge", "bridge", "http://127.0.0.1:5102/v1", null, null),
            ["openrouter"] = new("openrouter", "openrouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY", "openai/gpt-4o"),
            ["openai"] = new("openai", "openai", "http://127.0.0.1:11434/v1", "OPENAI_API_KEY", null),
        };

    // ---- configuration files and the scheduler (docs/configuration.md) ----

    /// <summary>Running-job limits (<c>scheduler.concurrency</c>).</summary>
    public ConcurrencyLimits Concurrency { get; init; } = ConcurrencyLimits.Default;

    /// <summary>When no new job starts (<c>scheduler.quiet_hours</c>, local time).</summary>
    public QuietHours QuietHours { get; init; } = QuietHours.Default;

    /// <summary>Priority of a job started without <c>-Priority</c>; larger starts sooner.</summary>
    public int DefaultPriority { get; init; }

    /// <summary>Length and span preset numbers changed by configuration.</summary>
    public Book.PresetOverrides Presets { get; init; } = Book.PresetOverrides.None;

    /// <summary>Where each value that is not a built-in default came from, by key path (<c>scheduler.concurrency.total</c>):
    /// <c>user:&lt;file&gt;:&lt;line&gt;</c>, <c>project:&lt;file&gt;:&lt;line&gt;</c>, <c>upstream:&lt;file&gt;:&lt;line&gt;</c>,
    /// <c>env:&lt;VARIABLE&gt;</c>. A key that is absent has its built-in default.</summary>
    public IReadOnlyDictionary<string, string> Sources { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
