using System.Management.Automation;
using XSArena.Core.Backends;
using XSArena.Core.Book;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.Core.Store;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>Creates a book job on disk and runs it in this session as a PowerShell job.</summary>
[Cmdlet(VerbsLifecycle.Start, "XSBook")]
[OutputType(typeof(XSJob))]
public sealed class StartXSBookCommand : XSCmdletBase
{
    /// <summary>What the book is about.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Subject { get; set; } = "";

    /// <summary>Length preset: minimum characters per chunk and extension passes.</summary>
    [Parameter, ValidateSet("standard", "long", "very-long", "max", IgnoreCase = true)]
    public string Length { get; set; } = "standard";

    /// <summary>Span preset: number of chunks (medium 12, long 24, book 40).</summary>
    [Parameter, ValidateSet("medium", "long", "book", IgnoreCase = true)]
    public string Span { get; set; } = "medium";

    /// <summary>Number of chunks, overriding -Span.</summary>
    [Parameter, ValidateRange(1, 10000)]
    public int? Chunks { get; set; }

    /// <summary>Minimum characters per chunk, overriding -Length.</summary>
    [Parameter, ValidateRange(1, 1_000_000)]
    public int? MinChars { get; set; }

    /// <summary>Where to write the book; default books/&lt;subject&gt;.final.md under the project root.</summary>
    [Parameter]
    public string? OutFile { get; set; }

    /// <summary>offline, openai, openrouter or bridge (default from settings).</summary>
    [Parameter, ArgumentCompleter(typeof(Completion.BackendCompleter))]
    public string? Backend { get; set; }

    /// <summary>Model name sent to the backend.</summary>
    [Parameter]
    public string? Model { get; set; }

    /// <summary>Base URL of an OpenAI-compatible server (e.g. http://127.0.0.1:11434/v1).</summary>
    [Parameter]
    public Uri? BaseUri { get; set; }

    /// <summary>Style overlays.</summary>
    [Parameter, ValidateSet("narrative", "no_bs", "compressed", "bilingual", IgnoreCase = true)]
    public string[]? Overlay { get; set; }

    /// <summary>An extra instruction added to the system prompt.</summary>
    [Parameter]
    public string? ExtraNote { get; set; }

    /// <summary>Write a chapter outline first.</summary>
    [Parameter]
    public SwitchParameter Plan { get; set; }

    /// <summary>Job name (default: the subject).</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>Queue priority; larger starts sooner (default from scheduler.default_priority, 0).</summary>
    [Parameter]
    public int? Priority { get; set; }

    /// <summary>Wait for the job to end, showing progress.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>Run the job in a background pwsh that outlives this session (output in the job's detached.log).</summary>
    [Parameter]
    public SwitchParameter Detached { get; set; }

    /// <summary>If a job that is not DONE already writes this book, resume it.</summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Start over: move the existing book aside (it is kept, renamed) and start a new job.</summary>
    [Parameter]
    public SwitchParameter Overwrite { get; set; }

    /// <summary>Do not check that the backend can serve (key, server, browser, model) before creating the job.</summary>
    [Parameter]
    public SwitchParameter SkipPreflight { get; set; }

    private readonly ManualResetEventSlim _stopWaiting = new();
    private readonly CancellationTokenSource _stop = new();

