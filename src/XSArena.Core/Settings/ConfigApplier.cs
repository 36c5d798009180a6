using XSArena.Core.Book;

namespace XSArena.Core.Settings;

/// <summary>Applies one validated <see cref="ConfigEntry"/> to the settings object.</summary>
internal static class ConfigApplier
{
    public static XSSettings Apply(XSSettings settings, ConfigFile layer, ConfigEntry entry, Action<string>? notes)
    {
        var parts = entry.Key.Split('.');
        switch (parts[0])
        {
            case "backend": return settings with { DefaultBackend = (string)entry.Value };
            case "model": return settings with { DefaultModel = (string)entry.Value };
            case "repetition_threshold": return settings with { RepetitionThreshold = (double)entry.Value };
            case "timeouts": return settings with { Timeouts = Timeout(settings.Timeouts, parts[1], (TimeSpan)entry.Value) };
            case "control" when parts[1] == "file_watcher": return settings with { UseFileWatcher = (bool)entry.Value };
            case "control":
                if ((TimeSpan)entry.Value <= TimeSpan.Zero) throw new ConfigException(layer.Path, entry.Line, entry.Key, "The acknowledgement timeout must be more than 0 seconds.");
                return settings with { ControlAckTimeout = (TimeSpan)entry.Value };
            case "backends": return settings with { Backends = Backend(settings.Backends, layer, entry, parts[1], string.Join('.', parts[2..])) };
            case "presets": return settings with { Presets = Preset(settings.Presets, parts, (int)entry.Value) };
            case "scheduler": return Scheduler(settings, parts, entry.Value);
            case "fallback": return settings with { FallbackBackends = [.. (IEnumerable<string>)entry.Value] };
            case "retries": return Retries(settings, layer, entry, parts[1]);
            default:
                notes?.Invoke($"{layer.Path}:{entry.Line}: {entry.Key}: checked, but not applied by this version.");
                return settings;
        }
    }

    private static XSSettings Retries(XSSettings settings, ConfigFile layer, ConfigEntry entry, string part)
    {
        if (part == "max") return settings with { MaxRetries = (int)entry.Value };
        var value = (TimeSpan)entry.Value;
        if (value < TimeSpan.Zero) throw new ConfigException(layer.Path, entry.Line, entry.Key, "A backoff time cannot be negative.");
        return part switch
        {
            "backoff_base" => settings with { BackoffBase = value },
            "backoff_cap" => settings with { BackoffCap = value },
            _ => settings with { RetryAfterCap = value },
        };
    }

    private static RequestTimeouts Timeout(RequestTimeouts timeouts, string part, TimeSpan value) => part switch
    {
        "first_byte" => timeouts with { FirstByte = value },
        "idle" => timeouts with { Idle = value },
        _ => timeouts with { Total = value },
    };

    private static IReadOnlyDictionary<string, BackendProfile> Backend(IReadOnlyDictionary<string, BackendProfile> backends,
        ConfigFile layer, ConfigEntry entry, string name, string field)
    {
        var result = backends.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        if (!result.TryGetValue(name, out var profile))
        {
            if (field != "kind")
            {
                throw new ConfigException(layer.Path, entry.Line, entry.Key,
                    $"'{name}' is not a built-in backend, so its profile needs a kind ({string.Join(", ", ConfigFile.Kinds)}); add 'kind: openai' for an OpenAI-compatible server.");
            }
            profile = new BackendProfile(name, (string)entry.Value, "", null, null);
        }
        var timeouts = profile.Timeouts ?? new TimeoutOverrides(null, null, null);
        result[name] = field switch
        {
            "kind" => profile with { Kind = (string)entry.Value },
            "base_url" => profile with { BaseUrl = (string)entry.Value },
            "model" => profile with { Model = (string)entry.Value },
            "api_key_env" => profile with { ApiKeyVariable = (string)entry.Value },
            "max_tokens" => profile with { MaxTokens = (int)entry.Value },
            "max_retries" => profile with { MaxRetries = (int)entry.Value },
            "timeouts.first_byte" => profile with { Timeouts = timeouts with { FirstByte = (TimeSpan)entry.Value } },
            "timeouts.idle" => profile with { Timeouts = timeouts with { Idle = (TimeSpan)entry.Value } },
            "timeouts.total" => profile with { Timeouts = timeouts with { Total = (TimeSpan)entry.Value } },
            _ => throw new InvalidOperationException($"Unhandled configuration key {entry.Key}."),
        };
        return result;
    }

    private static PresetOverrides Preset(PresetOverrides presets, string[] parts, int value)
    {
        if (parts[1] == "span")
        {
            var spans = presets.Spans.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
            spans[parts[2]] = value;
            return presets with { Spans = spans };
        }
        var lengths = presets.Lengths.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
        var current = lengths.GetValueOrDefault(parts[2]) ?? new LengthOverride(null, null);
        lengths[parts[2]] = parts[3] == "passes" ? current with { Passes = value } : current with { MinChars = value };
        return presets with { Lengths = lengths };
    }

    private static XSSettings Scheduler(XSSettings settings, string[] parts, object value)
    {
        switch (parts[1])
        {
            case "default_priority":
                return settings with { DefaultPriority = (int)value };
            case "quiet_hours":
                var quiet = settings.QuietHours;
                return settings with
                {
                    QuietHours = parts[2] switch
                    {
                        "enabled" => quiet with { Enabled = (bool)value },
                        "start" => quiet with { Start = (TimeOnly)value },
                        _ => quiet with { End = (TimeOnly)value },
                    },
                };
            default:
                var limits = settings.Concurrency;
                if (parts[2] == "total") return settings with { Concurrency = limits with { Total = (int)value } };
                var perBackend = limits.PerBackend.ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
                perBackend[parts[2]] = (int)value;
                return settings with { Concurrency = limits with { PerBackend = perBackend } };
        }
    }
}
