using System.Management.Automation;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>Creates a PENDING job with the configuration of another: a fresh id, no history, its own book.</summary>
[Cmdlet(VerbsCommon.Copy, "XSJob", SupportsShouldProcess = true, DefaultParameterSetName = InstanceIdSet)]
[OutputType(typeof(XSJob))]
public sealed class CopyXSJobCommand : XSJobCmdletBase
{
    /// <summary>Name of the copy (default: the original's name followed by " (copy)").</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Book of the copy (default: books/&lt;name&gt;.final.md under the root, never the original's book).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>Start the copy in this session at once.</summary>
    [Parameter]
    public SwitchParameter Start { get; set; }

    private int _copied;

    private static XSJob StartHere(StoredJob stored)
    {
        var (settings, environment) = SettingsFor.Root(stored.Root);
        return JobLauncher.Resume(stored, settings, environment, force: false);
    }

    protected override void ProcessRecord()
    {
        foreach (var source in ResolveJobs())
        {
            if (OutFile is not null && _copied > 0)
            {
                WriteError(ErrorHelper.InvalidArgument(
                    new ArgumentException("-OutFile names one book, so it copies one job; this job was not copied."),
                    "OutFileForManyJobs", source));
                continue;
            }
            if (!ShouldProcess($"{source.Name} ({source.InstanceId})", "Copy job")) continue;
            try
            {
                var store = JobRegistry.UseRoot(source.Root);
                var outFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile);
                var stored = JobCopier.Copy(store, source.Snapshot, Name, outFile, SystemClock.Instance);
                var copy = Start ? StartHere(stored) : JobRegistry.ObjectFor(stored);
                _copied++;
                WriteObject(copy);
            }
            catch (Exception ex) when (ex is Core.Backends.BackendException or ArgumentException)
            {
                WriteError(ErrorHelper.InvalidArgument(ex, "CopyNotStarted", source));
            }
            catch (Core.Store.JobStoreException ex)
            {
                WriteError(ErrorHelper.JobUnreadable(source.InstanceId, ex.Message, source));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JobBusyException)
            {
                WriteError(ErrorHelper.StoreError(ex, source));
            }
        }
    }
}
