using System.Management.Automation;
using XSArena.Core.Settings;

namespace XSArena.PowerShell.Commands;

/// <summary>The effective configuration, one object per setting, with where each value came from.</summary>
[Cmdlet(VerbsCommon.Get, "XSConfig")]
[OutputType(typeof(ConfigValue))]
public sealed class GetXSConfigCommand : XSCmdletBase
{
    public const string TypeName = "XSArena.ConfigValue";

    /// <summary>Only settings whose key matches one of these patterns (e.g. scheduler.*).</summary>
    [Parameter(Position = 0), SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.ConfigKeyCompleter))]
    public string[]? Name { get; set; }

    protected override void EndProcessing()
    {
        var environment = SettingsBuilder.ProcessEnvironment();
        XSSettings settings;
        try
        {
            settings = SettingsBuilder.BuildForRoot(environment, RootResolver.Resolve(this), WriteVerbose);
        }
        catch (ConfigException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidConfiguration", ErrorCategory.InvalidData, ex.File));
            return;
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidEnvironment", ErrorCategory.InvalidArgument, null));
            return;
        }

        var patterns = PatternsOf(Name, nameof(Name));
        foreach (var value in EffectiveConfig.List(settings))
        {
            if (patterns is not null && !patterns.Any(p => p.IsMatch(value.Key))) continue;
            var item = new PSObject(value);
            item.TypeNames.Insert(0, TypeName);
            WriteObject(item);
        }
    }
}
