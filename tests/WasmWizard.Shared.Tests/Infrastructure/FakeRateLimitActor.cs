using System.Collections.Concurrent;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Shared.Tests.Infrastructure;

/// <summary>An <see cref="IRateLimitActor"/> that answers as the test says and records what it was sent.</summary>
public sealed class FakeRateLimitActor(Func<RateLimitPolicyDto?, CancellationToken, Task<RateLimitDecisionDto>> answer)
    : IRateLimitActor
{
    private readonly ConcurrentQueue<RateLimitPolicyDto?> _received = new();
    private readonly TaskCompletionSource _called = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The policies of every call, in order.</summary>
    public IReadOnlyCollection<RateLimitPolicyDto?> Received => _received;

    /// <summary>Completes at the first call.</summary>
    public Task Called => _called.Task;

    /// <summary>An actor that never answers unless the call's token is cancelled.</summary>
    public static FakeRateLimitActor Hanging() => new(async (_, token) =>
    {
        await Task.Delay(Timeout.Infinite, token);
        throw new InvalidOperationException("unreachable");
    });

    /// <summary>An actor that never answers and ignores the call's token, as a stuck proxy would.</summary>
    public static FakeRateLimitActor Deaf() => new((_, _) => new TaskCompletionSource<RateLimitDecisionDto>().Task);

    public Task<RateLimitDecisionDto> AcquireAsync(RateLimitPolicyDto? policy, CancellationToken cancellationToken)
    {
        _received.Enqueue(policy);
        _called.TrySetResult();
        return answer(policy, cancellationToken);
    }
}
