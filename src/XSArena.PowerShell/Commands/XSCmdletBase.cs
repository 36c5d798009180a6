using System.Management.Automation;

namespace XSArena.PowerShell.Commands;

/// <summary>The base of every XSArena cmdlet: before the first one writes anything in a session, the session gets
/// the module's type and format data (<see cref="TypeAndFormatData"/>).</summary>
public abstract class XSCmdletBase : PSCmdlet
{
    protected override void BeginProcessing() => TypeAndFormatData.EnsureLoaded();

    /// <summary>A parameter's wildcard patterns, case-insensitive, or null when it was not given. An invalid one (such
    /// as '[') stops the command with InvalidWildcardPattern, naming the parameter, before anything is read.</summary>
    protected WildcardPattern[]? PatternsOf(string[]? values, string parameterName)
    {
        if (values is null) return null;
        var patterns = new WildcardPattern[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            patterns[i] = WildcardPattern.Get(values[i], WildcardOptions.IgnoreCase);
            try { patterns[i].IsMatch(""); } // the pattern is parsed on its first use
            catch (WildcardPatternException ex)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-{parameterName} '{values[i]}' is not a valid wildcard pattern: {ex.Message} Escape [ and ] with a backtick to match them literally.", ex),
                    "InvalidWildcardPattern", ErrorCategory.InvalidArgument, values[i]));
            }
        }
        return patterns;
    }
}
