using XSArena.Core.Settings;

namespace XSArena.Core.Backends;

/// <summary>Turns a backend name and the settings into a ready backend, and says which model it will use.</summary>
public static class BackendFactory
{
    /// <summary>Creates the backend. Keys are read from <paramref name="environment"/> now and never again.</summary>
    /// <exception cref="BackendException">Configuration: unknown name or kind, bad URL, missing key.</exception>
    public static IChatBackend Create(
        string backendName,
        XSSettings settings,
        IReadOnlyDictionary<string, string?> environment,
        string? modelOverride = null,
        string? baseUrlOverride = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        var profile = ResolveProfile(backendName, settings);
        if (profile.Kind == OfflineBackend.Kind)
            return new OfflineBackend(profile.Name);

        var baseUrl = ResolveBaseUrl(profile, baseUrlOverride);
        return new OpenAiCompatibleBackend(profile, settings, environment, baseUrl, ResolveModel(backendName, settings, modelOverride));
    }

    /// <summary>The model string requests will carry: override, else the profile's model, else the default model.</summary>
    public static string ResolveModel(string backendName, XSSettings settings, string? modelOverride = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!string.IsNullOrWhiteSpace(modelOverride))
            return modelOverride.Trim();
        var profile = ResolveProfile(backendName, settings);
        return string.IsNullOrWhiteSpace(profile.Model) ? settings.DefaultModel : profile.Model;
    }

    /// <summary>The profile for a name (case-insensitive).</summary>
    public static BackendProfile ResolveProfile(string backendName, XSSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = string.IsNullOrWhiteSpace(backendName) ? settings.DefaultBackend : backendName.Trim();
        if (settings.Backends.TryGetValue(name, out var exact))
            return exact;
        foreach (var (key, profile) in settings.Backends)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
                return profile;
        }
        var known = string.Join(", ", settings.Backends.Keys.Order(StringComparer.OrdinalIgnoreCase));
        throw new BackendException(BackendErrorCode.Configuration, $"Unknown backend '{name}'. Known backends: {known}.");
    }

    /// <summary>Base URL precedence: parameter, then the profile (which the settings builder has already moved to
    /// the endpoint an environment variable names).</summary>
    public static string ResolveBaseUrl(BackendProfile profile, string? baseUrlOverride = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return string.IsNullOrWhiteSpace(baseUrlOverride) ? profile.BaseUrl : baseUrlOverride.Trim();
    }
}
