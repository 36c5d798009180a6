using System.Management.Automation;
using XSArena.Core.Jobs;
using JobState = XSArena.Core.Jobs.JobState;
using JobState2 = System.Management.Automation.JobState;
using XSArena.Core.Runner;
using XSArena.Core.Store;

namespace XSArena;

/// <summary>A book job as a PowerShell job. There is one object per job per process, held by
/// <see cref="PowerShell.Jobs.JobRegistry"/>; it is the same instance Get-Job, Get-XSJob and Start-XSBook return.
/// A job run by this process is "owned" (its runner lives here); any other job is observed from disk.</summary>
public sealed class XSJob : Job2
{
    public const string TypeName = "XSArenaJob";

    private readonly object _gate = new();
    private StoredJob _snapshot;
    private JobStatistics _statistics;
    private DateTime? _created; // parsed once per snapshot: every listing sorts by it
    private Task? _runTask;

    /// <param name="takeDiskState">False for an object about to run here: it starts NotStarted and follows its
    /// runner, whatever the state on disk says until the runner writes RUNNING.</param>
    internal XSJob(StoredJob snapshot, bool takeDiskState = true)
        : base(CommandText(snapshot), snapshot.Record.Name, snapshot.InstanceId)
    {
        PSJobTypeName = TypeName;
        _snapshot = snapshot;
        _statistics = snapshot.Statistics;
        _created = CreatedOf(snapshot);
        if (takeDiskState) TakeStateAtCreation(snapshot.State);
    }

    /// <summary>A new object for a job whose previous object finished (a finished PowerShell job cannot run again);
    /// it keeps the session Id and InstanceId.</summary>
    private XSJob(StoredJob snapshot, JobIdentifier token, bool takeDiskState)
        : base(CommandText(snapshot), snapshot.Record.Name, token)
    {
        PSJobTypeName = TypeName;
        _snapshot = snapshot;
        _statistics = snapshot.Statistics;
        _created = CreatedOf(snapshot);
        if (takeDiskState) TakeStateAtCreation(snapshot.State);
    }

    internal static XSJob Replacement(StoredJob snapshot, JobIdentifier? token, bool takeDiskState) =>
        token is null ? new XSJob(snapshot, takeDiskState) : new XSJob(snapshot, token, takeDiskState);

    #region Properties shown to users

    /// <summary>The job's persistent id (same as InstanceId).</summary>
    public Guid JobId => InstanceId;

    /// <summary>The seed's state name (PENDING, RUNNING, PAUSED, DONE, FAILED, CANCELLED); Types.ps1xml shows it as State.</summary>
    public string XSState => Snapshot.Record.State.ToUpperInvariant();

    public string Subject => Snapshot.Record.RunSpec.Subject;
    public string? Backend => Snapshot.Record.Backend ?? Snapshot.Record.RunSpec.Backend;
    public string Model => Snapshot.Record.RunSpec.Model;
    public string OutFile => Snapshot.OutputPath;
    public string Root => Snapshot.Root;
    public string Folder => Snapshot.Folder;
    public DateTime? Created { get { lock (_gate) return _created; } }
    public DateTime? Updated => Timestamps.ParseOrNull(Snapshot.Record.UpdatedAt)?.LocalDateTime;
    public int ChunksDone => Statistics.ChunksDone;
    public int ChunksTotal => Snapshot.Record.Progress.ChunksTotal > 0 ? Snapshot.Record.Progress.ChunksTotal : Snapshot.Record.Meta.Chunks ?? 0;
    public int Requests => Statistics.Requests;
    public int Retries => Statistics.Retries;
    public int Failovers => Statistics.Failovers;
    public int Stalls => Statistics.Stalls;
    public long PromptTokens => Statistics.PromptTokens;
    public long CompletionTokens => Statistics.CompletionTokens;
    public decimal Cost => Statistics.Cost;
    /// <summary>Why the job failed or was cancelled (null while it runs or after it succeeded).</summary>
    public string? LastError => IsInErrorState ? Snapshot.Record.Meta.Error ?? Statistics.LastError : null;
    public string? ErrorCode => IsInErrorState ? Snapshot.Record.Meta.ErrorCode ?? Statistics.LastErrorCode : null;

    /// <summary>Why a PENDING job waits: <c>slot</c> or <c>quiet_hours</c>; null otherwise.</summary>
    public string? WaitReason => XSState == "PENDING" ? Snapshot.Record.Meta.WaitReason : null;

