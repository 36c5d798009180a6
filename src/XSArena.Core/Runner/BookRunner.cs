using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using XSArena.Core.Backends;
using XSArena.Core.Book;
using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>Runs the chunk algorithm of DESIGN §5 for one job whose lease <paramref name="writer"/> holds:
/// prompt, request, strip the NEXT marker, extend short chunks under the repetition and low-growth guards, append
/// the chunk to the book, log <c>chunk_done</c>. A chunk is appended only once it is complete, so stopping or failing
/// mid-chunk leaves no partial text.</summary>
public sealed class BookRunner(JobWriter writer, IChatBackend backend, XSSettings settings)
{
    private const int TailBytes = 4096;
    private const int MaxRepeatRetries = 2;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private RunnerControl? _control;
    private bool _interruptRequested;
    private Prepared? _prepared;
    private OutputLease? _outputLease;

    /// <summary>Where a run starts: after the last chunk the book still holds, with that chunk's model hint and text.</summary>
    private sealed record Prepared(int StartChunk, string? ModelHint, string? PreviousChunk);

    /// <summary>Checks the book against the log before anything is written (DESIGN §4, issue "resume is exact"):
    /// text after the last recorded chunk is cut back; a shorter or edited book throws
    /// <see cref="BookMismatchException"/> unless <paramref name="force"/>, which cuts back to the last chunk that
    /// still matches. Run by the launcher, so a mismatch is reported before the job changes state.</summary>
    public ReconcileResult Prepare(bool force)
    {
        _outputLease ??= OutputLease.TryAcquire(OutFile) ?? throw new OutputBusyException(OutFile);
        try { return Reconcile(force); }
        catch
        {
            ReleaseOutput();
            throw;
        }
    }

    /// <summary>Gives up the book's lease (the run ended, or it never started).</summary>
    public void ReleaseOutput()
    {
        _outputLease?.Dispose();
        _outputLease = null;
    }

    private ReconcileResult Reconcile(bool force)
    {
        var events = EventLogReader.ReadAll(writer.Folder).ToList();
        var chain = ChunkChain.FromEvents(events);
        var result = BookReconciler.Reconcile(OutFile, chain, ChunkChain.IsUpstream(chain), force, writer.Clock);
        if (result.BytesCut > 0 || result.MovedAsidePath is not null || result.ChunksKept < chain.Count)
        {
            writer.Log("book_reconciled", new JsonObject
            {
                ["chunks_kept"] = result.ChunksKept,
                ["out_len"] = result.BookLength,
                ["bytes_cut"] = result.BytesCut,
                ["moved_aside"] = result.MovedAsidePath,
                ["summary"] = result.Summary,
            });
        }
        var kept = chain.Take(result.ChunksKept).ToList();
        var previous = result.BookLength > 0 ? Anchor.ReadTail(OutFile, TailBytes) : null;
        _prepared = new Prepared(result.ChunksKept + 1, kept.LastOrDefault()?.Hint, previous);
        return result;
    }

    /// <summary>Raised after each chunk is appended and logged.</summary>
    public event Action<ChunkRecord>? ChunkCompleted;

    /// <summary>Ends the run because the process is going away: the job is left FAILED <c>interrupted</c>.</summary>
    public void Interrupt()
    {
        _interruptRequested = true;
        _control?.Interrupt();
    }

    private JobRecord Record => writer.Record;
    private string OutFile => writer.Job.OutputPath;
    private int TotalChunks => Record.Meta.Chunks ?? BookPresets.Resolve(Record.RunSpec.Length, Record.RunSpec.Span, null, null).Chunks;

