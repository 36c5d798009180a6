using System.Management.Automation;
using JobState2 = System.Management.Automation.JobState;

namespace XSArena.PowerShell.Jobs;

/// <summary>Makes XSArena jobs visible to Get-Job, Wait-Job, Receive-Job, Stop-Job and Remove-Job. PowerShell creates
/// one adapter per runspace when the module is imported; all of them share <see cref="JobRegistry"/>.</summary>
public sealed class XSJobSourceAdapter : JobSourceAdapter
{
    private static XSJobSourceAdapter? _latest;

    public XSJobSourceAdapter()
    {
        Name = nameof(XSJobSourceAdapter);
        _latest = this;
    }

    /// <summary>The session Id of a finished job object, kept for the object that replaces it (same process).</summary>
    internal static JobIdentifier? ReuseIdOf(XSJob finished)
    {
        if (_latest is not { } adapter) return null;
        adapter.StoreJobIdForReuse(finished, recurse: false);
        return adapter.RetrieveJobIdForReuse(finished.InstanceId);
    }

    public override Job2 NewJob(JobInvocationInfo specification) =>
        throw new PSNotSupportedException("Create XSArena jobs with Start-XSBook.");

    public override IList<Job2> GetJobs() => [.. All()];

    public override IList<Job2> GetJobsByName(string name, bool recurse)
    {
        var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
        return [.. All().Where(job => pattern.IsMatch(job.Name))];
    }

    public override IList<Job2> GetJobsByCommand(string command, bool recurse)
    {
        var pattern = new WildcardPattern(command, WildcardOptions.IgnoreCase);
        return [.. All().Where(job => pattern.IsMatch(job.Command))];
    }

    public override Job2? GetJobByInstanceId(Guid instanceId, bool recurse)
    {
        TypeAndFormatData.EnsureLoaded();
        return JobRegistry.Find(instanceId);
    }

    public override Job2? GetJobBySessionId(int id, bool recurse) => All().FirstOrDefault(job => job.Id == id);

    public override IList<Job2> GetJobsByState(JobState2 state, bool recurse) =>
        [.. All().Where(job => job.JobStateInfo.State == state)];

    /// <summary>Every known job. Get-Job and the other job cmdlets come through here, so a session that meets
    /// XSArena jobs this way gets the module's type and format data first, as if an XSArena cmdlet had run.</summary>
    private static IReadOnlyList<XSJob> All()
    {
        TypeAndFormatData.EnsureLoaded();
        return JobRegistry.All();
    }

    /// <summary>No filters are defined for XSArena jobs; an empty list (never an exception) keeps Get-Job -Filter quiet.</summary>
    public override IList<Job2> GetJobsByFilter(Dictionary<string, object> filter, bool recurse) => [];

    /// <summary>Remove-Job: stops the job if this process runs it, then deletes it as Remove-XSJob does, but never
    /// the book.</summary>
    public override void RemoveJob(Job2 job)
    {
        if (job is not XSJob xsJob) return;
        if (xsJob.IsOwnedHere) xsJob.StopJob();
        JobRemoval.Remove(xsJob, includeOutput: false);
    }
}
