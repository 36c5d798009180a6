using System.Globalization;
using System.Text.RegularExpressions;
using XSArena.Core.Book;

namespace XSArena.Core.Settings;

/// <summary>One validated value from a configuration file: its key path (e.g. <c>scheduler.concurrency.total</c>),
/// its typed value (string, int, double, bool, TimeSpan, TimeOnly or a string list) and the line it is on.</summary>
public sealed record ConfigEntry(string Key, object Value, int Line);

/// <summary>A configuration file read and checked against XSArena's schema (docs/configuration.md). Nothing is
/// applied here: <see cref="SettingsBuilder"/> layers the entries over the defaults in precedence order.</summary>
public sealed partial class ConfigFile
{
    /// <summary>Source tags: user <c>~/.xsarena/config.yml</c>, project <c>&lt;root&gt;/.xsarena/config.yml</c>,
    /// upstream <c>&lt;root&gt;/.xsarena/project.yml</c>.</summary>
    public const string UserOrigin = "user";
    public const string ProjectOrigin = "project";
    public const string UpstreamOrigin = "upstream";

    /// <summary>Backend kinds a profile may have.</summary>
    public static IReadOnlyList<string> Kinds { get; } = ["offline", "bridge", "openrouter", "openai"];

    /// <summary>Upstream XSArena's own top-level sections of config.yml: accepted and ignored, never copied (its
    /// <c>bridge:</c> may hold tokens).</summary>
    public static IReadOnlyList<string> UpstreamSections { get; } =
        ["settings", "bridge", "snapshot_presets", "base_url", "timeout", "profiles", "roles", "overlays", "redaction_enabled", "show_thinking"];

    private static readonly string[] TopKeys = ["backend", "model", "backends", "fallback", "timeouts", "retries", "presets", "scheduler", "control", "repetition_threshold"];
    private static readonly string[] BackendKeys = ["kind", "base_url", "model", "api_key_env", "max_tokens", "timeouts", "max_retries"];
    private static readonly string[] TimeoutKeys = ["first_byte", "idle", "total"];
    private static readonly string[] RetryKeys = ["max", "backoff_base", "backoff_cap", "retry_after_cap"];
    private static readonly string[] SchedulerKeys = ["concurrency", "quiet_hours", "default_priority"];
    private static readonly string[] QuietKeys = ["enabled", "start", "end"];
    private static readonly string[] ControlKeys = ["ack_timeout", "file_watcher"];
    private static readonly string[] LengthKeys = ["min_chars", "passes"];

    private readonly List<ConfigEntry> _entries = [];
    private readonly Action<string>? _notes;

    private ConfigFile(string path, string origin, Action<string>? notes)
    {
        Path = path;
        Origin = origin;
        _notes = notes;
    }

    public string Path { get; }
    public string Origin { get; }
    public IReadOnlyList<ConfigEntry> Entries => _entries;

    /// <summary>How an entry's provenance is written: <c>project:/x/.xsarena/config.yml:12</c>.</summary>
    public string SourceOf(ConfigEntry entry) => $"{Origin}:{Path}:{entry.Line}";

    /// <summary>Reads a config.yml; a missing file gives an empty layer.</summary>
    /// <exception cref="ConfigException">The file is unreadable or breaks the schema.</exception>
    public static ConfigFile Load(string path, string origin, Action<string>? notes = null)
    {
        if (!File.Exists(path)) return new ConfigFile(path, origin, notes);
        return Parse(path, ReadText(path), origin, notes);
    }

    /// <summary>Checks config.yml text (<paramref name="path"/> is used in messages only).</summary>
    public static ConfigFile Parse(string path, string text, string origin, Action<string>? notes = null)
    {
        var file = new ConfigFile(path, origin, notes);
        switch (YamlTree.Read(path, text))
        {
            case null: break;
            case YamlMap root: file.ReadRoot(root); break;
            case var other: throw new ConfigException(path, other.Line, "", "The file must be a mapping of keys such as 'backend:' and 'scheduler:'.");
        }
        return file;
    }

