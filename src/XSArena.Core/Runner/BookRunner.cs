using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using XSArena.Core.Backends;
using XSArena.Core.Book;
using XSArena.Core.Control;
using XSArena.Core.Jobs;
using XSArena.Core.Scheduling;
using XSArena.Core.Settings;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>Runs the chunk algorithm of DESIGN §5 for one job whose lease <paramref name="writer"/> holds:
/// prompt, request, strip the NEXT marker, extend short chunks under the repetition and low-growth guards, append
/// the chunk to the book, log <c>chunk_done</c>. A chunk is appended only once it is complete, so stopping or failing
/// mid-chunk leaves no partial text.
/// <para>Every request goes through the retry loop of DESIGN §6 (<see cref="RetryPolicy"/>): retriable failures are
/// retried per request with backoff, never restarting the book; when this backend gives up and
/// <see cref="XSSettings.FallbackBackends"/> names a next one, <paramref name="backendFactory"/> creates it and the
/// same request continues there (<c>failover</c>).</para></summary>
/// <param name="backendFactory">Creates a fallback backend by name; null disables failover.</param>
/// <param name="timing">Backoff jitter and the wait itself; tests inject both.</param>
public sealed class BookRunner(
    JobWriter writer,
    IChatBackend backend,
    XSSettings settings,
    Func<string, IChatBackend>? backendFactory = null,
    RetryTiming? timing = null)
{
    private const int TailBytes = 4096;
    private const int MaxRepeatRetries = 2;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private RunnerControl? _control;
    private bool _interruptRequested;
    private Prepared? _prepared;
    private OutputLease? _outputLease;
    private IChatBackend _backend = backend;
    private SlotGrant? _grant;

    /// <summary>Running slots (DESIGN §7); null runs without limits or quiet hours.</summary>
    public SlotScheduler? Scheduler { get; set; }

    /// <summary>The job's place in the queue; larger starts sooner.</summary>
    public int Priority { get; set; } = writer.Record.Meta.Priority ?? settings.DefaultPriority;
    private readonly RetryPolicy _policy = new(settings, timing);

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

    /// <summary>Ends the run because the process is going away: the job is left FAILED <c>interrupted</c>, or PAUSED if
    /// it was held paused.</summary>
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
        var model = ModelFor(_backend.Name);
        var systemText = Record.Meta.SystemText ?? SystemPrompt.Compose(new SystemPromptInput(Record.RunSpec.Subject));

        await using var control = new RunnerControl(writer, cancellationToken, settings.ControlPollInterval, settings.UseFileWatcher);
        _control = control;
        if (_interruptRequested) control.Interrupt();
        var token = control.Token;
        try
        {
            control.Start();
            await TakeSlotAsync(control, token);
            writer.SetState(JobState.Running);
            writer.Log(EventTypes.JobStarted, new JsonObject { ["backend"] = _backend.Name, ["model"] = model, ["pid"] = Environment.ProcessId });

            var prepared = _prepared ?? throw new InvalidOperationException("Prepare the run (reconcile the book) before running it.");
            var (modelHint, previousChunk) = (prepared.ModelHint, prepared.PreviousChunk);
            var finishedEarly = false;
            for (var chunk = prepared.StartChunk; chunk <= total && !finishedEarly; chunk++)
            {
                token.ThrowIfCancellationRequested();
                await BoundaryAsync(control, token, chunkStart: true);
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
                // DESIGN §3.2: a job held PAUSED stays PAUSED when its process goes away; any session may resume it.
                if (writer.State == JobState.Paused) return End(JobState.Paused);
                return End(JobState.Failed, JobRecovery.InterruptedCode, JobRecovery.InterruptedMessage);
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
        finally
        {
            ReleaseSlot();
        }
    }

    /// <summary>Before a request: a pause gives the slot back and holds PAUSED; after the resume, or when quiet
    /// hours began before a new chunk, the job waits PENDING for a slot again.</summary>
    private async Task BoundaryAsync(RunnerControl control, CancellationToken cancellationToken, bool chunkStart = false)
    {
        if (Scheduler is null)
        {
            await control.WaitAtBoundaryAsync();
            return;
        }
        if (control.PauseRequested.IsCancellationRequested) ReleaseSlot();
        await control.WaitAtBoundaryAsync();
        if (chunkStart && _grant is not null && Scheduler.IsQuietNow()) ReleaseSlot();
        if (_grant is null)
        {
            await TakeSlotAsync(control, cancellationToken);
            if (writer.Job.State != JobState.Running) writer.SetState(JobState.Running);
        }
    }

    /// <summary>Waits for a slot, PENDING with <c>meta.wait_reason</c> and <c>meta.queue_position</c> while it
    /// waits. A pause while waiting gives the ticket up and holds PAUSED; a stop cancels.</summary>
    private async Task TakeSlotAsync(RunnerControl control, CancellationToken cancellationToken)
    {
        if (Scheduler is null || _grant is not null) return;
        var request = new SlotRequest(writer.InstanceId, Priority, _backend.Name, Record.Meta.BaseUrl);
        var waited = false;
        while (_grant is null)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, control.PauseRequested);
            try
            {
                _grant = await Scheduler.AcquireAsync(request, w =>
                {
                    waited = true;
                    if (w.Priority != Priority)
                    {
                        // Set-XSJob renamed the ticket: keep the new priority for the next time the job queues.
                        Priority = w.Priority;
                        Record.Meta.Priority = w.Priority;
                        request = request with { Priority = w.Priority };
                    }
                    Record.Meta.WaitReason = w.Reason;
                    Record.Meta.QueuePosition = w.QueuePosition;
                    writer.SetState(JobState.Pending);
                }, wait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await control.WaitAtBoundaryAsync(); // PAUSED until a resume; then queue again at the back
            }
        }
        if (waited || Record.Meta.WaitReason is not null)
        {
            Record.Meta.WaitReason = null;
            Record.Meta.QueuePosition = null;
            writer.SetState(JobState.Running);
        }
    }

    private void ReleaseSlot() => Interlocked.Exchange(ref _grant, null)?.Dispose();

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
            await BoundaryAsync(control, cancellationToken);
            var result = await SendWithRetryAsync(control, new ChatRequest(systemText, user, model, chunk, 0, attempt), cancellationToken);
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
            await BoundaryAsync(control, cancellationToken);
            var result = await SendWithRetryAsync(control, new ChatRequest(systemText, user, model, chunk, pass), cancellationToken);
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

    /// <summary>Sends one request until it succeeds: retriable failures wait (backoff, or Retry-After capped) and
    /// try again on the same backend; a backend that gives up is replaced by the next fallback; anything else, or no
    /// fallback left, throws the classified failure and fails the job. A reply that finished with no text counts as
    /// a retriable <c>empty_completion</c>; a reply that loops on itself is cut back (<c>repetition_loop</c>).
    /// <c>finish_reason: length</c> is a success: its text is kept and the chunk goes on (extension passes).</summary>
    private async Task<ChatResult> SendWithRetryAsync(RunnerControl control, ChatRequest request, CancellationToken cancellationToken)
    {
        var retries = 0;
        var sendCount = 0;
        while (true)
        {
            var current = request with { Model = ModelFor(_backend.Name) };
            BackendException error;
            try
            {
                var result = await SendAsync(current, sendCount++, cancellationToken);
                if (!string.IsNullOrWhiteSpace(result.Text))
                    return TrimLoop(result, request);
                error = new BackendException(BackendErrorCode.EmptyCompletion,
                    $"{_backend.Name}: the reply finished (finish_reason {result.FinishReason ?? "none"}) without any text.");
            }
            catch (BackendException ex)
            {
                error = ex;
            }

            var decision = _policy.Decide(error, retries);
            if (decision.Action == RetryAction.Retry)
            {
                retries++;
                writer.Log(EventTypes.Retry, new JsonObject
                {
                    ["chunk_idx"] = request.ChunkIndex,
                    ["pass"] = request.Pass,
                    ["attempt"] = retries,
                    ["backend"] = _backend.Name,
                    ["error_code"] = error.CodeName,
                    ["delay_ms"] = (long)decision.Delay.TotalMilliseconds,
                    ["retry_after_ms"] = error.RetryAfter is { } asked ? (long)asked.TotalMilliseconds : null,
                    ["user_message"] = error.Message,
                });
                await BackoffAsync(control, decision.Delay, cancellationToken);
                await BoundaryAsync(control, cancellationToken);
                continue;
            }
            if (decision.Action == RetryAction.Failover && TryFailover(error, decision.Reason, request))
            {
                retries = 0;
                await BoundaryAsync(control, cancellationToken);
                continue;
            }
            throw error;
        }
    }

    /// <summary>Waits before a retry. A stop cancels the wait (and the job); a pause cuts it short so the job holds
    /// at the boundary right away instead of after the wait.</summary>
    private async Task BackoffAsync(RunnerControl control, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, control.PauseRequested);
        try
        {
            await _policy.WaitAsync(delay, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A pause arrived: WaitAtBoundaryAsync holds next.
        }
    }

    /// <summary>Moves the job to the next backend of <see cref="XSSettings.FallbackBackends"/> after the one in use.
    /// A fallback that cannot be created is logged and passed over. False when none is left.</summary>
    private bool TryFailover(BackendException error, string reason, ChatRequest request)
    {
        if (backendFactory is null) return false;
        var chain = settings.FallbackBackends;
        var position = IndexOf(chain, _backend.Name);
        for (var i = position + 1; i < chain.Count; i++)
        {
            var name = chain[i];
            if (string.Equals(name, _backend.Name, StringComparison.OrdinalIgnoreCase)) continue;
            IChatBackend next;
            try
            {
                next = backendFactory(name);
            }
            catch (BackendException ex)
            {
                writer.Log(EventTypes.FailoverSkipped, new JsonObject
                {
                    ["chunk_idx"] = request.ChunkIndex,
                    ["to"] = name,
                    ["error_code"] = ex.CodeName,
                    ["user_message"] = ex.Message,
                });
                continue;
            }
            writer.Log(EventTypes.Failover, new JsonObject
            {
                ["chunk_idx"] = request.ChunkIndex,
                ["pass"] = request.Pass,
                ["from"] = _backend.Name,
                ["to"] = next.Name,
                ["reason"] = reason,
                ["error_code"] = error.CodeName,
                ["user_message"] = error.Message,
            });
            _backend = next;
            Record.Backend = next.Name;
            Record.RunSpec.Model = BackendFactory.ResolveModel(next.Name, settings); // the record shows what now writes the book
            writer.Save();
            return true;
        }
        return false;
    }

    private static int IndexOf(IReadOnlyList<string> chain, string name)
    {
        for (var i = 0; i < chain.Count; i++)
        {
            if (string.Equals(chain[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        }
        return -1;
    }

    /// <summary>The job's model on the backend it was started with; a fallback backend uses its own model
    /// (an empty model makes the backend send its configured one).</summary>
    private string ModelFor(string backendName) =>
        string.Equals(backendName, Record.RunSpec.Backend, StringComparison.OrdinalIgnoreCase) ? Record.RunSpec.Model : "";

    /// <summary>Cuts a degenerate loop off a reply and logs it; the chunk goes on with what came before the loop.</summary>
    private ChatResult TrimLoop(ChatResult result, ChatRequest request)
    {
        var trimmed = RepetitionLoop.Trim(result.Text, out var loop);
        if (loop is null) return result;
        writer.Log(EventTypes.RepetitionLoop, new JsonObject
        {
            ["chunk_idx"] = request.ChunkIndex,
            ["pass"] = request.Pass,
            ["chars_before"] = result.Text.Length,
            ["chars_after"] = trimmed.Length,
            ["occurrences"] = loop.Occurrences,
            ["repeated"] = loop.Repeated.Length > 120 ? loop.Repeated[..120] : loop.Repeated,
        });
        return result with { Text = trimmed };
    }

    private async Task<ChatResult> SendAsync(ChatRequest request, int sendCount, CancellationToken cancellationToken)
    {
        if (request.Pass == 0 && request.Attempt == 0 && sendCount == 0) CrashPoints.Hit(settings, CrashPoints.BeforeRequest, request.ChunkIndex);
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await _backend.CompleteAsync(request, cancellationToken);
            LogRequest(request, sendCount, clock.ElapsedMilliseconds, result, error: null);
            return result;
        }
        catch (BackendException ex)
        {
            // A failed attempt is logged like any other, so the log explains the job afterwards. A watchdog expiry
            // (idle, first byte, or the client's total limit; a server's own 408/504 carries a status) is a stall.
            LogRequest(request, sendCount, clock.ElapsedMilliseconds, null, ex);
            if (ex.Code == BackendErrorCode.Stall || (ex.Code == BackendErrorCode.Timeout && ex.StatusCode is null))
            {
                writer.Log(EventTypes.WatchdogTimeout, new JsonObject
                {
                    ["chunk_idx"] = request.ChunkIndex,
                    ["pass"] = request.Pass,
                    ["backend"] = _backend.Name,
                    ["error"] = ex.Message,
                });
            }
            throw;
        }
    }

    private void LogRequest(ChatRequest request, int sendCount, long latencyMs, ChatResult? result, BackendException? error)
    {
        var fields = new JsonObject
        {
            ["chunk_idx"] = request.ChunkIndex,
            ["pass"] = request.Pass,
            ["attempt"] = request.Attempt,
            ["retry"] = sendCount,
            ["backend"] = _backend.Name,
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
