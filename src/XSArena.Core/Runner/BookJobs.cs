using System.Text.Json.Nodes;
using XSArena.Core.Book;
using XSArena.Core.Jobs;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>What a user asks for when starting a book (the parameters of Start-XSBook).</summary>
public sealed record BookRequest(string Subject)
{
    public string Length { get; init; } = "standard";
    public string Span { get; init; } = "medium";
    public int? Chunks { get; init; }
    public int? MinChars { get; init; }
    /// <summary>Absolute path of the book, or null for <c>books/&lt;safe subject&gt;.final.md</c> under the root.</summary>
    public string? OutFile { get; init; }
    public string? Backend { get; init; }
    public string? Model { get; init; }
    public string? BaseUri { get; init; }
    public IReadOnlyList<string> Overlays { get; init; } = ["narrative", "no_bs"];
    public string ExtraNote { get; init; } = "";
    public IReadOnlyList<string> ExtraFiles { get; init; } = [];
    public bool Plan { get; init; }
    public string? Name { get; init; }
    /// <summary>Queue priority; null takes <see cref="XSSettings.DefaultPriority"/>.</summary>
    public int? Priority { get; init; }
}

/// <summary>Creates book jobs on disk.</summary>
public static class BookJobs
{
    /// <summary>Validates the request, writes the new job (job.json, <c>job_submitted</c>) and returns its writer,
    /// which holds the job's lease. Nothing is written when validation fails.</summary>
    public static JobWriter Create(JobStore store, BookRequest request, XSSettings settings, IClock clock)
    {
        if (string.IsNullOrWhiteSpace(request.Subject)) throw new ArgumentException("The subject must not be empty.");
        var plan = BookPresets.Resolve(request.Length, request.Span, request.Chunks, request.MinChars, settings.Presets);
        var backend = request.Backend ?? settings.DefaultBackend;
        if (!settings.Backends.ContainsKey(backend))
        {
            throw new ArgumentException(
                $"Unknown backend '{backend}'. Known backends: {string.Join(", ", settings.Backends.Keys.Order())}.");
        }
        var extraTexts = request.ExtraFiles.Select(File.ReadAllText).ToList();
        var systemText = SystemPrompt.Compose(new SystemPromptInput(request.Subject)
        {
            Overlays = request.Overlays,
            ExtraNote = request.ExtraNote,
            GeneratePlan = request.Plan,
            ExtraFileTexts = extraTexts,
            Directives = new DirectoryDirectiveSource(Path.Combine(store.Root, "directives")),
        });

        var id = Guid.NewGuid();
        var now = Timestamps.Format(clock.UtcNow);
        var record = new JobRecord
        {
            Id = id.ToString("D"),
            Name = string.IsNullOrWhiteSpace(request.Name) ? request.Subject : request.Name,
            Backend = backend,
            State = JobState.Pending.ToWire(),
            CreatedAt = now,
            UpdatedAt = now,
            Schema = JobRecord.CurrentSchema,
            RunSpec = new RunSpec
            {
                Subject = request.Subject,
                Length = plan.Length,
                Span = plan.Span,
                Overlays = [.. request.Overlays],
                ExtraNote = request.ExtraNote,
                ExtraFiles = [.. request.ExtraFiles],
                OutPath = request.OutFile is null ? OutputName.DefaultRelativePath(request.Subject) : StoredOutPath(store.Root, request.OutFile),
                GeneratePlan = request.Plan,
                Backend = backend,
                Model = request.Model ?? settings.Backends[backend].Model ?? settings.DefaultModel,
            },
            Meta = new JobMeta
            {
                SystemText = systemText,
                Chunks = plan.Chunks,
                Priority = request.Priority,
                MinChars = plan.MinChars,
                ExtensionPasses = plan.ExtensionPasses,
                BaseUrl = request.BaseUri,
            },
            Progress = new JobProgress { ChunksTotal = plan.Chunks },
        };

        return Submit(store, id, record, clock);
    }

    /// <summary>Writes a new job's folder and job.json, then logs <c>job_submitted</c> (with <paramref name="extra"/>
    /// fields) while holding its lease. Returns the writer, which still holds the lease.</summary>
    internal static JobWriter Submit(JobStore store, Guid id, JobRecord record, IClock clock, JsonObject? extra = null)
    {
        var folder = store.CreateFolder(id);
        JobFile.Write(folder, record);
        var writer = JobWriter.Open(new StoredJob(id, folder, store.Root, record, JobStatistics.Empty), clock);
        var fields = new JsonObject
        {
            ["spec"] = System.Text.Json.JsonSerializer.SerializeToNode(record.RunSpec, StoreJsonContext.Default.RunSpec),
            ["chunks"] = record.Meta.Chunks,
            ["min_chars"] = record.Meta.MinChars,
            ["extension_passes"] = record.Meta.ExtensionPasses,
        };
        foreach (var (name, value) in extra ?? []) fields[name] = value?.DeepClone();
        writer.Log(EventTypes.JobSubmitted, fields);
        writer.SyncEvents();
        return writer;
    }

    public static string ResolveOutputPath(string root, RunSpec spec) =>
        Path.GetFullPath(Path.Combine(root, spec.OutPath ?? OutputName.DefaultRelativePath(spec.Subject)));

    /// <summary>Books under the root are stored relative to it (as upstream did); others absolute.</summary>
    internal static string StoredOutPath(string root, string outFile)
    {
        var full = Path.GetFullPath(outFile);
        var relative = Path.GetRelativePath(root, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative.Replace('\\', '/');
    }
}
