namespace XSArena.Core.Settings;

/// <summary>Fills the one settings object: built-in defaults, configuration files, then the environment (then
/// cmdlet parameters, applied by the caller with <c>with</c>).</summary>
public static class SettingsBuilder
{
    public const string BackendVariable = "XSARENA_BACKEND";
    public const string ModelVariable = "XSARENA_MODEL";
    public const string NoWatcherVariable = "XSARENA_NO_WATCHER";
    public const string ControlTimeoutVariable = "XSARENA_CONTROL_TIMEOUT_SECONDS";
    /// <summary>Comma-separated backend names tried in order after the job's backend gives up.</summary>
    public const string FallbackVariable = "XSARENA_FALLBACK_BACKENDS";
    public const string MaxRetriesVariable = "XSARENA_MAX_RETRIES";
    /// <summary>Moves the user configuration file away from <c>~/.xsarena/config.yml</c> (tests, several profiles).</summary>
    public const string UserConfigVariable = "XSARENA_USER_CONFIG";
    /// <summary>Crash tests only: <c>point@chunk</c>, e.g. <c>after-append-before-log@3</c>.</summary>
    public const string CrashAtVariable = "XSARENA_CRASH_AT";

    /// <summary>Environment variables that move a backend's endpoint.</summary>
    public static IReadOnlyDictionary<string, string> BaseUrlVariables { get; } = new Dictionary<string, string>
    {
        ["bridge"] = "XSA_BRIDGE_URL",
        ["openrouter"] = "OPENROUTER_BASE_URL",
        ["openai"] = "OPENAI_BASE_URL",
    };

    /// <summary>Defaults, then the environment (no configuration files).</summary>
    public static XSSettings Build(IReadOnlyDictionary<string, string?> environment) =>
        Build(environment, null, null, null, null);

    /// <summary>Layers, lowest to highest: built-in defaults, upstream's <c>project.yml</c> <c>concurrency:</c>
    /// (a fallback only), the user file, the project file, the environment. Every file is read and checked before
    /// anything is applied. A null or missing path is skipped. <paramref name="notes"/> receives what was ignored
    /// (for -Verbose). The result's <see cref="XSSettings.Sources"/> says where each non-default value came from.</summary>
    /// <exception cref="ConfigException">A file is unreadable, not YAML, or breaks the schema.</exception>
    /// <exception cref="ArgumentException">An environment variable has an unusable value.</exception>
    public static XSSettings Build(IReadOnlyDictionary<string, string?> environment, string? userConfigPath,
        string? projectConfigPath, string? upstreamProjectYmlPath, Action<string>? notes)
    {
        var layers = new List<ConfigFile>();
        if (upstreamProjectYmlPath is not null) layers.Add(ConfigFile.LoadUpstreamProject(upstreamProjectYmlPath, notes));
        if (userConfigPath is not null) layers.Add(ConfigFile.Load(userConfigPath, ConfigFile.UserOrigin, notes));
        if (projectConfigPath is not null) layers.Add(ConfigFile.Load(projectConfigPath, ConfigFile.ProjectOrigin, notes));
        return Build(environment, layers, notes);
    }