    /// <summary>Runs until the book is complete, a request fails, or <paramref name="cancellationToken"/> stops it.
    /// Returns the final state, which is also saved in job.json.</summary>
    public async Task<JobState> RunAsync(CancellationToken cancellationToken)
    {
        var plan = BookPresets.Resolve(Record.RunSpec.Length, Record.RunSpec.Span, Record.Meta.Chunks, Record.Meta.MinChars);
        var passes = Record.Meta.ExtensionPasses ?? plan.ExtensionPasses;
        var total = plan.Chunks;
        var model = Record.RunSpec.Model;
        var systemText = Record.Meta.SystemText ?? SystemPrompt.Compose(new SystemPromptInput(Record.RunSpec.Subject));

        await using var control = new RunnerControl(writer, cancellationToken, settings.ControlPollInterval, settings.UseFileWatcher);
        _control = control;
        if (_interruptRequested) control.Interrupt();
        var token = control.Token;
        try
        {
            writer.SetState(JobState.Running);
            writer.Log(EventTypes.JobStarted, new JsonObject { ["backend"] = backend.Name, ["model"] = model, ["pid"] = Environment.ProcessId });
            control.Start();

            var prepared = _prepared ?? throw new InvalidOperationException("Prepare the run (reconcile the book) before running it.");
            var (modelHint, previousChunk) = (prepared.ModelHint, prepared.PreviousChunk);
            var finishedEarly = false;
            for (var chunk = prepared.StartChunk; chunk <= total && !finishedEarly; chunk++)
            {
                token.ThrowIfCancellationRequested();
                await control.WaitAtBoundaryAsync();
                var operatorHint = control.TakeHints(chunk);
                var anchor = chunk == 1 ? "" : Anchor.FromTail(Anchor.ReadTail(OutFile, TailBytes));
                var user = chunk == 1
                    ? UserPrompts.FirstChunk(total, Record.RunSpec.GeneratePlan, operatorHint)
                    : UserPrompts.Continuation(chunk, total, anchor, modelHint, operatorHint);

                var main = await RequestChunkAsync(control, systemText, user, model, chunk, previousChunk, token);
                var text = await ExtendAsync(control, systemText, model, chunk, total, main.Body, plan.MinChars, passes, token);

                var (outLength, tailHash) = AppendToBook(text, chunk);
                CrashPoints.Hit(settings, CrashPoints.AfterAppendBeforeLog, chunk);
                if (main.Hint is not null) writer.Log(EventTypes.NextHint, new JsonObject { ["chunk_idx"] = chunk, ["hint"] = main.Hint });
                writer.Log(EventTypes.ChunkDone, new JsonObject
                {
                    ["chunk_idx"] = chunk,
                    ["bytes"] = text.Length,
                    ["hint"] = main.Hint,
                    ["out_len"] = outLength,
                    ["out_tail_sha256"] = tailHash,
                });
                writer.SyncEvents();
                CrashPoints.Hit(settings, CrashPoints.AfterLogBeforeJobFile, chunk);
                writer.Save();
                control.CompleteChunk(chunk);
                ChunkCompleted?.Invoke(new ChunkRecord(writer.InstanceId, chunk, total, text.Length, main.Hint, outLength, OutFile));

                modelHint = main.Hint;
                previousChunk = text;
                finishedEarly = main.IsEnd;
            }

            Record.Artifacts["final"] = Record.RunSpec.OutPath ?? OutFile;
            writer.Log(EventTypes.JobCompleted, new JsonObject
            {
                ["final"] = OutFile,
                ["total_chunks"] = writer.Statistics.ChunksDone,
                ["ended_early"] = finishedEarly && writer.Statistics.ChunksDone < total,
            });
            return End(JobState.Done);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (control.Interrupted)
            {
                writer.Log(EventTypes.JobInterrupted, new JsonObject { ["reason"] = "process_exit", ["chunks_done"] = writer.Statistics.ChunksDone });
                return End(JobState.Failed, "interrupted", "The process running the job ended before the job did.");
            }
            writer.Log(EventTypes.JobCancelled, new JsonObject
            {
                ["request_id"] = control.StopRequestId,
                ["chunks_done"] = writer.Statistics.ChunksDone,
            });
            return End(JobState.Cancelled);
        }
        catch (BackendException ex)
        {
            return Fail(ex.CodeName, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail("io_error", ex.Message);
        }
    }

    private JobState Fail(string code, string message)
    {
        writer.Log(EventTypes.JobFailed, new JsonObject { ["error"] = message, ["error_code"] = code, ["user_message"] = message });
        return End(JobState.Failed, code, message);
    }

    private JobState End(JobState state, string? code = null, string? message = null)
    {
        ReleaseOutput();
        writer.Log(EventTypes.JobEnded, new JsonObject { ["state"] = state.ToWire() });
        writer.SetState(state, code, message);
        return state;
    }

    private sealed record StrippedReply(string Body, string? Hint, bool IsEnd);

    /// <summary>The chunk's main request; a reply that largely repeats the previous chunk is logged and asked again.</summary>
    private async Task<StrippedReply> RequestChunkAsync(
        RunnerControl control, string systemText, string user, string model, int chunk, string? previousChunk, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await control.WaitAtBoundaryAsync();
            var result = await SendAsync(new ChatRequest(systemText, user, model, chunk, 0, attempt), cancellationToken);
            var stripped = NextMarker.Strip(result.Text);
            var reply = new StrippedReply(stripped.Body, stripped.Hint, stripped.IsEnd);
            if (previousChunk is null || attempt >= MaxRepeatRetries) return reply;

            var overlap = ChunkRepeat.Overlap(reply.Body, previousChunk);
            if (overlap < ChunkRepeat.Threshold) return reply;
            writer.Log(EventTypes.ChunkRepeatRejected, new JsonObject
            {
                ["chunk_idx"] = chunk,
                ["attempt"] = attempt,
                ["overlap"] = Math.Round(overlap, 4),
                ["action"] = "retried",
            });
        }
    }

