using System.Management.Automation;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell;

/// <summary>The error records the module writes, with stable error ids scripts can catch.</summary>
internal static class ErrorHelper
{
    /// <summary>JobNotFound, or JobUnreadable when the job's folder is there but its job.json cannot be read: "not
    /// found" would send the user looking in the wrong place.</summary>
    public static ErrorRecord JobNotFound(Guid id) => JobRegistry.WhyUnreadable(id) is { } reason
        ? JobUnreadable(id, reason, id)
        : new(new ItemNotFoundException($"No XSArena job with id {id} was found in the project roots this session knows."),
            "JobNotFound", ErrorCategory.ObjectNotFound, id);

    public static ErrorRecord JobUnreadable(Guid id, string reason, object target) => new(
        new InvalidDataException($"XSArena job {id} is there but cannot be read: {reason} Restore its job.json, or delete its folder to remove the job."),
        "JobUnreadable", ErrorCategory.ReadError, target);

    public static ErrorRecord JobNameNotFound(string name, string root) => new(
        new ItemNotFoundException($"No XSArena job named '{name}' was found in {root}."),
        "JobNameNotFound", ErrorCategory.ObjectNotFound, name);

    public static ErrorRecord RootNotFound(string message, string root) => new(
        new DirectoryNotFoundException(message), "ProjectRootNotFound", ErrorCategory.ObjectNotFound, root);

    public static ErrorRecord NotAnXSArenaJob(Job job) => new(
        new ArgumentException($"Job {job.Id} ('{job.Name}', {job.PSJobTypeName}) is not an XSArena job."),
        "NotAnXSArenaJob", ErrorCategory.InvalidArgument, job);

    public static ErrorRecord JobFailed(XSJob job) => new(
        new InvalidOperationException(job.XSState == "CANCELLED"
            ? $"Job '{job.Name}' was cancelled (Stop-XSJob, Stop-Job or Remove-XSJob -Force, from this or another process); Resume-XSJob continues it."
            : $"Job '{job.Name}' ended {job.XSState}: {job.LastError ?? "no reason recorded"}" + (job.ErrorCode is null ? "." : $" ({job.ErrorCode}).")),
        "XSJobFailed", ErrorCategory.OperationStopped, job);

    public static ErrorRecord JobIsLive(XSJob job, string why) => new(
        new InvalidOperationException($"Job '{job.Name}' ({job.InstanceId}) was not removed: {why.TrimEnd('.')}."),
        "JobIsLive", ErrorCategory.ResourceBusy, job);

    public static ErrorRecord InvalidArgument(Exception ex, string id, object? target) =>
        new(ex, id, ErrorCategory.InvalidArgument, target);

    /// <summary>A preflight found the backend unable to serve; the message is its problem and advice.</summary>
    public static ErrorRecord BackendNotReady(Core.Backends.BackendNotReadyException ex, object? target) =>
        new(ex, "BackendNotReady", ErrorCategory.ResourceUnavailable, target)
        {
            ErrorDetails = new ErrorDetails(ex.Result.Message) { RecommendedAction = ex.Result.Advice },
        };

    public static ErrorRecord StoreError(Exception ex, object? target) =>
        new(ex, "JobStoreError", ErrorCategory.WriteError, target);
}
