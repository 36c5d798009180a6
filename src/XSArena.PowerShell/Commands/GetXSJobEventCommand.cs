using System.Management.Automation;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>A job's event log as objects.</summary>
[Cmdlet(VerbsCommon.Get, "XSJobEvent")]
[OutputType(typeof(XSJobEvent))]
public sealed class GetXSJobEventCommand : XSCmdletBase
{
    /// <summary>The job's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "JobId")]
    [ArgumentCompleter(typeof(Completion.JobIdCompleter))]
    public Guid InstanceId { get; set; }

    /// <summary>Only events of these types; wildcards allowed.</summary>
    [Parameter, SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.EventTypeCompleter))]
    public string[]? Type { get; set; }

    /// <summary>Only the last N matching events.</summary>
    [Parameter, ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = PatternsOf(Type, nameof(Type));
        JobRegistry.UseRoot(RootResolver.Resolve(this));
        if (JobRegistry.Find(InstanceId) is not { } job)
        {
            WriteError(ErrorHelper.JobNotFound(InstanceId));
            return;
        }
        var events = EventLogReader.ReadAll(job.Folder, WriteWarning)
            .Where(e => patterns is null || patterns.Any(p => p.IsMatch(e.Type)));
        if (Last is { } last) events = events.TakeLast(last);
        foreach (var e in events) WriteObject(new XSJobEvent(job.InstanceId, e));
    }
}