    /// <summary>A waiting job's place in its root's queue, from 1, read from the queue now (null when it does not wait).</summary>
    public int? QueuePosition => WaitReason is null ? null : Core.Scheduling.SlotScheduler.QueuePosition(Root, InstanceId);

    /// <summary>The job's queue priority; larger starts sooner.</summary>
    public int? Priority => Snapshot.Record.Meta.Priority;

    private bool IsInErrorState => XSState is "FAILED" or "CANCELLED";

    /// <summary>True while this process runs the job.</summary>
    public bool IsOwnedHere => _runTask is { IsCompleted: false };

    #endregion

    internal StoredJob Snapshot { get { lock (_gate) return _snapshot; } }
    internal JobStatistics Statistics { get { lock (_gate) return _statistics; } }
    internal JobState DiskState => Snapshot.State;

    public override string StatusMessage => WaitReason is { } reason
        ? $"{XSState} {reason}" + (QueuePosition is { } position ? $" #{position}" : "")
        : ChunksTotal > 0 ? $"{XSState} {ChunksDone}/{ChunksTotal}" : XSState;
    public override bool HasMoreData =>
        WithoutLoadingChunks(() => Output.Count > 0 || Error.Count > 0) || Statistics.ChunksDone > LoadedUpTo;

    private readonly object _receiveGate = new();
    private Queue<int>? _handedOut; // only jobs someone received from have one
    private int _loadedUpTo = -1;
    private bool _loadingChunks;
    private bool _onlyReadingStreams;

    /// <summary>The last chunk put into Output (from the job's received.mark the first time).</summary>
    private int LoadedUpTo => _loadedUpTo >= 0 ? _loadedUpTo : _loadedUpTo = ReceiveMark.Read(Folder);

    /// <summary>Receive-Job reads Output: fill it with the chunks recorded on disk that were not received yet (one
    /// record per chunk, whichever process wrote it). The job's received mark moves only past chunks that really
    /// left Output (Receive-Job without -Keep), so a later session gets whatever nobody received.</summary>
    protected override void DoLoadJobStreams()
    {
        lock (_receiveGate) LoadChunksLocked(completed: null); // the runner's thread and Receive-Job's may both get here
    }

    /// <param name="completed">The chunk this process's runner just completed: when it is the next one Output
    /// lacks, it goes in as it is, without reading the log.</param>
    private void LoadChunksLocked(ChunkRecord? completed)
    {
        if (_onlyReadingStreams)
        {
            UnloadJobStreams(); // skipped, not done: the next reader loads the chunks
            return;
        }
        if (_loadingChunks) return; // the Output getter below comes back here on the same thread
        _loadingChunks = true;
        try
        {
            var output = Output;
            RecordReceived(output.Count);
            if (Statistics.ChunksDone <= LoadedUpTo) return;
            if (!output.IsOpen && output.Count > 0) return; // hand out what is there first
            var chunks = completed is not null && completed.ChunkIndex == LoadedUpTo + 1
                ? [ReceiveMark.ForCompleted(Snapshot, completed)]
                : ReceiveMark.ChunksAfter(Snapshot, LoadedUpTo);
            if (chunks.Count == 0) return;
            var target = output.IsOpen ? output : new PSDataCollection<PSObject>();
            foreach (var chunk in chunks)
            {
                target.Add(PSObject.AsPSObject(chunk));
                (_handedOut ??= new()).Enqueue(chunk.ChunkIndex);
            }
            if (!ReferenceEquals(target, output))
            {
                target.Complete();
                Output = target;
            }
            _loadedUpTo = chunks[^1].ChunkIndex;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidJobStateException)
        {
            // The chunks stay on disk; the next Receive-Job tries again.
        }
        finally
        {
            _loadingChunks = false;
            UnloadJobStreams(); // PowerShell loads streams once; this makes every later read look for new chunks
        }
    }

    /// <summary>Runs <paramref name="read"/> with the job's streams as they are: every stream getter of Job calls
    /// LoadJobStreams, and only Receive-Job should pay for reading the chunk records from the log (listing or
    /// formatting thousands of jobs must not parse each one's events).</summary>
    private T WithoutLoadingChunks<T>(Func<T> read)
    {
        lock (_receiveGate)
        {
            var outer = _onlyReadingStreams;
            _onlyReadingStreams = true;
            try { return read(); }
            finally { _onlyReadingStreams = outer; }
        }
    }

    /// <summary>Output is first in, first out: what is missing from it was received.</summary>
    private void RecordReceived(int stillInOutput)
    {
        if (_handedOut is null) return;
        var received = -1;
        while (_handedOut.Count > stillInOutput) received = _handedOut.Dequeue();
        if (received >= 0) ReceiveMark.Write(Folder, received);
    }

