using System.Management.Automation;
using XSArena.Core.Backends;
using XSArena.Core.Book;
using XSArena.Core.Runner;
using XSArena.Core.Settings;
using XSArena.PowerShell.Jobs;

namespace XSArena.PowerShell.Commands;

/// <summary>Creates a book job on disk and runs it in this session as a PowerShell job.</summary>
[Cmdlet(VerbsLifecycle.Start, "XSBook")]
[OutputType(typeof(XSJob))]
public sealed class StartXSBookCommand : PSCmdlet
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

    /// <summary>Wait for the job to end, showing progress.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    private readonly ManualResetEventSlim _stopWaiting = new();

    protected override void ProcessRecord()
    {
        var store = JobRegistry.UseRoot(RootResolver.Resolve(this));
        var environment = SettingsBuilder.ProcessEnvironment();
        var settings = SettingsBuilder.Build(environment);
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
        };

        IChatBackend backend;
        JobWriter writer;
        try
        {
            backend = BackendFactory.Create(request.Backend ?? settings.DefaultBackend, settings, environment, Model, request.BaseUri);
            writer = BookJobs.Create(store, request, settings, Core.Jobs.SystemClock.Instance);
        }
        catch (Exception ex) when (ex is ArgumentException or BackendException)
        {
            ThrowTerminatingError(ErrorHelper.InvalidArgument(ex, "InvalidBookRequest", Subject));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorHelper.StoreError(ex, Subject));
            return;
        }

        var job = JobLauncher.Start(writer, settings, environment, backend);
        if (Wait) WaitWithProgress(job);
        WriteObject(job);
        if (Wait && job.XSState is "FAILED" or "CANCELLED") WriteError(ErrorHelper.JobFailed(job));
    }

    protected override void StopProcessing() => _stopWaiting.Set();

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