    protected override void ProcessRecord()
    {
        if (string.IsNullOrWhiteSpace(Subject))
        {
            // Before the preflight and the book check: a blank subject would otherwise be reported as something else.
            ThrowTerminatingError(ErrorHelper.InvalidArgument(new ArgumentException("The subject is blank; name what the book is about."), "InvalidBookRequest", Subject));
            return;
        }
        var store = JobRegistry.UseRoot(RootResolver.Resolve(this));
        var environment = SettingsBuilder.ProcessEnvironment();
        var request = new BookRequest(Subject)
        {
            Length = Length.ToLowerInvariant(),
            Span = Span.ToLowerInvariant(),
            Chunks = Chunks,
            MinChars = MinChars,
            OutFile = OutFile is null ? null : GetUnresolvedProviderPathFromPSPath(OutFile),
            Backend = Backend?.ToLowerInvariant(),
            Model = Model,
            BaseUri = BaseUri?.ToString(),
            Overlays = Overlay?.Select(o => o.ToLowerInvariant()).ToArray() ?? new BookRequest(Subject).Overlays,
            ExtraNote = ExtraNote ?? "",
            Plan = Plan,
            Name = Name,
            Priority = Priority,
        };

        XSSettings settings;
        try
        {
            // Configuration is read before anything is created: a broken file never leaves a half-created job.
            settings = SettingsBuilder.BuildForRoot(environment, store.Root, WriteVerbose);
        }
        catch (ConfigException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidConfiguration", ErrorCategory.InvalidData, ex.File));
            return;
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "InvalidEnvironment", ErrorCategory.InvalidArgument, null));
            return;
        }

        XSJob job;
        try
        {
            if (!SkipPreflight)
            {
                var check = Preflight.CheckAsync(request.Backend ?? settings.DefaultBackend, settings, environment, Model, request.BaseUri, _stop.Token)
                    .GetAwaiter().GetResult();
                WriteVerbose($"Preflight of backend '{check.Backend}': {check.Message}");
                if (!check.Ok && settings.FallbackBackends.Count > 0)
                    WriteWarning($"A fallback is configured ({string.Join(", ", settings.FallbackBackends)}): -SkipPreflight starts the job anyway and lets failover take over.");
                BackendNotReadyException.ThrowIfNotReady(check);
            }
            var backend = BackendFactory.Create(request.Backend ?? settings.DefaultBackend, settings, environment, Model, request.BaseUri);
            var bookPath = request.OutFile ?? Path.GetFullPath(Path.Combine(store.Root, OutputName.DefaultRelativePath(Subject)));
            BookOutputs.Validate(bookPath);
            var situation = BookOutputs.Inspect(store, bookPath);
            switch (ChooseAction(situation, bookPath))
            {
                case null:
                    return; // the user chose not to start
                case StartAction.ResumeExisting when Detached && !RunnerLease.IsHeld(situation.Resumable!.Folder):
                    job = StartDetached(situation.Resumable!);
                    break;
                case StartAction.ResumeExisting:
                    job = ResumeExisting(situation.Resumable!);
                    break;
                default:
                    if (situation.BookExists)
                    {
                        var aside = BookReconciler.MoveAside(bookPath, Core.Jobs.SystemClock.Instance);
                        WriteWarning($"The existing book was moved aside to '{aside}'.");
                    }
                    var writer = BookJobs.Create(store, request with { OutFile = bookPath }, settings, Core.Jobs.SystemClock.Instance);
                    if (Detached)
                    {
                        var created = writer.Job;
                        writer.Dispose(); // PENDING, lease free: the background process takes it
                        job = StartDetached(created);
                    }
                    else
                    {
                        job = JobLauncher.Start(writer, settings, environment, backend);
                    }
                    break;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or BackendException)
        {
            ThrowTerminatingError(ErrorHelper.InvalidArgument(ex, "InvalidBookRequest", Subject));
            return;
        }
        catch (BackendNotReadyException ex)
        {
            ThrowTerminatingError(ErrorHelper.BackendNotReady(ex, Subject));
            return;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return; // Ctrl+C during the preflight
        }
        catch (OutputBusyException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "OutputInUse", ErrorCategory.ResourceBusy, Subject));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorHelper.StoreError(ex, Subject));
            return;
        }

        if (Wait) WaitWithProgress(job); // a detached job is followed from disk like any other process's job
        WriteObject(job);
        if (Wait && job.XSState is "FAILED" or "CANCELLED") WriteError(ErrorHelper.JobFailed(job));
    }

    protected override void StopProcessing()
    {
        _stopWaiting.Set();
        _stop.Cancel();
    }

    /// <summary>What to do about a book or job already at the output; null when the user declined.</summary>
    private StartAction? ChooseAction(OutputSituation situation, string bookPath)
    {
        var action = StartDecision.Decide(situation, Resume, Overwrite, HostInteraction.IsInteractive(this));
        if (action is StartAction.ResumeExisting or StartAction.ResumeExistingWithWarning or StartAction.Ask
            && situation.Resumable is { } other && !string.Equals(other.Record.RunSpec.Subject, Subject, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"Job '{other.Record.Name}' ({other.InstanceId}, {Core.Jobs.JobStates.ToWire(other.State)}) writes this book about " +
                $"'{other.Record.RunSpec.Subject}', not '{Subject}'. Pass -OutFile for another file, or -Overwrite to move its book aside.");
        }
        var existing = situation.Resumable ?? situation.Finished;
        var who = existing is null ? "" : $" by job '{existing.Record.Name}' ({existing.InstanceId}, {Core.Jobs.JobStates.ToWire(existing.State)})";
        switch (action)
        {
            case StartAction.RefuseInUse:
                throw new OutputBusyException(situation.Resumable?.OutputPath ?? existing?.OutputPath ?? OutFile ?? Subject);
            case StartAction.RefuseExistingBook:
                throw new ArgumentException(
                    $"The book '{bookPath}' already exists{(who.Length > 0 ? ", written" + who : "")}; it is never appended to. " +
                    "Pass -Overwrite to move it aside and start again, or -OutFile for another file.");
            case StartAction.ResumeExistingWithWarning:
                WriteWarning($"A job already writes this book{who}; resuming it. Pass -Overwrite to start over instead.");
                return StartAction.ResumeExisting;
            case StartAction.Ask:
                var choice = Host.UI.PromptForChoice(
                    "A job already writes this book", $"The book is being written{who}. Resume that job or start over?",
                    new System.Collections.ObjectModel.Collection<System.Management.Automation.Host.ChoiceDescription>
                    {
                        new("&Resume", "Go on from the last recorded chunk."),
                        new("&Overwrite", "Move the book aside and start a new job."),
                        new("&Cancel", "Do nothing."),
                    }, 0);
                return choice switch { 0 => StartAction.ResumeExisting, 1 => StartAction.MoveAsideThenStartNew, _ => null };
            default:
                return action;
        }
    }

    private XSJob StartDetached(StoredJob stored)
    {
        var run = DetachedRuns.Resume(this, stored.Root, stored.InstanceId, stored.Folder, force: false, skipPreflight: true);
        WriteVerbose($"'{stored.Record.Name}' runs in background process {run.ProcessId}; its output goes to {run.LogPath}.");
        return JobRegistry.ObjectFor(stored);
    }

    private XSJob ResumeExisting(Core.Store.StoredJob stored)
    {
        var job = JobRegistry.ObjectFor(stored);
        JobControlClient.Send(job, Core.Control.JobCommand.Resume, null, CancellationToken.None);
        return JobRegistry.Find(stored.InstanceId) ?? job;
    }

    private void WaitWithProgress(XSJob job)
    {
        var activityId = Math.Abs(job.InstanceId.GetHashCode() % 100000) + 1;
        var handles = new[] { job.Finished, _stopWaiting.WaitHandle };
        while (WaitHandle.WaitAny(handles, TimeSpan.FromMilliseconds(200)) == WaitHandle.WaitTimeout)
        {
            WriteProgress(ProgressOf(job, activityId));
        }
        var done = ProgressOf(job, activityId);
        done.RecordType = ProgressRecordType.Completed;
        WriteProgress(done);
    }

    private static ProgressRecord ProgressOf(XSJob job, int activityId)
    {
        var total = Math.Max(job.ChunksTotal, 1);
        return new ProgressRecord(activityId, $"Writing '{job.Name}'", $"{job.XSState}: chunk {job.ChunksDone} of {job.ChunksTotal}")
        {
            PercentComplete = Math.Clamp(job.ChunksDone * 100 / total, 0, 100),
            CurrentOperation = job.OutFile,
        };
    }
}
