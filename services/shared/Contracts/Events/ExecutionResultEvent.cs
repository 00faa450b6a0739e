using System.Text.Json.Serialization;
using WasmWizard.Shared.Text;

namespace WasmWizard.Shared.Contracts.Events;

/// <summary>
/// The <c>data</c> of a CloudEvent on the <c>execution-results</c> topic: how one execution request ended. Either
/// <c>completed</c> (the module ran; the fields of a synchronous run's answer) or <c>refused</c> (it did not run;
/// <see cref="Refusal"/> says why). Delivery is at least once: consumers deduplicate on <see cref="RequestId"/>.
/// </summary>
public sealed record ExecutionResultEvent
{
    /// <summary>The status of a request whose module ran (whatever the module then did).</summary>
    public const string Completed = "completed";

    /// <summary>The status of a request that was not run.</summary>
    public const string Refused = "refused";

    /// <summary>The request's id.</summary>
    [JsonPropertyName("request_id")]
    public Guid RequestId { get; init; }

    /// <summary>The execution's id: the request id, also for requests the api queued.</summary>
    [JsonPropertyName("execution_id")]
    public Guid ExecutionId { get; init; }

    /// <summary>Whose request it was.</summary>
    [JsonPropertyName("tenant_id")]
    public Guid TenantId { get; init; }

    /// <summary>The module asked for, when the request named one.</summary>
    [JsonPropertyName("module_id")]
    public Guid? ModuleId { get; init; }

    /// <summary><see cref="Completed"/> or <see cref="Refused"/>.</summary>
    [JsonPropertyName("status")]
    public string Status { get; init; } = Completed;

    /// <summary>Why the request was refused (null when it ran).</summary>
    [JsonPropertyName("refusal")]
    public ExecutionRefusal? Refusal { get; init; }

    /// <summary>The run's outcome (<c>rejected</c> for a refused request).</summary>
    [JsonPropertyName("outcome")]
    public string Outcome { get; init; } = ExecutionOutcome.Rejected;

    /// <summary>The guest's exit code, when it exited.</summary>
    [JsonPropertyName("exit_code")]
    public int? ExitCode { get; init; }

    /// <summary>The trap's kind, when it trapped.</summary>
    [JsonPropertyName("trap_kind")]
    public string? TrapKind { get; init; }

    /// <summary>Null on success, else what went wrong.</summary>
    [JsonPropertyName("error")]
    public string? Error { get; init; }

    /// <summary>The guest's stdout (see <see cref="OutputEncoding"/>).</summary>
    [JsonPropertyName("output")]
    public string Output { get; init; } = "";

    /// <summary><c>utf8</c>, or <c>base64</c> when the output is not valid UTF-8.</summary>
    [JsonPropertyName("output_encoding")]
    public string OutputEncoding { get; init; } = GuestOutput.Utf8;

    /// <summary>Whether stdout was cut at its cap.</summary>
    [JsonPropertyName("output_truncated")]
    public bool OutputTruncated { get; init; }

    /// <summary>The guest's stderr (see <see cref="StderrEncoding"/>).</summary>
    [JsonPropertyName("stderr")]
    public string Stderr { get; init; } = "";

    /// <summary><c>utf8</c> or <c>base64</c>.</summary>
    [JsonPropertyName("stderr_encoding")]
    public string StderrEncoding { get; init; } = GuestOutput.Utf8;

    /// <summary>Whether stderr was cut at its cap.</summary>
    [JsonPropertyName("stderr_truncated")]
    public bool StderrTruncated { get; init; }

    /// <summary>How long the run took.</summary>
    [JsonPropertyName("duration_ms")]
    public double DurationMs { get; init; }

    /// <summary>Fuel the run used, when fuel was metered.</summary>
    [JsonPropertyName("fuel_consumed")]
    public ulong? FuelConsumed { get; init; }

    /// <summary>When the request was completed or refused.</summary>
    [JsonPropertyName("completed_at")]
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>The event of a request whose module ran.</summary>
    public static ExecutionResultEvent FromRun(
        Guid requestId, Guid tenantId, Guid moduleId, RunResult result, DateTimeOffset completedAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (output, outputEncoding) = GuestOutput.Encode(result.Stdout, result.StdoutTruncated);
        var (stderr, stderrEncoding) = GuestOutput.Encode(result.Stderr, result.StderrTruncated);
        return new ExecutionResultEvent
        {
            RequestId = requestId,
            ExecutionId = requestId,
            TenantId = tenantId,
            ModuleId = moduleId,
            Status = Completed,
            Outcome = result.Outcome,
            ExitCode = result.ExitCode,
            TrapKind = result.TrapKind,
            Error = result.Succeeded ? null : result.Message ?? "The module did not succeed.",
            Output = output,
            OutputEncoding = outputEncoding,
            OutputTruncated = result.StdoutTruncated,
            Stderr = stderr,
            StderrEncoding = stderrEncoding,
            StderrTruncated = result.StderrTruncated,
            DurationMs = Math.Round(result.DurationMs, 3),
            FuelConsumed = result.FuelConsumed,
            CompletedAt = completedAt,
        };
    }

    /// <summary>The event of a request that was not run.</summary>
    public static ExecutionResultEvent FromRefusal(
        Guid requestId, Guid tenantId, Guid? moduleId, ExecutionRefusal refusal, DateTimeOffset completedAt)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return new ExecutionResultEvent
        {
            RequestId = requestId,
            ExecutionId = requestId,
            TenantId = tenantId,
            ModuleId = moduleId,
            Status = Refused,
            Refusal = refusal,
            Outcome = ExecutionOutcome.Rejected,
            Error = refusal.Message,
            CompletedAt = completedAt,
        };
    }
}

/// <summary>Why an execution request was not run: a stable <see cref="Code"/> and a message for people.</summary>
/// <param name="Code">One of <see cref="ExecutionRefusalCodes"/>.</param>
/// <param name="Message">What to change.</param>
public sealed record ExecutionRefusal(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message);

/// <summary>The codes of <see cref="ExecutionRefusal"/>; the REST error codes where one exists.</summary>
public static class ExecutionRefusalCodes
{
    /// <summary>The request is malformed (a member of the wrong type, stdin twice, bad base64).</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>No such tenant.</summary>
    public const string TenantNotFound = "tenant_not_found";

    /// <summary>No such module, or one the tenant may not run (another tenant's private module).</summary>
    public const string ModuleNotFound = "not_found";

    /// <summary>A limit asked for is beyond the tenant's tier.</summary>
    public const string LimitExceedsTier = "limit_exceeds_tier";

    /// <summary>The tenant's request budget is spent.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The tenant already has its tier's maximum of executions queued or running.</summary>
    public const string ConcurrencyLimited = "concurrency_limited";

    /// <summary>The request id is already used by a different request.</summary>
    public const string RequestIdConflict = "request_id_conflict";

    /// <summary>The executor could not run the module (deleted meanwhile, input beyond the sandbox's limits).</summary>
    public const string RunRejected = "run_rejected";

    /// <summary>The request kept failing (no capacity, a dependency down) until it was dead-lettered; it did not run.</summary>
    public const string Undeliverable = "undeliverable";
}