    /// <summary>Reads upstream's <c>.xsarena/project.yml</c>: only its top-level <c>concurrency:</c> counts (as
    /// <c>scheduler.concurrency.*</c>); everything else is noted and ignored. A missing file gives an empty layer.</summary>
    public static ConfigFile LoadUpstreamProject(string path, Action<string>? notes = null)
    {
        var file = new ConfigFile(path, UpstreamOrigin, notes);
        if (!File.Exists(path)) return file;
        switch (YamlTree.Read(path, ReadText(path)))
        {
            case null: break;
            case YamlMap root:
                foreach (var (key, value) in root.Entries)
                {
                    if (key.Value != "concurrency")
                    {
                        file.Note(key, key.Value, "upstream's project.yml setting is not used by XSArena for PowerShell; ignored");
                        continue;
                    }
                    foreach (var (name, limit) in file.Map(value, "concurrency").Entries)
                    {
                        if (name.Value == "quiet_hours")
                            file.Note(name, "concurrency.quiet_hours", "upstream declared this flag but never used it; ignored (use scheduler.quiet_hours in config.yml)");
                        else
                            file.Add("scheduler.concurrency." + file.BackendName(name, "concurrency"), file.Int(limit, "concurrency." + name.Value, 1), name.Line);
                    }
                }
                break;
            case var other: throw new ConfigException(path, other.Line, "", "project.yml must be a mapping.");
        }
        return file;
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, 0, "", $"Cannot read the file: {ex.Message}", ex);
        }
    }

    private void ReadRoot(YamlMap root)
    {
        foreach (var (key, value) in root.Entries)
        {
            var name = key.Value;
            if (UpstreamSections.Contains(name))
            {
                Note(key, name, "upstream XSArena section, not used by XSArena for PowerShell; ignored");
                continue;
            }
            RejectSecret(key, name, SettingsBuilder.ApiKeyVariableFor("openrouter"));
            switch (name)
            {
                case "backend": Add(name, BackendName(Text(value, name), name), key.Line); break;
                case "model": Add(name, Text(value, name).Value, key.Line); break;
                case "repetition_threshold": Add(name, Number(value, name, 0, 1), key.Line); break;
                case "timeouts": ReadTimeouts(value, "timeouts"); break;
                case "fallback":
                    var names = List(value, name).Items.Select(item => BackendName(Text(item, name), name)).ToList();
                    Add(name, names, key.Line);
                    break;
                case "retries":
                    foreach (var (k, v) in Section(value, name, RetryKeys))
                        Add($"retries.{k.Value}", k.Value == "max" ? Int(v, $"retries.{k.Value}", 0) : Duration(v, $"retries.{k.Value}"), k.Line);
                    break;
                case "control":
                    foreach (var (k, v) in Section(value, name, ControlKeys))
                        Add($"control.{k.Value}", k.Value == "file_watcher" ? Bool(v, "control.file_watcher") : Duration(v, "control.ack_timeout"), k.Line);
                    break;
                case "backends": ReadBackends(value); break;
                case "presets": ReadPresets(value); break;
                case "scheduler": ReadScheduler(value); break;
                default:
                    throw Error(key.Line, name, $"Unknown key.{DidYouMean.Hint(name, TopKeys)} Known keys: {string.Join(", ", TopKeys)}.");
            }
        }
    }

    private void ReadTimeouts(YamlItem value, string prefix)
    {
        foreach (var (k, v) in Section(value, prefix, TimeoutKeys))
            Add($"{prefix}.{k.Value}", Duration(v, $"{prefix}.{k.Value}"), k.Line);
    }

    private void ReadBackends(YamlItem value)
    {
        foreach (var (nameNode, body) in Map(value, "backends").Entries)
        {
            var backend = BackendName(nameNode, "backends");
            var prefix = $"backends.{backend}";
            var entries = Section(body, prefix, BackendKeys, SettingsBuilder.ApiKeyVariableFor(backend));
            // kind first, so a new profile is created before its other values land on it
            foreach (var (k, v) in entries.OrderBy(e => e.Key.Value == "kind" ? 0 : 1))
            {
                var key = $"{prefix}.{k.Value}";
                switch (k.Value)
                {
                    case "kind":
                        var kind = Text(v, key);
                        if (!Kinds.Contains(kind.Value))
                            throw Error(kind.Line, key, $"Unknown kind '{kind.Value}'.{DidYouMean.Hint(kind.Value, Kinds)} Kinds: {string.Join(", ", Kinds)}.");
                        Add(key, kind.Value, k.Line);
                        break;
                    case "base_url":
                        var url = Text(v, key);
                        if (!Uri.TryCreate(url.Value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                            throw Error(url.Line, key, $"'{url.Value}' is not an absolute http or https URL; write e.g. http://127.0.0.1:11434/v1.");
                        Add(key, url.Value, k.Line);
                        break;
                    case "model": Add(key, Text(v, key).Value, k.Line); break;
                    case "api_key_env": Add(key, VariableName(v, key, SettingsBuilder.ApiKeyVariableFor(backend)), k.Line); break;
                    case "max_tokens": Add(key, Int(v, key, 1), k.Line); break;
                    case "max_retries": Add(key, Int(v, key, 0), k.Line); break;
                    case "timeouts": ReadTimeouts(v, key); break;
                }
            }
        }
    }

    private void ReadPresets(YamlItem value)
    {
        foreach (var (k, v) in Section(value, "presets", ["length", "span"]))
        {
            if (k.Value == "length")
            {
                foreach (var (nameNode, body) in Map(v, "presets.length").Entries)
                {
                    var preset = PresetName(nameNode, "presets.length", BookPresets.LengthNames);
                    foreach (var (field, number) in Section(body, $"presets.length.{preset}", LengthKeys))
                    {
                        var key = $"presets.length.{preset}.{field.Value}";
                        Add(key, Int(number, key, field.Value == "passes" ? 0 : 1), field.Line);
                    }
                }
            }
            else
            {
                foreach (var (nameNode, chunks) in Map(v, "presets.span").Entries)
                {
                    var preset = PresetName(nameNode, "presets.span", BookPresets.SpanNames);
                    Add($"presets.span.{preset}", Int(chunks, $"presets.span.{preset}", 1), nameNode.Line);
                }
            }
        }
    }

    private void ReadScheduler(YamlItem value)
    {
        foreach (var (k, v) in Section(value, "scheduler", SchedulerKeys))
        {
            switch (k.Value)
            {
                case "default_priority": Add("scheduler.default_priority", Int(v, "scheduler.default_priority", int.MinValue), k.Line); break;
                case "concurrency":
                    foreach (var (name, limit) in Map(v, "scheduler.concurrency").Entries)
                    {
                        var key = "scheduler.concurrency." + BackendName(name, "scheduler.concurrency");
                        Add(key, Int(limit, key, 1), name.Line);
                    }
                    break;
                case "quiet_hours":
                    foreach (var (field, item) in Section(v, "scheduler.quiet_hours", QuietKeys))
                    {
                        var key = $"scheduler.quiet_hours.{field.Value}";
                        Add(key, field.Value == "enabled" ? Bool(item, key) : TimeOfDay(item, key), field.Line);
                    }
                    break;
            }
        }
    }

    // ---- shapes -------------------------------------------------------------------------------------------

    /// <summary>A mapping whose keys must all be in <paramref name="known"/>.</summary>
    private IReadOnlyList<KeyValuePair<YamlText, YamlItem>> Section(YamlItem value, string key, IReadOnlyList<string> known, string? keyVariable = null)
    {
        var map = Map(value, key);
        foreach (var (k, _) in map.Entries)
        {
            RejectSecret(k, $"{key}.{k.Value}", keyVariable ?? SettingsBuilder.ApiKeyVariableFor("openrouter"));
            if (!known.Contains(k.Value))
                throw Error(k.Line, $"{key}.{k.Value}", $"Unknown key '{k.Value}'.{DidYouMean.Hint(k.Value, known)} Known keys under {key}: {string.Join(", ", known)}.");
        }
        return map.Entries;
    }

    private YamlMap Map(YamlItem value, string key) => value as YamlMap
        ?? throw Error(value.Line, key, $"Expected a mapping of keys (e.g. '{key}: {{ name: value }}' or indented lines), not {Describe(value)}.");

    private YamlList List(YamlItem value, string key) => value as YamlList
        ?? throw Error(value.Line, key, $"Expected a list such as [openrouter, openai], not {Describe(value)}.");

    private YamlText Text(YamlItem value, string key)
    {
        if (value is not YamlText text) throw Error(value.Line, key, $"Expected a single value, not {Describe(value)}.");
        if (text.Plain && text.Value is "" or "~" or "null") throw Error(text.Line, key, "A value is missing; write one or remove the key.");
        return text;
    }

    // ---- values -------------------------------------------------------------------------------------------

    [GeneratedRegex("^-?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex("^-?[0-9]+(\\.[0-9]+)?$")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariablePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    private int Int(YamlItem value, string key, int minimum)
    {
        var text = Text(value, key);
        if (text.Plain && IntegerPattern().IsMatch(text.Value)
            && int.TryParse(text.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            if (number < minimum) throw Error(text.Line, key, $"{number} is too small; the smallest allowed value is {minimum}.");
            return number;
        }
        throw Error(text.Line, key, NotANumber(text, "a whole number such as 4"));
    }

    private double Number(YamlItem value, string key, double minimum, double maximum)
    {
        var text = Text(value, key);
        if (text.Plain && NumberPattern().IsMatch(text.Value)
            && double.TryParse(text.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            if (number < minimum || number > maximum)
                throw Error(text.Line, key, $"{text.Value} is out of range; write a number from {minimum.ToString(CultureInfo.InvariantCulture)} to {maximum.ToString(CultureInfo.InvariantCulture)}.");
            return number;
        }
        throw Error(text.Line, key, NotANumber(text, "a plain number such as 0.35"));
    }

    /// <summary>Seconds as a plain number (<c>90</c>, <c>2.5</c>) or <c>hh:mm:ss</c>.</summary>
    private TimeSpan Duration(YamlItem value, string key)
    {
        var text = Text(value, key);
        if (text.Plain && NumberPattern().IsMatch(text.Value)
            && double.TryParse(text.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && seconds < TimeSpan.MaxValue.TotalSeconds)
        {
            if (seconds < 0) throw Error(text.Line, key, $"A duration cannot be negative (got {text.Value}).");
            return TimeSpan.FromSeconds(seconds);
        }
        if (TimeSpan.TryParseExact(text.Value, [@"h\:mm\:ss", @"hh\:mm\:ss"], CultureInfo.InvariantCulture, out var span))
            return span;
        throw Error(text.Line, key, $"'{text.Value}' is not a duration; write seconds as a plain number (90 or 2.5) or hh:mm:ss (00:01:30).");
    }

    private TimeOnly TimeOfDay(YamlItem value, string key)
    {
        var text = Text(value, key);
        if (TimeOnly.TryParseExact(text.Value, ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return time;
        throw Error(text.Line, key, $"'{text.Value}' is not a time of day; write 24-hour local time in quotes, e.g. \"22:00\".");
    }

    private bool Bool(YamlItem value, string key)
    {
        var text = Text(value, key);
        if (text.Plain && text.Value is "true" or "True" or "TRUE") return true;
        if (text.Plain && text.Value is "false" or "False" or "FALSE") return false;
        var lower = text.Value.ToLowerInvariant();
        if (lower is "yes" or "no" or "on" or "off" or "y" or "n")
            throw Error(text.Line, key, $"'{text.Value}' is not accepted for a true/false setting (YAML readers disagree about it); write {(lower is "yes" or "on" or "y" ? "true" : "false")}.");
        throw Error(text.Line, key, $"Expected true or false, not '{text.Value}'{(text.Plain ? "" : " (in quotes)")}.");
    }

    private string VariableName(YamlItem value, string key, string suggestion)
    {
        var text = Text(value, key);
        if (VariablePattern().IsMatch(text.Value) && text.Value.Length <= 64 && !LooksLikeKeyValue(text.Value))
            return text.Value;
        throw Error(text.Line, key, $"{key.Split('.')[^1]} names an environment variable, not the key itself; put the key in an environment variable such as {suggestion} and write 'api_key_env: {suggestion}'.");
    }

    private string BackendName(YamlText name, string key)
    {
        if (!NamePattern().IsMatch(name.Value))
            throw Error(name.Line, key, $"'{name.Value}' is not a usable backend name; use letters, digits, '-', '_' and '.'.");
        return name.Value.ToLowerInvariant();
    }

    private string BackendName(YamlItem name, string key) => BackendName(Text(name, key), key);

    private string PresetName(YamlText name, string key, IReadOnlyList<string> known)
    {
        var match = known.FirstOrDefault(k => string.Equals(k, name.Value, StringComparison.OrdinalIgnoreCase));
        return match ?? throw Error(name.Line, $"{key}.{name.Value}",
            $"Unknown preset '{name.Value}'.{DidYouMean.Hint(name.Value, known)} Presets: {string.Join(", ", known)}.");
    }

    private static string NotANumber(YamlText text, string what)
    {
        if (!text.Plain) return $"Expected {what} without quotes, not the text \"{text.Value}\"; write {text.Value.Trim()} unquoted if that is the number meant.";
        if (text.Value.Contains(',')) return $"'{text.Value}' is not a plain number; numbers in configuration are culture-invariant: '.' for decimals, no thousands separators. Expected {what}.";
        return $"Expected {what}, not '{text.Value}'.";
    }

    // ---- secrets ------------------------------------------------------------------------------------------

    private static readonly string[] SecretNames = ["api_key", "apikey", "key", "token", "secret", "password", "bearer", "authorization"];

    /// <summary>A key such as <c>api_key:</c> in XSArena's own sections is an error naming the variable to use.</summary>
    private void RejectSecret(YamlText key, string path, string variable)
    {
        var name = key.Value.ToLowerInvariant().Replace('-', '_');
        var secret = SecretNames.Contains(name) || name.EndsWith("_key", StringComparison.Ordinal) || name.EndsWith("_token", StringComparison.Ordinal)
            || name.EndsWith("_secret", StringComparison.Ordinal) || name.EndsWith("_password", StringComparison.Ordinal);
        if (secret)
            throw Error(key.Line, path, $"Keys and tokens are never stored in configuration files. Put the key in the environment variable {variable} and write 'api_key_env: {variable}' in the backend's profile instead.");
    }

    private static bool LooksLikeKeyValue(string value) =>
        value.StartsWith("sk", StringComparison.OrdinalIgnoreCase) && value.Length > 20;

    // ---- bookkeeping --------------------------------------------------------------------------------------

    private void Add(string key, object value, int line) => _entries.Add(new ConfigEntry(key, value, line));

    private void Note(YamlText key, string path, string what) => _notes?.Invoke($"{Path}:{key.Line}: {path}: {what}.");

    private ConfigException Error(int line, string key, string problem) => new(Path, line, key, problem);

    private static string Describe(YamlItem value) => value switch
    {
        YamlMap => "a mapping",
        YamlList => "a list",
        YamlText text => $"'{text.Value}'",
        _ => "this",
    };
}
