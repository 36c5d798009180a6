using System.Management.Automation;
using XSArena.Core.Jobs;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>Lists jobs from disk (earlier sessions, other processes and the original tool's jobs too).</summary>
[Cmdlet(VerbsCommon.Get, "XSJob", DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class GetXSJobCommand : XSJobCmdletBase
{
    /// <summary>Job names; wildcards allowed.</summary>
    [Parameter, SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.JobNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only jobs in these states.</summary>
    [Parameter, ValidateSet("PENDING", "RUNNING", "PAUSED", "DONE", "FAILED", "CANCELLED", IgnoreCase = true)]
    public string[]? State { get; set; }

    private WildcardPattern[]? _namePatterns;

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _namePatterns = PatternsOf(Name, nameof(Name));
    }

    protected override void ProcessRecord()
    {
        var jobs = InstanceId is null && InputObject is null
            ? JobRegistry.InRoot(CurrentStore, WriteWarning)
            : ResolveJobs();
        // As Get-Job and Get-Process: a name without wildcards that names no job is an error, a pattern is not.
        var missingNames = Name?.Where(name => !WildcardPattern.ContainsWildcardCharacters(name))
            .Select(WildcardPattern.Unescape)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var job in jobs)
        {
            missingNames?.Remove(job.Name);
            if (Matches(job)) WriteObject(job);
        }
        foreach (var name in missingNames ?? []) WriteError(ErrorHelper.JobNameNotFound(name, CurrentStore.Root));
    }

    private bool Matches(XSJob job)
    {
        if (State is not null && !State.Any(s => string.Equals(s, job.XSState, StringComparison.OrdinalIgnoreCase))) return false;
        return _namePatterns is null || _namePatterns.Any(pattern => pattern.IsMatch(job.Name));
    }
}