    /// <summary>Extension passes for a chunk shorter than the minimum, each continuing from the chunk's own tail.</summary>
    private async Task<string> ExtendAsync(
        RunnerControl control, string systemText, string model, int chunk, int total, string text, int minChars, int passes, CancellationToken cancellationToken)
    {
        var lowGrowth = new LowGrowthGuard(0);
        for (var pass = 1; pass <= passes && text.Length < minChars; pass++)
        {
            var anchor = Anchor.FromTail(text, Anchor.ExtensionAnchorChars);
            var user = UserPrompts.Extension(chunk, total, pass, anchor);
            await control.WaitAtBoundaryAsync();
            var result = await SendAsync(new ChatRequest(systemText, user, model, chunk, pass), cancellationToken);
            var extension = NextMarker.Strip(result.Text).Body;

            var similarity = Repetition.RepeatScore(extension, text);
            if (similarity > settings.RepetitionThreshold)
            {
                writer.Log(EventTypes.RepetitionGuard, new JsonObject
                {
                    ["chunk_idx"] = chunk,
                    ["pass"] = pass,
                    ["similarity"] = Math.Round(similarity, 4),
                    ["action"] = "skipped_extend",
                });
                break;
            }

            var before = text.Length;
            text = ChunkText.JoinExtension(text, extension);
            writer.Log(EventTypes.ExtensionPass, new JsonObject
            {
                ["chunk_idx"] = chunk,
                ["pass"] = pass,
                ["chars_before"] = before,
                ["chars_after"] = text.Length,
            });

            lowGrowth = lowGrowth.Observe(before, text.Length, extension.Trim().Length);
            if (lowGrowth.ShouldStop)
            {
                writer.Log(EventTypes.LowGrowth, new JsonObject { ["chunk_idx"] = chunk, ["pass"] = pass, ["current_length"] = text.Length });
                break;
            }
        }
        return text;
    }

    private async Task<ChatResult> SendAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        if (request.Pass == 0 && request.Attempt == 0) CrashPoints.Hit(settings, CrashPoints.BeforeRequest, request.ChunkIndex);
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await backend.CompleteAsync(request, cancellationToken);
            LogRequest(request, clock.ElapsedMilliseconds, result, error: null);
            return result;
        }
        catch (BackendException ex)
        {
            // A failed attempt is logged like any other, so the log explains the job afterwards; a stall also counts.
            LogRequest(request, clock.ElapsedMilliseconds, null, ex);
            if (ex.Code == BackendErrorCode.Stall)
                writer.Log(EventTypes.WatchdogTimeout, new JsonObject { ["chunk_idx"] = request.ChunkIndex, ["pass"] = request.Pass, ["error"] = ex.Message });
            throw;
        }
    }

    private void LogRequest(ChatRequest request, long latencyMs, ChatResult? result, BackendException? error)
    {
        var fields = new JsonObject
        {
            ["chunk_idx"] = request.ChunkIndex,
            ["pass"] = request.Pass,
            ["attempt"] = request.Attempt,
            ["backend"] = backend.Name,
            ["model"] = result?.Model ?? request.Model,
            ["latency_ms"] = latencyMs,
            ["chars"] = result?.Text.Length ?? error?.PartialText?.Length ?? 0,
            ["finish_reason"] = result?.FinishReason,
            ["prompt_tokens"] = result?.PromptTokens,
            ["completion_tokens"] = result?.CompletionTokens,
            ["cost"] = result?.Cost,
        };
        if (error is not null)
        {
            fields["error_code"] = error.CodeName;
            fields["error"] = error.Message;
        }
        writer.Log(EventTypes.Request, fields);
    }

    /// <summary>Appends a chunk (after a blank line unless the book is empty), forces it to disk, and returns the
    /// book's byte length and the hash of its last 4 KiB, which resume checks the book against. A failed write
    /// (disk full, permission) cuts the book back to where it was, so it never ends in half a chunk.</summary>
    private (long Length, string TailHash) AppendToBook(string text, int chunk)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(OutFile)!);
        using var stream = new FileStream(OutFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var before = stream.Length;
        var bytes = Utf8.GetBytes((before > 0 ? ChunkText.Separator : "") + text);
        try
        {
            stream.Seek(0, SeekOrigin.End);
            if (CrashPoints.Is(settings, CrashPoints.MidAppend, chunk) || CrashPoints.Is(settings, CrashPoints.IoErrorMidAppend, chunk))
            {
                stream.Write(bytes.AsSpan(0, bytes.Length / 2));
                stream.Flush(flushToDisk: true);
                CrashPoints.Hit(settings, CrashPoints.MidAppend, chunk);
                throw new IOException("No space left on device (injected for a test).");
            }
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
            return (stream.Length, TailHash(stream));
        }
        catch (IOException)
        {
            stream.SetLength(before);
            stream.Flush(flushToDisk: true);
            throw;
        }
    }

    public static string TailHash(FileStream stream)
    {
        var count = (int)Math.Min(TailBytes, stream.Length);
        var buffer = new byte[count];
        stream.Seek(stream.Length - count, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return Convert.ToHexStringLower(SHA256.HashData(buffer));
    }

}
