using System.Management.Automation;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;
using JobState = XSArena.Core.Jobs.JobState;

namespace XSArena.PowerShell.Commands;

/// <summary>Deletes job folders, named or older than an age; the books stay unless -IncludeOutput.</summary>
[Cmdlet(VerbsCommon.Remove, "XSJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(JobDeletionResult))]
public sealed class RemoveXSJobCommand : XSJobCmdletBase
{
    private const string OlderThanSet = "OlderThan";

    /// <summary>Removes the jobs last updated longer ago than this; a bare number means days.</summary>
    [Parameter(ParameterSetName = OlderThanSet, Mandatory = true)]
    [AgeTransformation]
    public TimeSpan OlderThan { get; set; }

    /// <summary>With -OlderThan: only jobs in these states.</summary>
    [Parameter(ParameterSetName = OlderThanSet)]
    [ValidateSet("PENDING", "RUNNING", "PAUSED", "DONE", "FAILED", "CANCELLED", IgnoreCase = true)]
    public string[]? State { get; set; }

    /// <summary>Also deletes each job's book (the file named by its OutFile).</summary>
    [Parameter]
    public SwitchParameter IncludeOutput { get; set; }

    /// <summary>Removes live jobs too, stopping first those this session or another process runs.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes an object for each removed job.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == InstanceIdSet && InstanceId is null && !MyInvocation.ExpectingInput)
        {
            ThrowTerminatingError(ErrorHelper.InvalidArgument(
                new ArgumentException("Name the jobs to remove (-InstanceId, -InputObject or the pipeline), or use -OlderThan."),
                "NoJobsNamed", null));
        }
        foreach (var job in ParameterSetName == OlderThanSet ? SelectByAge() : ResolveJobs()) RemoveOne(job);
    }

    // Ages come from the files as they are now, not from the session's cached copies.
    private IEnumerable<XSJob> SelectByAge()
    {
        var states = State?.Select(s => JobStates.TryParse(s, out var state) ? state : JobState.Pending).ToArray();
        var selected = JobAge.Select(CurrentStore.List(WriteWarning), job => job, OlderThan, states, SystemClock.Instance.UtcNow,
            job => WriteVerbose($"Job '{job.Record.Name}' ({job.InstanceId}) has no readable timestamp; kept."));
        foreach (var stored in selected)
        {
            if (JobRegistry.Find(stored.InstanceId) is { } job) yield return job;
        }
    }

    private void RemoveOne(XSJob job)
    {
        var live = JobRemoval.IsLive(job);
        if (live && !Force)
        {
            var state = JobRemoval.Current(job).State;
            var why = state.IsTerminal() && !job.IsOwnedHere ? "a runner holds its lease" : "it is " + state.ToWire();
            WriteError(ErrorHelper.JobIsLive(job, why + "; use -Force to stop and remove it"));
            return;
        }
        var action = IncludeOutput ? $"Remove job and delete its book '{job.OutFile}'" : "Remove job (the book is kept)";
        if (!ShouldProcess($"{job.Name} ({job.InstanceId})", action)) return;
        try
        {
            // A live job someone runs is stopped first; one nobody runs (its runner died) needs no stop: the
            // lease taken for the deletion keeps any runner out.
            if (live && (job.IsOwnedHere || RunnerLease.IsHeld(job.Folder))) job.StopJob();
            var removed = JobRemoval.Remove(job, IncludeOutput);
            var book = removed.DeletedOutput is null ? "" : $" and its book '{removed.DeletedOutput}'";
            WriteInformation($"Removed job '{removed.Name}' ({removed.InstanceId}){book}.", ["PSHOST"]);
            if (PassThru) WriteObject(removed);
        }
        catch (PSInvalidOperationException ex)
        {
            WriteError(ErrorHelper.JobIsLive(job, ex.Message));
        }
        catch (JobBusyException)
        {
            WriteError(ErrorHelper.JobIsLive(job, "another process runs it; stop it there first"));
        }
        catch (Core.Control.ControlTimeoutException ex)
        {
            WriteError(ErrorHelper.JobIsLive(job, "its runner did not stop: " + ex.Message));
        }
        catch (UnsafeJobPathException ex)
        {
            WriteError(ErrorHelper.InvalidArgument(ex, "UnsafeJobPath", job));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(ErrorHelper.StoreError(ex, job));
        }
    }
}
