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

/// <summary>Completes job names (quoted when they contain spaces).</summary>
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
            .Select(name => new CompletionResult(Quote(name), name, CompletionResultType.ParameterValue, name));
    }

    internal static string Quote(string text) => text.Any(char.IsWhiteSpace) || text.Contains('\'')
        ? "'" + text.Replace("'", "''") + "'"
        : text;
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
