using XSArena.Core.Backends;
using XSArena.Core.Settings;

namespace XSArena.Core.Tests.Backends;

public sealed class RetryPolicyTests
{
    private static readonly XSSettings Settings = new()
    {
        MaxRetries = 4,
        BackoffBase = TimeSpan.FromSeconds(2),
        BackoffCap = TimeSpan.FromSeconds(60),
        RetryAfterCap = TimeSpan.FromSeconds(120),
    };

    private static RetryPolicy With(double jitter) => new(Settings, new RetryTiming(() => jitter, (_, _) => Task.CompletedTask));

    private static BackendException Error(BackendErrorCode code, string message = "backend: failed", TimeSpan? retryAfter = null) =>
        new(code, message) { RetryAfter = retryAfter };

    [Theory]
    [InlineData(0, 2_000)]
    [InlineData(1, 4_000)]
    [InlineData(3, 16_000)]
    [InlineData(5, 60_000)]
    [InlineData(40, 60_000)]
    public void Backoff_doubles_up_to_the_cap(int retriesDone, long expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), With(1.0).Backoff(retriesDone));

    [Fact]
    public void Jitter_scales_the_backoff_between_half_and_whole()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), With(0.0).Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(3), With(0.5).Backoff(1));
    }

    [Fact]
    public void Retry_After_is_honoured_without_jitter_and_capped()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), With(0.0).DelayFor(Error(BackendErrorCode.RateLimited, retryAfter: TimeSpan.FromSeconds(7)), 3));
        Assert.Equal(TimeSpan.FromSeconds(120), With(0.0).DelayFor(Error(BackendErrorCode.RateLimited, retryAfter: TimeSpan.FromHours(1)), 0));
    }

    [Theory]
    [InlineData(BackendErrorCode.RateLimited)]
    [InlineData(BackendErrorCode.ServerError)]
    [InlineData(BackendErrorCode.Network)]
    [InlineData(BackendErrorCode.Timeout)]
    [InlineData(BackendErrorCode.Stall)]
    [InlineData(BackendErrorCode.TruncatedStream)]
    [InlineData(BackendErrorCode.EmptyCompletion)]
    public void Transient_failures_are_retried_until_the_budget_is_used_then_fail_over(BackendErrorCode code)
    {
        var policy = With(1.0);
        Assert.Equal(RetryAction.Retry, policy.Decide(Error(code), 3).Action);
        var last = policy.Decide(Error(code), 4);
        Assert.Equal(RetryAction.Failover, last.Action);
        Assert.Equal("retries_exhausted", last.Reason);
    }

    [Theory]
    [InlineData(BackendErrorCode.Auth, RetryAction.Failover)]
    [InlineData(BackendErrorCode.Payment, RetryAction.Failover)]
    [InlineData(BackendErrorCode.ModelNotFound, RetryAction.Failover)]
    [InlineData(BackendErrorCode.Configuration, RetryAction.Failover)]
    [InlineData(BackendErrorCode.InvalidRequest, RetryAction.Fail)]
    [InlineData(BackendErrorCode.ContextTooLong, RetryAction.Fail)]
    [InlineData(BackendErrorCode.ContentFiltered, RetryAction.Fail)]
    [InlineData(BackendErrorCode.Unknown, RetryAction.Fail)]
    public void Other_failures_are_never_retried(BackendErrorCode code, RetryAction expected)
    {
        var decision = With(1.0).Decide(Error(code), 0);
        Assert.Equal(expected, decision.Action);
        Assert.Equal(ErrorCodes.ToSnakeCase(code), decision.Reason);
    }

    [Fact]
    public void A_daily_quota_is_not_worth_retrying()
    {
        var decision = With(1.0).Decide(Error(BackendErrorCode.RateLimited, "openrouter: rate limited (HTTP 429): Rate limit exceeded: free-models-per-day"), 0);
        Assert.Equal(RetryAction.Failover, decision.Action);
        Assert.Equal("daily_limit", decision.Reason);
    }
}
