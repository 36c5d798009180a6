using System.Text.Json.Nodes;
using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Runner;

/// <summary>Everything the lease holder writes for one job: events (folded into the counters as they are written),
/// job.json and state changes. Holding one of these means holding the job's lease.</summary>
public sealed class JobWriter : IDisposable
{
    private readonly RunnerLease _lease;
    private readonly EventLogWriter _events;
    private readonly IClock _clock;
    private readonly object _gate = new();

    private JobWriter(StoredJob job, RunnerLease lease, EventLogWriter events, IClock clock)
    {
        Job = job;
        _lease = lease;
        _events = events;
        _clock = clock;
        Statistics = job.Statistics;
    }

    public StoredJob Job { get; }
    public JobRecord Record => Job.Record;
    public Guid InstanceId => Job.InstanceId;
    public string Folder => Job.Folder;
    public JobStatistics Statistics { get; private set; }
    public IClock Clock => _clock;

    /// <summary>Raised after each event is written (on the writing thread).</summary>
    public event Action<JobEvent>? EventWritten;

    /// <summary>Raised after each state change is saved.</summary>
    public event Action<JobState>? StateChanged;

    /// <summary>Takes the job's lease and opens its files for writing.</summary>
    /// <exception cref="JobBusyException">Another runner holds the lease.</exception>
    public static JobWriter Open(StoredJob job, IClock clock)
    {
        var lease = RunnerLease.TryAcquire(job.Folder, clock.UtcNow)
            ?? throw new JobBusyException(job.InstanceId, job.Folder);
        try
        {
            JobFile.CleanStrayTempFiles(job.Folder);
            job = job.InFull();
            var events = EventLogWriter.Open(job.Folder);
            var writer = new JobWriter(job, lease, events, clock);
            if (job.Record.IsUpstream) writer.Statistics = EventLogStatistics.Recount(job.Folder);
            return writer;
        }
        catch
        {
            lease.Dispose();
            throw;
        }
    }

    public JobState State => Job.State;

    public JobEvent Log(string type, JsonObject? fields = null)
    {
        JobEvent e;
        lock (_gate) // the runner's loop and its control loop both log
        {
            e = new JobEvent(_clock.UtcNow, type, Record.Id, fields ?? []);
            _events.Append(e);
            Statistics = Statistics.Apply(e);
        }
        EventWritten?.Invoke(e);
        return e;
    }

    /// <summary>Forces events to disk (per chunk).</summary>
    public void SyncEvents() => _events.Sync();

    /// <summary>Writes job.json with the current counters.</summary>
    public void Save()
    {
        lock (_gate) SaveLocked();
    }

    private void SaveLocked()
    {
        var progress = Record.Progress;
        progress.ChunksDone = Statistics.ChunksDone;
        progress.Requests = Statistics.Requests;
        progress.Retries = Statistics.Retries;
        progress.Failovers = Statistics.Failovers;
        progress.Stalls = Statistics.Stalls;
        progress.PromptTokens = Statistics.PromptTokens;
        progress.CompletionTokens = Statistics.CompletionTokens;
        progress.Cost = Statistics.Cost;
        progress.OutLength = Statistics.OutLength;
        Record.Retries = Statistics.Retries;
        Record.Schema = JobRecord.CurrentSchema;
        Record.UpdatedAt = Timestamps.Format(_clock.UtcNow);
        JobFile.Write(Folder, Record);
    }

    public void SetState(JobState state, string? errorCode = null, string? error = null)
    {
        lock (_gate)
        {
            Record.State = state.ToWire();
            if (errorCode is not null || state is JobState.Running or JobState.Done)
            {
                Record.Meta.ErrorCode = errorCode;
                Record.Meta.Error = error;
            }
            _events.Sync();
            SaveLocked();
        }
        StateChanged?.Invoke(state);
    }

    public void Dispose()
    {
        _events.Dispose();
        _lease.Dispose();
    }
}

/// <summary>Another runner (in this or another process) holds the job's lease.</summary>
public sealed class JobBusyException(Guid id, string folder)
    : Exception($"Job {id} is being run by another process (its lease in {folder} is held).")
{
    public Guid JobId { get; } = id;
}
