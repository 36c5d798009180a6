using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Runner;
using XSArena.Core.Store;

namespace XSArena.Core.Control;

/// <summary>The runner's side of cross-process control: a loop that reads the job's request folder (a file-system
/// watcher wakes it, a short poll makes it correct), acknowledges each request once (<c>control_&lt;verb&gt;</c> with
/// the request id) and turns it into effects the chunk loop observes: stop (cancels the request in flight), pause
/// (holds before the next request), resume, and operator hints for the next chunk.</summary>
public sealed class RunnerControl : IAsyncDisposable
{
    private readonly JobWriter _writer;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _loopEnd = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly SemaphoreSlim _resumed = new(0);
    private readonly object _gate = new();
    private readonly HashSet<string> _acknowledged;
    private readonly Dictionary<string, int> _hintAppliedToChunk;
    private readonly List<ControlRequest> _hints = [];
    private readonly IDisposable? _watch;
    private Task _loop = Task.CompletedTask;
    private string? _pauseRequestId;
    private CancellationTokenSource _pauseSignal = new();
    private string? _resumeRequestId;

    public RunnerControl(JobWriter writer, CancellationToken outer, TimeSpan pollInterval, bool useWatcher)
    {
        _writer = writer;
        _pollInterval = pollInterval;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        var history = EventLogReader.ReadAll(writer.Folder).ToList();
        _acknowledged = [.. history.Where(e => e.Type.StartsWith("control_", StringComparison.Ordinal))
            .Select(e => e.GetString("request_id")).OfType<string>()];
        _hintAppliedToChunk = history.Where(e => e.Type == EventTypes.NextHintApplied && e.GetString("request_id") is not null)
            .GroupBy(e => e.GetString("request_id")!)
            .ToDictionary(g => g.Key, g => g.Last().ChunkIndex ?? 0);
        Directory.CreateDirectory(ControlInbox.FolderOf(writer.Folder));
        if (useWatcher) _watch = FolderWatch.Subscribe(ControlInbox.FolderOf(writer.Folder), name => name.EndsWith(".json", StringComparison.Ordinal), Wake);
    }

    /// <summary>Cancelled by a stop request, an interruption or the owner's token: requests pass it on.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Set when the process is ending: the job is left FAILED <c>interrupted</c>, not CANCELLED.</summary>
    public bool Interrupted { get; private set; }

    public string? StopRequestId { get; private set; }

    /// <summary>Cancelled when a pause is asked for (and renewed by the resume), so a backoff wait between retries
    /// can end early and hold at the boundary instead of sleeping through the pause.</summary>
    public CancellationToken PauseRequested
    {
        get { lock (_gate) return _pauseSignal.Token; }
    }

    public void Start()
    {
        Process();
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Ends the job because its process is going away.</summary>
    public void Interrupt()
    {
        Interrupted = true;
        _stop.Cancel();
    }

    /// <summary>Called before every request: if a pause was asked for, hold here (state PAUSED) until a resume or a
    /// stop arrives.</summary>
    public async Task WaitAtBoundaryAsync()
    {
        string? pauseId;
        lock (_gate) pauseId = _pauseRequestId;
        if (pauseId is null) return;

        _writer.SetState(JobState.Paused);
        _writer.Log(EventTypes.JobPaused, new JsonObject { ["request_id"] = pauseId, ["chunks_done"] = _writer.Statistics.ChunksDone });
        while (true)
        {
            await _resumed.WaitAsync(Token).ConfigureAwait(false);
            lock (_gate)
            {
                if (_pauseRequestId is null) break;
            }
        }
        string? resumeId;
        lock (_gate) resumeId = _resumeRequestId;
        _writer.SetState(JobState.Running);
        _writer.Log(EventTypes.JobResumed, new JsonObject { ["request_id"] = resumeId });
    }

    /// <summary>The operator's hints for <paramref name="chunk"/> (joined in the order they were sent), each logged
    /// once as <c>next_hint_applied</c>; null when there are none.</summary>
    public string? TakeHints(int chunk)
    {
        List<ControlRequest> hints;
        lock (_gate) hints = [.. _hints];
        if (hints.Count == 0) return null;
        foreach (var hint in hints)
        {
            if (_hintAppliedToChunk.TryGetValue(hint.Id, out var applied) && applied == chunk) continue;
            _hintAppliedToChunk[hint.Id] = chunk;
            _writer.Log(EventTypes.NextHintApplied, new JsonObject { ["request_id"] = hint.Id, ["chunk_idx"] = chunk, ["hint"] = hint.Text });
        }
        return string.Join("\n", hints.Select(h => h.Text).Where(t => !string.IsNullOrWhiteSpace(t)));
    }

    /// <summary>After <paramref name="chunk"/> is logged, the hints it used are done: only now are their request files
    /// removed, so a crash before this point re-applies them to the redone chunk, and never twice to two chunks.</summary>
    public void CompleteChunk(int chunk)
    {
        List<ControlRequest> done;
        lock (_gate)
        {
            done = [.. _hints.Where(h => _hintAppliedToChunk.TryGetValue(h.Id, out var c) && c == chunk)];
            _hints.RemoveAll(done.Contains);
        }
        foreach (var request in done) ControlInbox.Delete(request);
    }

    private async Task LoopAsync()
    {
        while (!_loopEnd.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(_pollInterval, _loopEnd.Token).ConfigureAwait(false);
                Process();
            }
            catch (OperationCanceledException) { return; }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The folder is briefly unreadable; the next poll tries again.
            }
        }
    }

    private void Process()
    {
        foreach (var request in ControlInbox.ReadPending(_writer.Folder))
        {
            if (!JobTransitions.TryParseVerb(request.Verb, out var command))
            {
                ControlInbox.Delete(request);
                continue;
            }
            var first = _acknowledged.Add(request.Id);
            if (first)
            {
                _writer.Log("control_" + request.Verb, new JsonObject
                {
                    ["command"] = request.Verb,
                    ["text"] = request.Text,
                    ["request_id"] = request.Id,
                    ["sender"] = request.Sender,
                });
            }
            Apply(command, request, first);
        }
    }

    private void Apply(JobCommand command, ControlRequest request, bool first)
    {
        switch (command)
        {
            case JobCommand.Hint:
                lock (_gate)
                {
                    if (!_hints.Any(h => h.Id == request.Id)) _hints.Add(request);
                }
                return; // kept until the chunk that uses it is logged
            case JobCommand.Stop when first:
                StopRequestId = request.Id;
                _stop.Cancel();
                break;
            case JobCommand.Suspend when first:
                CancellationTokenSource signal;
                lock (_gate)
                {
                    _pauseRequestId ??= request.Id;
                    signal = _pauseSignal;
                }
                signal.Cancel(); // outside the lock: waits woken by it may log and take the lock
                break;
            case JobCommand.Resume when first:
                lock (_gate)
                {
                    if (_pauseRequestId is not null)
                    {
                        _pauseRequestId = null;
                        _resumeRequestId = request.Id;
                        if (_pauseSignal.IsCancellationRequested) _pauseSignal = new CancellationTokenSource();
                        _resumed.Release();
                    }
                }
                break;
        }
        ControlInbox.Delete(request);
    }

    private void Wake()
    {
        try { if (_wake.CurrentCount == 0) _wake.Release(); }
        catch (ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _loopEnd.Cancel();
        try { await _loop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        _watch?.Dispose();
        _loopEnd.Dispose();
        _stop.Dispose();
        _wake.Dispose();
        _resumed.Dispose();
        _pauseSignal.Dispose();
    }
}
