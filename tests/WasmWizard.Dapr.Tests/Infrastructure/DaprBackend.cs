using Dapr.Client;
using Grpc.Net.Client;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.State;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.Dapr.State;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Dapr.Tests.Infrastructure;

/// <summary>
/// The Dapr stores over a real <see cref="DaprClient"/> talking to a sidecar double of the api, on a state store
/// shared by component name as in <c>components/</c>. An executor sidecar on the same store is there to read what
/// the api wrote.
/// </summary>
public sealed class DaprBackend : StorageBackend
{
    /// <summary>What hosts allow and what these tests give the sidecars: room for a 16 MiB module.</summary>
    public const int MessageLimit = 32 * 1024 * 1024;

    private DaprBackend(SidecarNetwork network, SidecarDouble api, SidecarDouble executor)
    {
        Network = network;
        Api = api;
        Executor = executor;
        Client = ClientFor(api, MessageLimit);
        ExecutorClient = ClientFor(executor, MessageLimit);
        Identities = new DaprIdentityStore(Client, TimeProvider.System);
        Modules = new DaprModuleStore(Client, TimeProvider.System);
        Executions = new DaprExecutionStore(Client, TimeProvider.System);
        Jobs = new DaprExecutionJobStore(Client, TimeProvider.System);
    }

    /// <summary>The network holding the state store.</summary>
    public SidecarNetwork Network { get; }

    /// <summary>The api's sidecar, which the stores call.</summary>
    public SidecarDouble Api { get; }

    /// <summary>The executor's sidecar.</summary>
    public SidecarDouble Executor { get; }

    /// <summary>The api's client, as a host builds it.</summary>
    public DaprClient Client { get; }

    /// <summary>The executor's client.</summary>
    public DaprClient ExecutorClient { get; }

    /// <summary>Everything stored, by stored key (<c>statestore||…</c>).</summary>
    public StateStoreDouble State => Network.StateStore(DaprNames.StateStore);

    /// <inheritdoc />
    public override IIdentityStore Identities { get; }

    /// <inheritdoc />
    public override IModuleStore Modules { get; }

    /// <inheritdoc />
    public override IExecutionStore Executions { get; }

    /// <inheritdoc />
    public override IExecutionJobStore Jobs { get; }

    /// <summary>Starts both sidecars, accepting bodies up to <paramref name="sidecarBodyLimit"/>.</summary>
    public static async Task<DaprBackend> StartAsync(long sidecarBodyLimit = MessageLimit)
    {
        var network = new SidecarNetwork(
            new SidecarNetworkOptions().AddStateStore(DaprNames.StateStore, KeyPrefix.Name));
        try
        {
            var api = await SidecarDouble.StartAsync(
                new() { AppId = DaprNames.ApiAppId, Network = network, MaxBodySize = sidecarBodyLimit });
            var executor = await SidecarDouble.StartAsync(
                new() { AppId = DaprNames.ExecutorAppId, Network = network, MaxBodySize = sidecarBodyLimit });
            return new DaprBackend(network, api, executor);
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client of <paramref name="sidecar"/> whose gRPC messages may be up to <paramref name="limit"/>, or with
    /// the channel's defaults (4 MiB received) when it is null. A null limit in the options would mean none.
    /// </summary>
    public static DaprClient ClientFor(SidecarDouble sidecar, int? limit)
    {
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint(sidecar.GrpcEndpoint)
            .UseHttpEndpoint(sidecar.HttpEndpoint);
        if (limit is { } bytes)
        {
            builder.UseGrpcChannelOptions(
                new GrpcChannelOptions { MaxReceiveMessageSize = bytes, MaxSendMessageSize = bytes });
        }

        return builder.Build();
    }

    /// <summary>
    /// A client of the api's sidecar, with room for any module, whose gRPC calls pass through
    /// <paramref name="handler"/> (which must not set an inner handler; this gives it one).
    /// </summary>
    public DaprClient ClientThrough(DelegatingHandler handler)
    {
        handler.InnerHandler = new SocketsHttpHandler();
        return new DaprClientBuilder()
            .UseGrpcEndpoint(Api.GrpcEndpoint)
            .UseHttpEndpoint(Api.HttpEndpoint)
            .UseGrpcChannelOptions(new GrpcChannelOptions
            {
                MaxReceiveMessageSize = MessageLimit,
                MaxSendMessageSize = MessageLimit,
                HttpHandler = handler,
                DisposeHttpClient = true,
            })
            .Build();
    }

    /// <summary>The stored value under a key as the api wrote it, or null.</summary>
    public StateEntry? Stored(string key) => State.Find(DaprNames.ApiAppId, key);

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        Client.Dispose();
        ExecutorClient.Dispose();
        await Network.DisposeAsync();
    }
}
