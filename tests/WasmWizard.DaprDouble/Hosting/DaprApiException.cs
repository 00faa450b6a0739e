using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace WasmWizard.DaprDouble.Hosting;

/// <summary>An error the sidecar answers an API call with, in both of daprd's forms.</summary>
/// <param name="grpcCode">The gRPC status code daprd uses for it.</param>
/// <param name="httpStatus">The HTTP status daprd uses for it.</param>
/// <param name="errorCode">daprd's <c>errorCode</c> (<c>ERR_…</c>) for the HTTP body.</param>
/// <param name="message">The message.</param>
internal sealed class DaprApiException(StatusCode grpcCode, int httpStatus, string errorCode, string message)
    : Exception(message)
{
    public StatusCode GrpcCode { get; } = grpcCode;

    public int HttpStatus { get; } = httpStatus;

    public string ErrorCode { get; } = errorCode;

    public RpcException ToRpcException() => new(new Status(GrpcCode, Message));

    public static DaprApiException InvalidArgument(string errorCode, string message) =>
        new(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest, errorCode, message);

    public static DaprApiException Unavailable(string errorCode, string message) =>
        new(StatusCode.Unavailable, StatusCodes.Status500InternalServerError, errorCode, message);
}
