using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Http;
using WasmWizard.Api.Model;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Execution;

/// <summary>Runs a module for a caller: applies tier policy, asks the executor, records the run.</summary>
public sealed class ExecutionCoordinator(
    IExecutorClient executor,
    IExecutionStore executions,
    TierPolicy policy,
    TenantConcurrency concurrency,
    AuditRecorder audit,
    TimeProvider time,
    ILogger<ExecutionCoordinator> logger)
{
    /// <summary>Runs the module and returns the response body.</summary>
    public async Task<ExecutionResponse> RunAsync(
        Caller caller,
        Guid? moduleId,
        string sha256,
        byte[]? moduleBytes,
        string programName,
        ExecuteOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(options);
        var limits = policy.Resolve(caller.Tier, options);
        var cap = policy.MaxConcurrentExecutions(caller.Tier);
        using var slot = concurrency.TryEnter(caller.UserId, cap);
        if (slot is null)
        {
            await audit.RecordRefusalAsync(
                AuditEventTypes.RateLimitExceeded, "tenant:" + caller.UserId, new Dictionary<string, string> { ["limit"] = "concurrency" });
            throw new ApiProblemException(
                StatusCodes.Status429TooManyRequests,
                ErrorCodes.ConcurrencyLimited,
                $"The {caller.Tier} tier runs at most {cap} module(s) at once; wait for one to finish.");
        }

        var request = new RunRequest(sha256, moduleBytes, programName, options.Stdin, options.Args, options.Env, limits, caller.UserId.ToString());
        var result = await executor.RunAsync(request, cancellationToken).ConfigureAwait(false);

        var executionId = Guid.CreateVersion7();
        try
        {
            await executions.AddAsync(
                new ExecutionRecord(
                    executionId, caller.UserId, moduleId, sha256, result.Outcome, result.ExitCode,
                    result.DurationMs, result.FuelConsumed, time.GetUtcNow()),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The caller still gets the result; only the history entry is lost.
            Log.ExecutionNotRecorded(logger, e, executionId);
        }

        Log.ExecutionFinished(logger, executionId, moduleId, result.Outcome, result.ExitCode, result.DurationMs);
        return ExecutionResponse.From(result, executionId);
    }
}
