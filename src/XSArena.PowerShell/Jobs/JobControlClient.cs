using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Settings;

namespace XSArena.PowerShell.Jobs;

/// <summary>Sends a control command to a job from this process (cmdlets and the Job2 overrides share it): through
/// the job's runner wherever it runs, or applied here when nobody runs the job; Resume of such a job runs it here.</summary>
internal static class JobControlClient
{
    /// <param name="preflight">When the job would run in this process, first check that its backend can serve
    /// (throws <see cref="Core.Backends.BackendNotReadyException"/> and changes nothing when it cannot).</param>
    public static (ControlResult Result, string? RequestId) Send(XSJob job, JobCommand command, string? text, CancellationToken cancellationToken,
        bool force = false, bool preflight = false)
    {
        var (settings, environment) = SettingsFor.Root(job.Root);
        var (result, requestId) = JobController.SendAsync(job.Snapshot, command, text, settings.ControlAckTimeout, SystemClock.Instance, cancellationToken)
            .GetAwaiter().GetResult();
        if (result == ControlResult.RunHere)
        {
            if (preflight) CheckBackend(job, settings, environment, cancellationToken);
            JobLauncher.Resume(job.Snapshot, settings, environment, force);
            return (result, requestId);
        }
        if (command == JobCommand.Stop && result != ControlResult.NoOp && !job.WaitUntilFinished(settings.ControlAckTimeout))
        {
            throw new ControlTimeoutException(
                $"Job '{job.Name}' acknowledged the stop but did not end within {settings.ControlAckTimeout.TotalSeconds:0.#} s.");
        }
        JobRegistry.RefreshFromDisk(job);
        return (result, requestId);
    }

    /// <summary>The preflight of the backend, model and endpoint the job recorded.</summary>
    /// <exception cref="Core.Backends.BackendNotReadyException">It cannot serve now.</exception>
    public static void CheckBackend(XSJob job, CancellationToken cancellationToken)
    {
        var (settings, environment) = SettingsFor.Root(job.Root);
        CheckBackend(job, settings, environment, cancellationToken);
    }

    private static void CheckBackend(XSJob job, XSSettings settings, IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var record = job.Snapshot.Record;
        var check = Core.Backends.Preflight.CheckAsync(record.Backend ?? record.RunSpec.Backend, settings, environment,
            record.RunSpec.Model, record.Meta.BaseUrl, cancellationToken).GetAwaiter().GetResult();
        Core.Backends.BackendNotReadyException.ThrowIfNotReady(check);
    }
}
