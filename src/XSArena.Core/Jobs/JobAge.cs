using XSArena.Core.Store;

namespace XSArena.Core.Jobs;

/// <summary>How old a job is, judged by the UTC timestamps recorded in its job.json (never by folder times, which
/// change whenever job.json is replaced), and which jobs are older than a given age.</summary>
public static class JobAge
{
    /// <summary>When the job last changed: <c>updated_at</c>, else <c>created_at</c>; null when neither can be read.
    /// Offset-less values (written by the upstream tool) are local time.</summary>
    public static DateTimeOffset? LastRecorded(JobRecord record) =>
        Timestamps.ParseOrNull(record.UpdatedAt) ?? Timestamps.ParseOrNull(record.CreatedAt);

    /// <summary>The job's age at <paramref name="now"/>, or null when it has no readable timestamp.</summary>
    public static TimeSpan? Of(JobRecord record, DateTimeOffset now) =>
        LastRecorded(record) is { } last ? now.UtcDateTime - last.UtcDateTime : null;

    /// <summary>The jobs last changed more than <paramref name="olderThan"/> before <paramref name="now"/>, in one of
    /// <paramref name="states"/> (any state when null or empty). Jobs without a readable timestamp are never
    /// selected; they are passed to <paramref name="undated"/>.</summary>
    public static IReadOnlyList<T> Select<T>(
        IEnumerable<T> jobs,
        Func<T, StoredJob> storedOf,
        TimeSpan olderThan,
        IReadOnlyCollection<JobState>? states,
        DateTimeOffset now,
        Action<T>? undated = null)
    {
        var selected = new List<T>();
        foreach (var job in jobs)
        {
            var stored = storedOf(job);
            if (states is { Count: > 0 } && !states.Contains(stored.State)) continue;
            if (Of(stored.Record, now) is not { } age)
            {
                undated?.Invoke(job);
                continue;
            }
            if (age > olderThan) selected.Add(job);
        }
        return selected;
    }

    /// <summary><see cref="Select{T}"/> over stored jobs.</summary>
    public static IReadOnlyList<StoredJob> Select(
        IEnumerable<StoredJob> jobs, TimeSpan olderThan, IReadOnlyCollection<JobState>? states, DateTimeOffset now) =>
        Select(jobs, job => job, olderThan, states, now);
}
