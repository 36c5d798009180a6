using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using XSArena.Core.Backends;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Scheduling;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.PowerShell.Jobs;

/// <summary>Runs jobs in this process (new ones from Start-XSBook, resumed ones from Resume-XSJob) and, when the
/// process ends (exit, SIGTERM, SIGHUP), marks the jobs it runs interrupted on a best-effort basis.</summary>
internal static class JobLauncher
{
    private static readonly ConcurrentDictionary<Guid, BookRunner> Running = new();
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(3);
    private static int _hooksInstalled;
    private static readonly List<PosixSignalRegistration> SignalRegistrations = [];

    /// <summary>Jobs this process is running now.</summary>
    public static int LiveCount => Running.Count;

    /// <summary>Starts the runner of a job whose lease <paramref name="writer"/> holds, on a job object that is new
    /// or not finished (a finished object is replaced first: PowerShell jobs cannot run twice).</summary>
    /// <exception cref="BookMismatchException">The book no longer matches the log (and not <paramref name="force"/>).</exception>
    public static XSJob Start(JobWriter writer, XSSettings settings, IReadOnlyDictionary<string, string?> environment,
        IChatBackend? backend = null, bool force = false)
    {
        InstallExitHooks();
        BookRunner runner;
        try
        {
            backend ??= BackendFor(writer.Record, settings, environment);
            runner = new BookRunner(writer, backend, settings, name => BackendFactory.Create(name, settings, environment))
            {
                Scheduler = new SlotScheduler(writer.Job.Root, settings.Concurrency, settings.QuietHours),
            };
            runner.Prepare(force);
            writer.SetState(JobState.Pending); // queued on disk before the caller gets the job back; RUNNING once it has a slot
        }
        catch
        {
            writer.Dispose();
            throw;
        }
        var job = JobRegistry.ObjectFor(writer.Job with { Statistics = writer.Statistics }, forRun: true);
        Running[job.InstanceId] = runner;
        job.StartOwned(writer, runner, () => Running.TryRemove(job.InstanceId, out _));
        return job;
    }

    /// <summary>The backend a job recorded (name, model and endpoint as it was started). A job that failed over runs
    /// on the fallback it moved to, with that backend's own model and endpoint.</summary>
    public static IChatBackend BackendFor(JobRecord record, XSSettings settings, IReadOnlyDictionary<string, string?> environment)
    {
        var name = record.Backend ?? record.RunSpec.Backend;
        return string.Equals(name, record.RunSpec.Backend, StringComparison.OrdinalIgnoreCase)
            ? BackendFactory.Create(name, settings, environment, record.RunSpec.Model, record.Meta.BaseUrl)
            : BackendFactory.Create(name, settings, environment);
    }

    /// <summary>Takes the lease of a job nobody runs and runs it here from its last recorded chunk.</summary>
    public static XSJob Resume(StoredJob stored, XSSettings settings, IReadOnlyDictionary<string, string?> environment, bool force)
    {
        var backend = BackendFor(stored.Record, settings, environment); // fails fast, before taking anything
        var writer = OpenWithRetry(stored);
        return Start(writer, settings, environment, backend, force);
    }

    /// <summary>A freshly ended lease probe or runner can hold the lock for a moment; try a few times.</summary>
    private static JobWriter OpenWithRetry(StoredJob stored)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return JobWriter.Open(stored with { Record = JobFile.Read(stored.Folder) }, SystemClock.Instance); }
            catch (JobBusyException) when (attempt < 10) { Thread.Sleep(20); }
        }
    }

    private static void InstallExitHooks()
    {
        if (Interlocked.Exchange(ref _hooksInstalled, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            WarnThatLiveJobsEnd();
            InterruptAll();
        };
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            try { SignalRegistrations.Add(PosixSignalRegistration.Create(signal, _ => InterruptAll())); }
            catch (PlatformNotSupportedException) { }
        }
    }

    /// <summary>Leaving pwsh ends the jobs it runs: say so, and how to go on (DESIGN §3.6). Installed with the first
    /// job rather than at import, which keeps an engine event (and the code it compiles) out of Import-Module.</summary>
    private static void WarnThatLiveJobsEnd()
    {
        var live = LiveCount;
        if (live == 0) return;
        try
        {
            Console.Error.WriteLine($"WARNING: exiting ends {live} running XSArena job(s); they are marked FAILED 'interrupted'. "
                + "Resume them later with: Get-XSJob | Where-Object State -eq FAILED | Resume-XSJob");
        }
        catch (IOException) { } // no console left to tell
    }

    /// <summary>Asks every runner here to stop as interrupted and waits briefly for them to record it.</summary>
    public static void InterruptAll()
    {
        var jobs = Running.Keys.Select(JobRegistry.Find).OfType<XSJob>().ToList();
        foreach (var runner in Running.Values) runner.Interrupt();
        var deadline = DateTime.UtcNow + ExitGrace;
        foreach (var job in jobs)
        {
            var left = deadline - DateTime.UtcNow;
            if (left > TimeSpan.Zero) job.WaitForRunner(left);
        }
    }
}
