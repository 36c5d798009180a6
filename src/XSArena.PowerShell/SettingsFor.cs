using XSArena.Core.Settings;

namespace XSArena.PowerShell;

/// <summary>The settings a cmdlet works with for one project root: defaults, the user's and the project's
/// config.yml, then the environment (cmdlet parameters are applied by the cmdlet itself).</summary>
internal static class SettingsFor
{
    public static (XSSettings Settings, IReadOnlyDictionary<string, string?> Environment) Root(string root, Action<string>? notes = null)
    {
        var environment = SettingsBuilder.ProcessEnvironment();
        return (SettingsBuilder.BuildForRoot(environment, root, notes), environment);
    }
}