    public override string Location => Environment.MachineName;

    /// <summary>Runs the job in this process: the runner is started on the thread pool, its state changes move this
    /// job (PAUSED shows as Suspended) and its outcome moves it to the final state.</summary>
    internal void StartOwned(JobWriter writer, BookRunner runner, Action onEnded)
    {
        writer.EventWritten += _ => Refresh(writer.Job with { Statistics = writer.Statistics }, writer.Statistics);
        writer.StateChanged += state =>
        {
            if (state is JobState.Running or JobState.Paused && !IsFinished(JobStateInfo.State))
            {
                var target = ToPowerShell(state);
                if (JobStateInfo.State != target) SetJobState(target);
            }
        };
        runner.ChunkCompleted += chunk => // Receive-Job -Wait sees each chunk as it completes
        {
            lock (_receiveGate) LoadChunksLocked(chunk);
        };
        if (JobStateInfo.State is JobState2.NotStarted or JobState2.Suspended) SetJobState(JobState2.Running); // it runs from now on
        _runTask = Task.Run(async () =>
        {
            JobState final;
            try { final = await runner.RunAsync(CancellationToken.None).ConfigureAwait(false); }
            catch (Exception ex)
            {
                AddError(new ErrorRecord(ex, "XSJobRunnerCrashed", ErrorCategory.NotSpecified, InstanceId));
                final = JobState.Failed;
            }
            finally
            {
                runner.ReleaseOutput();
                writer.Dispose();
                onEnded();
            }
            Refresh(writer.Job with { Statistics = writer.Statistics }, writer.Statistics);
            Finish(final);
        });
    }

    /// <summary>Waits for this process's runner of the job to end; false on timeout or when none runs here.</summary>
    internal bool WaitForRunner(TimeSpan timeout) => _runTask is { } task && task.Wait(timeout);

    /// <summary>Takes a newer view of the job from disk (observed jobs) or from the runner (owned jobs).</summary>
    internal void Refresh(StoredJob snapshot, JobStatistics statistics)
    {
        var created = CreatedOf(snapshot);
        lock (_gate)
        {
            _snapshot = snapshot;
            _statistics = statistics;
            _created = created;
        }
        if (_runTask is null) ApplyDiskState(snapshot.State);
    }

    /// <summary>A job already finished on disk when this object is made shares closed, empty streams instead of
    /// closing its own (all but the Error stream of a failed job, which gets the failure). PowerShell gives every job
    /// eight streams, and closing one costs a lock upgrade; a listing of thousands of finished jobs kept them all
    /// alive for nothing. Receive-Job still gets the chunks: <see cref="LoadChunksLocked"/> gives a closed Output
    /// a collection of the job's own.</summary>
    private void TakeStateAtCreation(JobState state)
    {
        if (state.IsTerminal())
        {
            Output = FinishedStreams.Output;
            Progress = FinishedStreams.Progress;
            Verbose = FinishedStreams.Verbose;
            Warning = FinishedStreams.Warning;
            Debug = FinishedStreams.Debug;
            Information = FinishedStreams.Information;
            if (state != JobState.Failed) Error = FinishedStreams.Error;
            UnloadJobStreams(); // setting a stream marks the streams loaded; Receive-Job must still load the chunks
        }
        ApplyDiskState(state);
    }

    private static class FinishedStreams
    {
        public static readonly PSDataCollection<PSObject> Output = Closed<PSObject>();
        public static readonly PSDataCollection<ErrorRecord> Error = Closed<ErrorRecord>();
        public static readonly PSDataCollection<ProgressRecord> Progress = Closed<ProgressRecord>();
        public static readonly PSDataCollection<VerboseRecord> Verbose = Closed<VerboseRecord>();
        public static readonly PSDataCollection<WarningRecord> Warning = Closed<WarningRecord>();
        public static readonly PSDataCollection<DebugRecord> Debug = Closed<DebugRecord>();
        public static readonly PSDataCollection<InformationRecord> Information = Closed<InformationRecord>();

        private static PSDataCollection<T> Closed<T>()
        {
            var stream = new PSDataCollection<T>();
            stream.Complete();
            return stream;
        }
    }

    private void ApplyDiskState(JobState state)
    {
        var target = ToPowerShell(state);
        var current = JobStateInfo.State;
        if (current == target || IsFinished(current)) return;
        if (state == JobState.Failed) AddError(FailureRecord());
        SetJobState(target);
    }

    private void Finish(JobState final)
    {
        if (final == JobState.Failed) AddError(FailureRecord());
        SetJobState(ToPowerShell(final));
    }

