using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Model;

/// <summary>An asynchronous execution that has not finished: <c>queued</c> or <c>running</c>.</summary>
public sealed record ExecutionStatusResponse(
    Guid ExecutionId, string Status, Guid ModuleId, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt)
{
    /// <summary>Maps a job that has not completed.</summary>
    public static ExecutionStatusResponse From(ExecutionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(job.Id, job.Status, job.ModuleId, job.CreatedAt, job.StartedAt);
    }
}

/// <summary>
/// A finished asynchronous execution: the body a synchronous run answers with, plus <c>status</c> (always
/// <c>completed</c>), <c>module_id</c> and the times.
/// </summary>
public sealed record CompletedExecutionResponse(
    string Output,
    string? Error,
    int? ExitCode,
    string Outcome,
    string? TrapKind,
    string Stderr,
    string OutputEncoding,
    string StderrEncoding,
    bool OutputTruncated,
    bool StderrTruncated,
    double DurationMs,
    ulong? FuelConsumed,
    Guid ExecutionId,
    string Status,
    Guid ModuleId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset CompletedAt)
{
    /// <summary>Maps a completed job.</summary>
    public static CompletedExecutionResponse From(ExecutionJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var result = job.Result ?? throw new ArgumentException("The job has no result yet.", nameof(job));
        var run = ExecutionResponse.From(result, job.Id);
        return new(
            run.Output, run.Error, run.ExitCode, run.Outcome, run.TrapKind, run.Stderr, run.OutputEncoding,
            run.StderrEncoding, run.OutputTruncated, run.StderrTruncated, run.DurationMs, run.FuelConsumed,
            job.Id, job.Status, job.ModuleId, job.CreatedAt, job.StartedAt, job.CompletedAt ?? job.CreatedAt);
    }
}

/// <summary>One execution in a listing: where it stands and how it ended, without input or output.</summary>
public sealed record ExecutionSummaryResponse(
    Guid ExecutionId,
    Guid ModuleId,
    string Status,
    string? Outcome,
    int? ExitCode,
    double? DurationMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt)
{
    /// <summary>Maps a listed job.</summary>
    public static ExecutionSummaryResponse From(ExecutionJobSummary job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(
            job.Id, job.ModuleId, job.Status, job.Outcome, job.ExitCode,
            job.DurationMs is { } ms ? Math.Round(ms, 3) : null, job.CreatedAt, job.StartedAt, job.CompletedAt);
    }
}

/// <summary>A page of the caller's executions, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record ExecutionListResponse(IReadOnlyList<ExecutionSummaryResponse> Executions, string? NextCursor);
