using XSArena.Core.Jobs;
using XSArena.Core.Store;

namespace XSArena.Core.Tests.Jobs;

public sealed class JobAgeTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 29, 1, 30, 0, TimeSpan.Zero); // a DST change in Europe

    private static StoredJob Job(string name, string state, string? updated, string? created = null) => new(
        Guid.NewGuid(), "/unused/" + name, "/unused",
        new JobRecord { Id = Guid.NewGuid().ToString(), Name = name, State = state, UpdatedAt = updated, CreatedAt = created },
        JobStatistics.Empty);

    private static string DaysAgo(double days) => Timestamps.Format(Now - TimeSpan.FromDays(days));

    private static readonly StoredJob[] Jobs =
    [
        Job("old-done", "DONE", DaysAgo(31)),
        Job("young-done", "DONE", DaysAgo(29)),
        Job("old-failed-with-offset", "FAILED", (Now - TimeSpan.FromDays(31)).ToOffset(TimeSpan.FromHours(5.5)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz")),
        Job("young-with-offset", "DONE", (Now - TimeSpan.FromDays(29)).ToOffset(TimeSpan.FromHours(-8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz")),
        Job("only-created-old", "CANCELLED", null, DaysAgo(40)),
        Job("recently-updated", "DONE", DaysAgo(1), DaysAgo(100)),
        Job("undated", "DONE", null),
        Job("unreadable-date", "DONE", "yesterday-ish"),
        Job("old-pending", "PENDING", DaysAgo(60)),
    ];

    [Fact]
    public void Selects_jobs_last_updated_longer_ago_than_the_age_by_their_UTC_timestamps()
    {
        var selected = JobAge.Select(Jobs, TimeSpan.FromDays(30), null, Now).Select(j => j.Record.Name);
        Assert.Equal(["old-done", "old-failed-with-offset", "only-created-old", "old-pending"], selected);
    }

    [Fact]
    public void Filters_by_state_when_states_are_given()
    {
        var selected = JobAge.Select(Jobs, TimeSpan.FromDays(30), [JobState.Done, JobState.Failed], Now).Select(j => j.Record.Name);
        Assert.Equal(["old-done", "old-failed-with-offset"], selected);
    }

    [Fact]
    public void Jobs_without_a_readable_timestamp_are_never_selected_but_reported()
    {
        var undated = new List<string>();
        var selected = JobAge.Select(Jobs, j => j, TimeSpan.FromMinutes(1), null, Now, j => undated.Add(j.Record.Name));
        Assert.DoesNotContain(selected, j => j.Record.Name is "undated" or "unreadable-date");
        Assert.Equal(["undated", "unreadable-date"], undated);
    }

    [Fact]
    public void Updated_at_wins_over_created_at()
    {
        var job = Jobs.Single(j => j.Record.Name == "recently-updated");
        Assert.Equal(TimeSpan.FromDays(1), JobAge.Of(job.Record, Now));
    }

    [Fact]
    public void Offset_less_upstream_timestamps_are_local_time()
    {
        var local = (Now - TimeSpan.FromDays(31)).ToLocalTime();
        var record = new JobRecord { UpdatedAt = local.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal(TimeSpan.FromDays(31), JobAge.Of(record, Now));
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    public void The_same_jobs_are_selected_under_any_culture(string culture)
    {
        var expected = JobAge.Select(Jobs, TimeSpan.FromDays(30), null, Now).Select(j => j.InstanceId).ToArray();
        var selected = CultureScope.Run(culture, () =>
            JobAge.Select(Jobs, AgeArgument.Parse("30.00:00:00"), null, Now).Select(j => j.InstanceId).ToArray());
        Assert.Equal(expected, selected);
    }

    [Fact]
    public void The_clock_decides_and_the_offset_of_now_does_not_matter()
    {
        var inTokyo = Now.ToOffset(TimeSpan.FromHours(9));
        var inLosAngeles = Now.ToOffset(TimeSpan.FromHours(-7));
        Assert.Equal(
            JobAge.Select(Jobs, TimeSpan.FromDays(30), null, inTokyo).Select(j => j.InstanceId),
            JobAge.Select(Jobs, TimeSpan.FromDays(30), null, inLosAngeles).Select(j => j.InstanceId));
        Assert.Empty(JobAge.Select(Jobs, TimeSpan.FromDays(30), null, Now - TimeSpan.FromDays(60)));
    }
}