    private ErrorRecord FailureRecord() => new(
        new InvalidOperationException($"Job '{Name}' failed: {LastError ?? "no reason recorded"} ({ErrorCode ?? "unknown"})."),
        "XSJobFailed", ErrorCategory.OperationStopped, InstanceId);

    private void AddError(ErrorRecord record) => WithoutLoadingChunks(() =>
    {
        try { if (Error.IsOpen) Error.Add(record); }
        catch (PSInvalidOperationException) { } // the stream closed in between: the job already finished
        return true;
    });

    internal static JobState2 ToPowerShell(JobState state) => state switch
    {
        JobState.Pending => JobState2.NotStarted,
        JobState.Running => JobState2.Running,
        JobState.Paused => JobState2.Suspended,
        JobState.Done => JobState2.Completed,
        JobState.Failed => JobState2.Failed,
        _ => JobState2.Stopped,
    };

    internal static bool IsFinished(JobState2 state) =>
        state is JobState2.Completed or JobState2.Failed or JobState2.Stopped;

    private static DateTime? CreatedOf(StoredJob job) => job.Created?.LocalDateTime;

    private static string CommandText(StoredJob job) => $"Start-XSBook '{job.Record.RunSpec.Subject.Replace("'", "''")}'";

    #region Job2 control

    /// <summary>Waits until the job's state on disk is finished and its runner has let go of it (or
    /// <paramref name="timeout"/> passes), refreshing this object as it goes; for jobs another process runs. The
    /// runner writes the final state before it lets go: whoever stopped the job may remove or resume it at once.
    /// </summary>
    internal bool WaitUntilFinished(TimeSpan timeout)
    {
        if (_runTask is { } task) return task.Wait(timeout);
        var deadline = DateTime.UtcNow + timeout;
        while (!IsFinished(JobStateInfo.State) || Core.Store.RunnerLease.IsHeld(Folder))
        {
            if (DateTime.UtcNow > deadline) return false;
            PowerShell.Jobs.JobRegistry.RefreshFromDisk(this);
            Thread.Sleep(25);
        }
        return true;
    }

    public override void StartJob() =>
        throw new PSNotSupportedException("XSArena jobs start when they are created; use Start-XSBook.");

    public override void StartJobAsync()
    {
        OnStartJobCompleted(new System.ComponentModel.AsyncCompletedEventArgs(
            new PSNotSupportedException("XSArena jobs start when they are created; use Start-XSBook."), false, null));
    }

    public override void StopJob() => StopJob(force: false, reason: null);

    /// <summary>Stop-Job: the same request Stop-XSJob sends, from whichever process; returns once the job ended.</summary>
    public override void StopJob(bool force, string? reason)
    {
        if (IsFinished(JobStateInfo.State)) return;
        PowerShell.Jobs.JobControlClient.Send(this, Core.Control.JobCommand.Stop, text: null, CancellationToken.None);
    }

    public override void StopJobAsync() => StopJobAsync(force: false, reason: null);

    public override void StopJobAsync(bool force, string? reason) =>
        // Stop-Job and Remove-Job -Force block until this event fires: raise it exactly once, whatever happens.
        RunAsync(() => StopJob(force, reason), OnStopJobCompleted);

    public override void SuspendJob() => PowerShell.Jobs.JobControlClient.Send(this, Core.Control.JobCommand.Suspend, text: null, CancellationToken.None);
    public override void SuspendJob(bool force, string? reason) => SuspendJob();
    public override void SuspendJobAsync() => RunAsync(SuspendJob, OnSuspendJobCompleted);
    public override void SuspendJobAsync(bool force, string? reason) => SuspendJobAsync();
    public override void ResumeJob() => PowerShell.Jobs.JobControlClient.Send(this, Core.Control.JobCommand.Resume, text: null, CancellationToken.None);
    public override void ResumeJobAsync() => RunAsync(ResumeJob, OnResumeJobCompleted);
    public override void UnblockJob() => throw new PSNotSupportedException("XSArena jobs never block.");
    public override void UnblockJobAsync() => OnUnblockJobCompleted(new(new PSNotSupportedException("XSArena jobs never block."), false, null));

    private static void RunAsync(Action action, Action<System.ComponentModel.AsyncCompletedEventArgs> completed)
    {
        Task.Run(() =>
        {
            Exception? error = null;
            try { action(); }
            catch (Exception ex) { error = ex; }
            completed(new System.ComponentModel.AsyncCompletedEventArgs(error, false, null));
        });
    }

    #endregion

}
