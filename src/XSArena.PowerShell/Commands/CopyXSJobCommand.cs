using System.Management.Automation;
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

    private int _copied;

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
                var copy = new XSJob(JobCopier.Copy(store, source.Snapshot, Name, outFile, SystemClock.Instance));
                JobRegistry.Add(copy);
                _copied++;
                WriteObject(copy);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JobBusyException)
            {
                WriteError(ErrorHelper.StoreError(ex, source));
            }
        }
    }
}
