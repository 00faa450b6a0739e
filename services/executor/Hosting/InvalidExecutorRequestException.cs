using Microsoft.AspNetCore.Http;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Executor.Hosting;

/// <summary>A request to an internal endpoint that is not what the api sends: answered 400 (or 415).</summary>
internal sealed class InvalidExecutorRequestException(
    string message, int status = StatusCodes.Status400BadRequest, string code = ExecutorErrorCodes.InvalidRequest)
    : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
