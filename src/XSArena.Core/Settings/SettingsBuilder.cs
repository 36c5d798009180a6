namespace XSArena.Core.Settings;

/// <summary>Fills the one settings object: built-in defaults, then the environment (then cmdlet parameters,
/// applied by the caller with <c>with</c>). Later sources layer in here rather than being read ad hoc.</summary>
public static class SettingsBuilder
{
    public const string BackendVariable = "XSARENA_BACKEND";
    public const string ModelVariable = "XSARENA_MODEL";
    public const string NoWatcherVariable = "XSARENA_NO_WATCHER";
    public const string ControlTimeoutVariable = "XSARENA_CONTROL_TIMEOUT_SECONDS";
    /// <summary>Comma-separated backend names tried in order after the job's backend gives up.</summary>
    public const string FallbackVariable = "XSARENA_FALLBACK_BACKENDS";
    public const string MaxRetriesVariable = "XSARENA_MAX_RETRIES";
    /// <summary>Crash tests only: <c>point@chunk</c>, e.g. <c>after-append-before-log@3</c>.</summary>
    public const string CrashAtVariable = "XSARENA_CRASH_AT";

    /// <summary>Environment variables that move a backend's endpoint.</summary>
    public static IReadOnlyDictionary<string, string> BaseUrlVariables { get; } = new Dictionary<string, string>
    {
        ["bridge"] = "XSA_BRIDGE_URL",
        ["openrouter"] = "OPENROUTER_BASE_URL",
        ["openai"] = "OPENAI_BASE_URL",
    };

    public static XSSettings Build(IReadOnlyDictionary<string, string?> environment)
    {
        var settings = new XSSettings();
        var backends = settings.Backends.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (backend, variable) in BaseUrlVariables)
        {
            if (Value(environment, variable) is { } url && backends.TryGetValue(backend, out var profile))
                backends[backend] = profile with { BaseUrl = url };
        }
        return settings with
        {
            DefaultBackend = Value(environment, BackendVariable) ?? settings.DefaultBackend,
            DefaultModel = Value(environment, ModelVariable) ?? settings.DefaultModel,
            Backends = backends,
            UseFileWatcher = Value(environment, NoWatcherVariable) != "1",
            ControlAckTimeout = Seconds(environment, ControlTimeoutVariable) ?? settings.ControlAckTimeout,
            CrashPoint = CrashAt(environment),
            MaxRetries = Count(environment, MaxRetriesVariable) ?? settings.MaxRetries,
            FallbackBackends = Value(environment, FallbackVariable) is { } chain
                ? chain.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : settings.FallbackBackends,
        };
    }

    /// <summary>The process environment as a dictionary (the only place that reads it).</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }

    private static CrashPoint? CrashAt(IReadOnlyDictionary<string, string?> environment)
    {
        if (Value(environment, CrashAtVariable) is not { } text) return null;
        var parts = text.Split('@');
        if (parts.Length == 2 && Runner.CrashPoints.All.Contains(parts[0])
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var chunk))
            return new CrashPoint(parts[0], chunk);
        throw new ArgumentException($"{CrashAtVariable} must be <point>@<chunk> with a point among {string.Join(", ", Runner.CrashPoints.All)} (got '{text}').");
    }

    /// <summary>A positive number of seconds, parsed culture-invariantly; anything else is an error naming the variable.</summary>
    private static TimeSpan? Seconds(IReadOnlyDictionary<string, string?> environment, string name)
    {
        if (Value(environment, name) is not { } text) return null;
        if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds)
            return TimeSpan.FromSeconds(seconds);
        throw new ArgumentException($"{name} must be a positive number of seconds such as 15 or 2.5 (got '{text}').");
    }

    /// <summary>A whole number from 0 up; anything else is an error naming the variable.</summary>
    private static int? Count(IReadOnlyDictionary<string, string?> environment, string name)
    {
        if (Value(environment, name) is not { } text) return null;
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count))
            return count;
        throw new ArgumentException($"{name} must be a whole number such as 0 or 4 (got '{text}').");
    }

    private static string? Value(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
