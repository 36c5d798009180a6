using System.Management.Automation;
using XSArena.Core.Control;
using XSArena.Core.Runner;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>Shared by Suspend-, Resume-, Stop-XSJob and Send-XSJobHint: one command per job, from any process, with
/// -PassThru and -WhatIf, and errors that name what went wrong.</summary>
public abstract class XSJobControlCmdletBase : XSJobCmdletBase
{
    /// <summary>Write the jobs after the command.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private readonly CancellationTokenSource _stop = new();

    protected abstract JobCommand Command { get; }

    protected virtual string? HintText => null;

    protected virtual bool ForceResume => false;

    /// <summary>Check the backend before a job is run in this session (Resume-XSJob unless -SkipPreflight).</summary>
    protected virtual bool PreflightBeforeRun => false;

    protected override void ProcessRecord()
    {
        foreach (var job in ResolveJobs())
        {
            if (!ShouldProcess($"{job.Name} ({job.InstanceId})", Action)) continue;
            try
            {
                if (HandledElsewhere(job))
                {
                    if (PassThru) WriteObject(JobRegistry.Find(job.InstanceId) ?? job);
                    continue;
                }
                var (result, requestId) = JobControlClient.Send(job, Command, HintText, _stop.Token, ForceResume, PreflightBeforeRun);
                WriteVerbose(result switch
                {
                    ControlResult.Acknowledged => $"Request {requestId} ({JobTransitions.Verb(Command)}) acknowledged by the runner of '{job.Name}'.",
                    ControlResult.AppliedHere => $"Request {requestId} ({JobTransitions.Verb(Command)}) applied here: no process runs '{job.Name}'.",
                    ControlResult.RunHere => $"'{job.Name}' resumed in this session from chunk {(JobRegistry.Find(job.InstanceId) ?? job).ChunksDone + 1}.",
                    _ => $"'{job.Name}' is {job.XSState}: nothing to do.",
                });
                if (PassThru) WriteObject(JobRegistry.Find(job.InstanceId) ?? job);
            }
            catch (JobCommandRefusedException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.InvalidOperation, job));
            }
            catch (Core.Settings.ConfigException ex)
            {
                WriteError(new ErrorRecord(ex, "InvalidConfiguration", ErrorCategory.InvalidData, ex.File));
                return;
            }
            catch (ControlTimeoutException ex)
            {
                WriteError(new ErrorRecord(ex, "ControlTimeout", ErrorCategory.OperationTimeout, job));
            }
            catch (BookMismatchException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.InvalidData, job));
            }
            catch (Core.Backends.BackendNotReadyException ex)
            {
                WriteError(ErrorHelper.BackendNotReady(ex, job));
            }
            catch (UpstreamJobNotReconcilableException ex)
            {
                WriteError(new ErrorRecord(ex, ex.ErrorId, ErrorCategory.InvalidData, job));
            }
            catch (Exception ex) when (ex is Core.Backends.BackendException or JobBusyException)
            {
                WriteError(new ErrorRecord(ex, ex is JobBusyException ? "JobBusy" : "BackendUnavailable", ErrorCategory.ResourceUnavailable, job));
            }
            catch (Core.Store.OutputBusyException ex)
            {
                WriteError(new ErrorRecord(ex, "OutputInUse", ErrorCategory.ResourceBusy, job));
            }
            catch (Core.Store.JobStoreException ex)
            {
                WriteError(ErrorHelper.JobUnreadable(job.InstanceId, ex.Message, job));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(ErrorHelper.StoreError(ex, job));
            }
            catch (OperationCanceledException)
            {
                return; // Ctrl+C: stop waiting for acknowledgements
            }
        }
    }

    /// <summary>A subclass may hand a job to another process instead (Resume-XSJob -Detached); true when it did.</summary>
    protected virtual bool HandledElsewhere(XSJob job) => false;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>Cancelled by Ctrl+C.</summary>
    protected CancellationToken StopToken => _stop.Token;

    protected override void EndProcessing() => _stop.Dispose();

    private string Action => Command switch
    {
        JobCommand.Suspend => "Suspend (pause after the request in flight)",
        JobCommand.Resume => "Resume",
        JobCommand.Stop => "Stop (cancel; the chunk in progress is dropped)",
        _ => "Send hint for the next chunk",
    };
}
