using System.Management.Automation;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>The DESIGN §3.1 parameter shape shared by cmdlets that take jobs: <c>-InstanceId</c> (GUIDs, GUID strings,
/// objects with an Id/JobId/InstanceId property) or <c>-InputObject</c> (job objects).</summary>
public abstract class XSJobCmdletBase : XSCmdletBase
{
    protected const string InstanceIdSet = "InstanceId";
    protected const string InputObjectSet = "InputObject";

    /// <summary>Ids of the jobs (GUIDs or GUID strings).</summary>
    [Parameter(ParameterSetName = InstanceIdSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "JobId")]
    [ArgumentCompleter(typeof(Completion.JobIdCompleter))]
    public Guid[]? InstanceId { get; set; }

    /// <summary>Job objects, e.g. from Get-Job or Start-XSBook.</summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Job")]
    public Job[]? InputObject { get; set; }

    /// <summary>The project root for this call (also registered so Get-Job lists its jobs).</summary>
    protected JobStore CurrentStore => JobRegistry.UseRoot(RootResolver.Resolve(this));

    /// <summary>The XS jobs named by the bound parameters; misses and foreign jobs become non-terminating errors.</summary>
    protected IEnumerable<XSJob> ResolveJobs()
    {
        _ = CurrentStore;
        if (InputObject is not null)
        {
            foreach (var job in InputObject)
            {
                if (job is XSJob xsJob) yield return xsJob;
                else WriteError(ErrorHelper.NotAnXSArenaJob(job));
            }
        }
        foreach (var id in InstanceId ?? [])
        {
            if (JobRegistry.Find(id) is { } job) yield return job;
            else WriteError(ErrorHelper.JobNotFound(id));
        }
    }
}
