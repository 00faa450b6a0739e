using Dapr.Actors;
using Dapr.Actors.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The distributed deployment's rate limiter: asks the <see cref="IRateLimitActor"/> of the request's partition,
/// so every api replica spends from the same buckets.
/// </summary>
/// <remarks>
/// It fails open: when the actor does not answer within <see cref="ActorRateLimiterOptions.Timeout"/>, or the call
/// fails (sidecar down, placement unavailable, actor error), the request is allowed, a warning is logged, and the
/// decision says it was not counted: <see cref="RateLimitDecision.Limit"/> is still the tier's rate, but
/// <see cref="RateLimitDecision.Remaining"/> is null (the middleware shows "unlimited") and
/// <see cref="RateLimitDecision.Reset"/> is now, since no budget was spent. An outage of the limiter should not
/// become an outage of the API. The only exception that escapes is the caller's own cancellation (besides
/// <see cref="ArgumentNullException"/> for a null partition, which is a bug in the caller).
/// </remarks>
public sealed class ActorRequestRateLimiter(
    IActorProxyFactory proxies,
    IOptions<ActorRateLimiterOptions> options,
    TimeProvider time,
    ILogger<ActorRequestRateLimiter> logger) : IRequestRateLimiter
{
    private readonly TimeSpan _timeout = ValidTimeout(options);

    /// <inheritdoc />
    public async ValueTask<RateLimitDecision> AcquireAsync(
        string partition, RateLimitPolicy? policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partition);
        if (policy is null)
        {
            // An unlimited tier has nothing to count, so it costs no sidecar round trip.
            return RateLimitDecision.Unlimited(time.GetUtcNow());
        }

        using var deadline = new CancellationTokenSource(_timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var actor = proxies.CreateActorProxy<IRateLimitActor>(
                new ActorId(partition), DaprNames.RateLimitActorType);

            // WaitAsync as well as the token: a proxy that ignores the token must not hold the request past the
            // deadline.
            var reply = await actor
                .AcquireAsync(RateLimitPolicyDto.From(policy), linked.Token)
                .WaitAsync(linked.Token);
            return reply.ToDecision();
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Log.RateLimitActorTimedOut(logger, partition, _timeout.TotalMilliseconds);
            return Unchecked(policy);
        }
        catch (Exception e)
        {
            Log.RateLimitActorFailed(logger, e, partition);
            return Unchecked(policy);
        }
    }

    private RateLimitDecision Unchecked(RateLimitPolicy policy) => new(
        Allowed: true, Limit: policy.PerMinute, Remaining: null, Reset: time.GetUtcNow(), RetryAfter: TimeSpan.Zero);

    private static TimeSpan ValidTimeout(IOptions<ActorRateLimiterOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new ActorRateLimiterOptionsValidator().Validate(Options.DefaultName, options.Value);
        if (result.Failed)
        {
            throw new OptionsValidationException(
                Options.DefaultName, typeof(ActorRateLimiterOptions), result.Failures);
        }

        return options.Value.Timeout;
    }
}