    /// <summary>Applies already-read configuration layers (lowest first), then the environment.</summary>
    public static XSSettings Build(IReadOnlyDictionary<string, string?> environment, IEnumerable<ConfigFile> layers, Action<string>? notes)
    {
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        var settings = new XSSettings();
        foreach (var layer in layers)
        {
            foreach (var entry in layer.Entries)
            {
                settings = ConfigApplier.Apply(settings, layer, entry, notes);
                sources[entry.Key] = layer.SourceOf(entry);
            }
        }

        var backends = settings.Backends.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (backend, variable) in BaseUrlVariables)
        {
            if (Value(environment, variable) is { } url && backends.TryGetValue(backend, out var profile))
            {
                backends[backend] = profile with { BaseUrl = url };
                sources[$"backends.{backend}.base_url"] = "env:" + variable;
            }
        }
        string? FromEnvironment(string variable, string key)
        {
            var value = Value(environment, variable);
            if (value is not null) sources[key] = "env:" + variable;
            return value;
        }
        var controlTimeout = Seconds(environment, ControlTimeoutVariable);
        if (controlTimeout is not null) sources["control.ack_timeout"] = "env:" + ControlTimeoutVariable;
        var maxRetries = Count(environment, MaxRetriesVariable);
        if (maxRetries is not null) sources["retries.max"] = "env:" + MaxRetriesVariable;
        return (settings with
        {
            DefaultBackend = FromEnvironment(BackendVariable, "backend") ?? settings.DefaultBackend,
            DefaultModel = FromEnvironment(ModelVariable, "model") ?? settings.DefaultModel,
            Backends = backends,
            UseFileWatcher = FromEnvironment(NoWatcherVariable, "control.file_watcher") is { } noWatcher ? noWatcher != "1" : settings.UseFileWatcher,
            ControlAckTimeout = controlTimeout ?? settings.ControlAckTimeout,
            CrashPoint = CrashAt(environment),
            MaxRetries = maxRetries ?? settings.MaxRetries,
            FallbackBackends = FromEnvironment(FallbackVariable, "fallback") is { } chain
                ? chain.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : settings.FallbackBackends,
            Sources = sources,
        }).WithCheckedFallback();
    }

    /// <summary>The user file, <c>~/.xsarena/config.yml</c>.</summary>
    public static string UserConfigPath() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), Store.ProjectRoot.StateFolderName, "config.yml");

    /// <summary>The project file, <c>&lt;root&gt;/.xsarena/config.yml</c>.</summary>
    public static string ProjectConfigPath(string root) => Path.Combine(root, Store.ProjectRoot.StateFolderName, "config.yml");

    /// <summary>Upstream's <c>&lt;root&gt;/.xsarena/project.yml</c> (its <c>concurrency:</c> is a fallback).</summary>
    public static string UpstreamProjectPath(string root) => Path.Combine(root, Store.ProjectRoot.StateFolderName, "project.yml");

    /// <summary>Everything a cmdlet needs: defaults, the user file, the project files of <paramref name="root"/>, the environment.</summary>
    public static XSSettings BuildForRoot(IReadOnlyDictionary<string, string?> environment, string root, Action<string>? notes) =>
        Build(environment, UserConfigPath(environment), ProjectConfigPath(root), UpstreamProjectPath(root), notes);

    /// <summary>The user file: <c>XSARENA_USER_CONFIG</c> if set, else <c>~/.xsarena/config.yml</c>.</summary>
    public static string UserConfigPath(IReadOnlyDictionary<string, string?> environment) =>
        Value(environment, UserConfigVariable) is { } path ? Path.GetFullPath(path) : UserConfigPath();

    /// <summary>The environment variable a backend's key is expected in: its built-in one, else NAME_API_KEY.</summary>
    public static string ApiKeyVariableFor(string backend)
    {
        if (XSSettings.DefaultBackends().TryGetValue(backend, out var profile) && profile.ApiKeyVariable is { } variable) return variable;
        var name = new string(backend.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_').ToArray());
        return $"{name}_API_KEY";
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

    /// <summary>Every name in the fallback chain must be a known backend: a typo is reported where it was written,
    /// not discovered when the main backend has already failed.</summary>
    private static XSSettings WithCheckedFallback(this XSSettings settings)
    {
        foreach (var name in settings.FallbackBackends)
        {
            if (settings.Backends.ContainsKey(name)) continue;
            var known = string.Join(", ", settings.Backends.Keys.Order(StringComparer.OrdinalIgnoreCase));
            var problem = $"'{name}' is not a backend (known: {known}); separate several names with commas.";
            var source = settings.Sources.TryGetValue("fallback", out var where) ? where : "";
            var place = System.Text.RegularExpressions.Regex.Match(source, @"^\w+:(?<file>.+):(?<line>\d+)$");
            if (place.Success) throw new ConfigException(place.Groups["file"].Value, int.Parse(place.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), "fallback", problem);
            throw new ArgumentException($"{FallbackVariable}: {problem}");
        }
        return settings;
    }
}
