using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using XSArena.Core.Settings;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Completion;

/// <summary>Completes job ids from the jobs this session knows (no network, no log reads).</summary>
public sealed class JobIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        return JobRegistry.All()
            .Where(job => job.InstanceId.ToString().StartsWith(word, StringComparison.OrdinalIgnoreCase)
                || job.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(job => new CompletionResult(
                job.InstanceId.ToString(), $"{job.InstanceId:D} {job.Name}", CompletionResultType.ParameterValue,
                $"{job.Name} — {job.XSState} {job.ChunksDone}/{job.ChunksTotal}"));
    }
}

/// <summary>Completes job names (quoted when they contain spaces, wildcard characters escaped: -Name takes patterns).
/// </summary>
public sealed class JobNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = WildcardPattern.Get(wordToComplete.Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return JobRegistry.All()
            .Select(job => job.Name)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(pattern.IsMatch)
            .Select(name => new CompletionResult(Quote(WildcardPattern.Escape(name)), name, CompletionResultType.ParameterValue, name));
    }

    /// <summary>Quotes anything but plain words, so a job name (read from a file others can write) is always inserted
    /// as one literal argument, never as code.</summary>
    internal static string Quote(string text) => text.Length > 0 && (char.IsLetterOrDigit(text[0]) || text[0] == '_') && text.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.')
        ? text
        : "'" + text.Replace("'", "''").Replace("\u2018", "\u2018\u2018").Replace("\u2019", "\u2019\u2019") + "'";
}

/// <summary>Completes backend names from the settings.</summary>
public sealed class BackendCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var settings = SettingsBuilder.Build(SettingsBuilder.ProcessEnvironment());
        return settings.Backends.Values
            .Where(profile => profile.Name.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .OrderBy(profile => profile.Name)
            .Select(profile => new CompletionResult(profile.Name, profile.Name, CompletionResultType.ParameterValue,
                profile.BaseUrl.Length > 0 ? $"{profile.Kind} at {profile.BaseUrl}" : profile.Kind));
    }
}

/// <summary>Completes event types: the ones this module writes, and <c>control_*</c> for the acknowledged requests.</summary>
public sealed class EventTypeCompleter : IArgumentCompleter
{
    private static readonly string[] Types = [.. typeof(Core.Jobs.EventTypes)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(field => field.IsLiteral && field.FieldType == typeof(string))
        .Select(field => (string)field.GetRawConstantValue()!)
        .Append("control_*")
        .Order(StringComparer.Ordinal)];

    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        return Types
            .Where(type => type.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(type => new CompletionResult(type, type, CompletionResultType.ParameterValue, type));
    }
}

/// <summary>Completes setting keys for Get-XSConfig from the settings of the environment (no project file read).</summary>
public sealed class ConfigKeyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        XSSettings settings;
        try { settings = SettingsBuilder.Build(SettingsBuilder.ProcessEnvironment()); }
        catch (Exception ex) when (ex is ConfigException or ArgumentException) { return []; }
        var word = wordToComplete.Trim('\'', '"');
        return EffectiveConfig.List(settings)
            .Select(value => value.Key)
            .Where(key => key.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(key => new CompletionResult(key, key, CompletionResultType.ParameterValue, key));
    }
}
