using Dapr;
using Dapr.Client;
using Grpc.Core;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The executor's way to the bytes of stored modules in the distributed deployment: the shared state store, under
/// the key the api wrote them to (<see cref="DaprStateKeys.ModuleBytes"/>). Only source bytes come from here;
/// compiled artifacts stay on the executor's own disk.
/// </summary>
public sealed class DaprModuleBytesSource(DaprClient dapr) : IModuleBytesSource
{
    // The executor's compile cache reads without the caller's token (one read serves every waiting run), so a
    // sidecar that accepts the call and never answers must still end it.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    /// <exception cref="DependencyUnavailableException">The sidecar or the store behind it did not answer.</exception>
    public async Task<byte[]?> GetModuleBytesAsync(string sha256, CancellationToken cancellationToken)
    {
        var key = DaprStateKeys.ModuleBytes(sha256);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadTimeout);
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = await dapr.GetByteStateAsync(DaprNames.StateStore, key, cancellationToken: deadline.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is (DaprException or OperationCanceledException)
            && cancellationToken.IsCancellationRequested)
        {
            // The gRPC client reports a cancelled call as an error; the caller left, nothing failed.
            throw new OperationCanceledException("The read of the module's bytes was cancelled.", e, cancellationToken);
        }
        catch (DaprException e) when (IsOutage(e))
        {
            throw new DependencyUnavailableException("state store", e);
        }
        catch (OperationCanceledException e)
        {
            throw new DependencyUnavailableException("state store", e);
        }

        // Dapr answers a missing key with empty data, and no stored module is empty.
        return bytes.IsEmpty ? null : bytes.ToArray();
    }

    /// <summary>
    /// A sidecar that is down or not ready, or a store it cannot reach (daprd reports that as Internal). Other
    /// codes (no such store, a wrong API token) are configuration mistakes, which should fail loudly instead.
    /// </summary>
    private static bool IsOutage(DaprException exception) =>
        exception.InnerException is RpcException
        {
            StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal
                or StatusCode.Unknown or StatusCode.ResourceExhausted or StatusCode.Cancelled,
        };
}
