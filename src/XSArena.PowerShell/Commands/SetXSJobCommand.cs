using System.Management.Automation;
using XSArena.Core.Jobs;
using XSArena.Core.Scheduling;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;
using JobState = XSArena.Core.Jobs.JobState;

namespace XSArena.PowerShell.Commands;

/// <summary>Set-XSJob: changes a job's queue priority. A waiting job's ticket is renamed (its runner keeps the new
/// priority in job.json); a job no process runs gets the priority written under its lease; a job that runs now
/// keeps its slot, and the cmdlet says so.</summary>
[Cmdlet(VerbsCommon.Set, "XSJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class SetXSJobCommand : XSJobCmdletBase
{
    /// <summary>The new priority; larger starts sooner.</summary>
    [Parameter(Mandatory = true)]
    public int Priority { get; set; }

    /// <summary>Write each job after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var job in ResolveJobs())
        {
            if (!ShouldProcess($"{job.Name} ({job.InstanceId})", $"Set priority to {Priority}")) continue;
            if (SlotScheduler.SetPriority(job.Root, job.InstanceId, Priority))
            {
                WriteVerbose($"'{job.Name}' waits for a slot; its place in the queue now follows priority {Priority}.");
            }
            else if (RunnerLease.TryAcquire(job.Folder, DateTimeOffset.UtcNow) is { } lease)
            {
                bool done;
                try
                {
                    using (lease)
                    {
                        var record = JobFile.Read(job.Folder);
                        done = JobStates.TryParse(record.State, out var state) && state == JobState.Done;
                        if (!done)
                        {
                            record.Meta.Priority = Priority;
                            JobFile.Write(job.Folder, record);
                        }
                    }
                }
                catch (JobStoreException ex)
                {
                    WriteError(ErrorHelper.JobUnreadable(job.InstanceId, ex.Message, job));
                    continue;
                }
                if (done) WriteWarning($"'{job.Name}' is DONE and is never queued again, so a priority means nothing to it. Nothing was changed.");
                else WriteVerbose($"No process runs '{job.Name}': priority {Priority} applies when it is queued next.");
            }
            else
            {
                WriteWarning($"'{job.Name}' is running and holds its slot; a priority only orders waiting jobs. Nothing was changed.");
            }
            if (PassThru) WriteObject(JobRegistry.Find(job.InstanceId) ?? job);
        }
    }
}
