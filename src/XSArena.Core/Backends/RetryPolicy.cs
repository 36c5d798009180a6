using XSArena.Core.Settings;

namespace XSArena.Core.Backends;

/// <summary>What to do after a failed request.</summary>
public enum RetryAction
{
    /// <summary>Wait <see cref="RetryDecision.Delay"/>, then send the same request again to the same backend.</summary>
    Retry,

    /// <summary>This backend cannot serve the job (retries used up, or a backend-side error no retry fixes):
    /// move to the next fallback backend if there is one, else fail the job.</summary>
    Failover,

    /// <summary>The request itself is at fault (invalid, too long, filtered): another backend would not help
    /// either, so the chunk fails and the job with it.</summary>
    Fail,
}

/// <param name="Reason">Why, in a few words, for events (e.g. <c>retries_exhausted</c>).</param>
public sealed record RetryDecision(RetryAction Action, TimeSpan Delay, string Reason);

/// <summary>How the runner waits and where backoff jitter comes from; tests inject both to assert delays without
/// sleeping.</summary>
/// <param name="Jitter">A number in [0, 1); the backoff wait is scaled by 0.5 + jitter / 2.</param>
/// <param name="Delay">Waits for the given time or until the token is cancelled (stop or pause).</param>
public sealed record RetryTiming(Func<double> Jitter, Func<TimeSpan, CancellationToken, Task> Delay)
{
    public static RetryTiming Default { get; } = new(Random.Shared.NextDouble, Task.Delay);
}

/// <summary>The retry rules of DESIGN §6. Retriable: rate_limited, server_error, network, timeout, stall,
/// truncated_stream and empty_completion. A retry waits min(cap, base * 2^retry) scaled by jitter, or the server's
/// Retry-After capped by <see cref="XSSettings.RetryAfterCap"/>.
/// <para>Backend-side failures fail over when a fallback is configured: retries used up; auth, payment,
/// model_not_found and configuration (this backend cannot serve, another may); a rate limit that is not worth
/// retrying before a daily reset. Request-side failures (invalid_request, context_too_long, content_filtered) and
/// unknown failures fail the chunk at once: the same prompt would fail elsewhere too, or the failure is not
/// understood well enough to spend another backend on it.</para></summary>
public sealed class RetryPolicy(XSSettings settings, RetryTiming? timing = null)
{
    private readonly RetryTiming _timing = timing ?? RetryTiming.Default;

    public static bool IsRetriable(BackendErrorCode code) => code is
        BackendErrorCode.RateLimited or BackendErrorCode.ServerError or BackendErrorCode.Network
        or BackendErrorCode.Timeout or BackendErrorCode.Stall or BackendErrorCode.TruncatedStream
        or BackendErrorCode.EmptyCompletion;

    /// <summary>Failures that say this backend (its key, credit, model or setup) cannot serve the job.</summary>
    public static bool IsBackendSide(BackendErrorCode code) => code is
        BackendErrorCode.Auth or BackendErrorCode.Payment or BackendErrorCode.ModelNotFound or BackendErrorCode.Configuration;

    /// <summary>A rate limit that lasts until a daily reset (OpenRouter's free-model daily cap): retrying within
    /// minutes only burns the budget of waits.</summary>
    public static bool IsRetryWorthless(BackendException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.Code != BackendErrorCode.RateLimited) return false;
        var message = error.Message;
        return message.Contains("free-models-per-day", StringComparison.OrdinalIgnoreCase)
            || message.Contains("free_tier_daily", StringComparison.OrdinalIgnoreCase)
            || message.Contains("per day", StringComparison.OrdinalIgnoreCase);
    }

    /// <param name="retriesDone">Retries of this request already made on the current backend (0 after the first failure).</param>
    public RetryDecision Decide(BackendException error, int retriesDone)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (IsRetryWorthless(error))
            return new RetryDecision(RetryAction.Failover, TimeSpan.Zero, "daily_limit");
        if (IsRetriable(error.Code))
        {
            return retriesDone < settings.MaxRetries
                ? new RetryDecision(RetryAction.Retry, DelayFor(error, retriesDone), error.CodeName)
                : new RetryDecision(RetryAction.Failover, TimeSpan.Zero, "retries_exhausted");
        }
        return IsBackendSide(error.Code)
            ? new RetryDecision(RetryAction.Failover, TimeSpan.Zero, error.CodeName)
            : new RetryDecision(RetryAction.Fail, TimeSpan.Zero, error.CodeName);
    }

    /// <summary>The wait before retry number <paramref name="retriesDone"/> + 1.</summary>
    public TimeSpan DelayFor(BackendException error, int retriesDone)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error.RetryAfter is { } asked && asked > TimeSpan.Zero)
            return asked < settings.RetryAfterCap ? asked : settings.RetryAfterCap;
        return Backoff(retriesDone);
    }

    /// <summary>min(cap, base * 2^retry), scaled into [half, whole] by the jitter source.</summary>
    public TimeSpan Backoff(int retriesDone)
    {
        var exponent = Math.Clamp(retriesDone, 0, 30);
        var whole = Math.Min(settings.BackoffCap.TotalMilliseconds, settings.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent));
        var jitter = Math.Clamp(_timing.Jitter(), 0.0, 1.0);
        return TimeSpan.FromMilliseconds(Math.Round(Math.Max(0, whole) * (0.5 + jitter / 2)));
    }

    /// <summary>Waits through the injected delay; cancelled by <paramref name="cancellationToken"/>.</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : _timing.Delay(delay, cancellationToken);
}
