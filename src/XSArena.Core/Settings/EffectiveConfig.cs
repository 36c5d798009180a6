using System.Globalization;
using XSArena.Core.Book;

namespace XSArena.Core.Settings;

/// <summary>One effective setting: its key path as written in config.yml, its value and where it came from
/// (<c>default</c>, <c>user:&lt;file&gt;:&lt;line&gt;</c>, <c>project:…</c>, <c>upstream:…</c>, <c>env:&lt;VARIABLE&gt;</c>).</summary>
public sealed record ConfigValue(string Key, object? Value, string Source);

/// <summary>Lists the effective configuration of a settings object, one value per key path.</summary>
public static class EffectiveConfig
{
    public const string DefaultSource = "default";

    public static IReadOnlyList<ConfigValue> List(XSSettings settings)
    {
        var values = new List<ConfigValue>();
        void Add(string key, object? value) =>
            values.Add(new ConfigValue(key, value, settings.Sources.TryGetValue(key, out var source) ? source : DefaultSource));

        Add("backend", settings.DefaultBackend);
        Add("model", settings.DefaultModel);
        foreach (var (name, profile) in settings.Backends.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
        {
            var prefix = $"backends.{name}";
            Add($"{prefix}.kind", profile.Kind);
            Add($"{prefix}.base_url", profile.BaseUrl);
            Add($"{prefix}.model", profile.Model);
            Add($"{prefix}.api_key_env", profile.ApiKeyVariable);
            if (profile.MaxTokens is { } maxTokens) Add($"{prefix}.max_tokens", maxTokens);
            if (profile.MaxRetries is { } maxRetries) Add($"{prefix}.max_retries", maxRetries);
            if (profile.Timeouts?.FirstByte is { } firstByte) Add($"{prefix}.timeouts.first_byte", firstByte);
            if (profile.Timeouts?.Idle is { } idle) Add($"{prefix}.timeouts.idle", idle);
            if (profile.Timeouts?.Total is { } total) Add($"{prefix}.timeouts.total", total);
        }
        Add("timeouts.first_byte", settings.Timeouts.FirstByte);
        Add("timeouts.idle", settings.Timeouts.Idle);
        Add("timeouts.total", settings.Timeouts.Total);
        foreach (var length in BookPresets.LengthNames)
        {
            var plan = BookPresets.Resolve(length, BookPresets.DefaultSpan, null, null, settings.Presets);
            Add($"presets.length.{length}.min_chars", plan.MinChars);
            Add($"presets.length.{length}.passes", plan.ExtensionPasses);
        }
        foreach (var span in BookPresets.SpanNames)
            Add($"presets.span.{span}", BookPresets.Resolve(BookPresets.DefaultLength, span, null, null, settings.Presets).Chunks);
        Add("scheduler.concurrency.total", settings.Concurrency.Total);
        foreach (var (backend, limit) in settings.Concurrency.PerBackend.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase))
            Add($"scheduler.concurrency.{backend}", limit);
        Add("scheduler.quiet_hours.enabled", settings.QuietHours.Enabled);
        Add("scheduler.quiet_hours.start", settings.QuietHours.Start.ToString("HH:mm", CultureInfo.InvariantCulture));
        Add("scheduler.quiet_hours.end", settings.QuietHours.End.ToString("HH:mm", CultureInfo.InvariantCulture));
        Add("scheduler.default_priority", settings.DefaultPriority);
        Add("fallback", string.Join(", ", settings.FallbackBackends));
        Add("retries.max", settings.MaxRetries);
        Add("retries.backoff_base", settings.BackoffBase);
        Add("retries.backoff_cap", settings.BackoffCap);
        Add("retries.retry_after_cap", settings.RetryAfterCap);
        Add("repetition_threshold", settings.RepetitionThreshold);
        Add("control.ack_timeout", settings.ControlAckTimeout);
        Add("control.file_watcher", settings.UseFileWatcher);
        return values;
    }
}
