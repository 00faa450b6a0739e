using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.Client;
using WasmWizard.DaprDouble;
using WasmWizard.DaprDouble.PubSub;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// A producer outside Wasm Wizard: it publishes execution requests through a sidecar's publish API with
/// <c>Content-Type: application/json</c> (what <c>dapr publish --publish-app-id api</c> does), and reads how each
/// ended on <c>execution-results</c>, as a subscriber of that topic would.
/// </summary>
/// <remarks>
/// Requests are written as JSON by hand rather than from the contract's record, so the tests pin the documented
/// wire format and not whatever the record happens to serialize to.
/// </remarks>
public sealed class ExecutionProducer : IDisposable
{
    private readonly DaprClient _client;
    private readonly SidecarNetwork _network;

    /// <summary>A producer publishing through <paramref name="sidecar"/> (the api's, usually).</summary>
    public ExecutionProducer(SidecarNetwork network, SidecarDouble sidecar, string? apiToken = null)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        _network = network;
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint(sidecar.GrpcEndpoint)
            .UseHttpEndpoint(sidecar.HttpEndpoint);
        if (apiToken is not null)
        {
            builder.UseDaprApiToken(apiToken);
        }

        _client = builder.Build();
    }

    /// <summary>A producer publishing through the api's sidecar of <paramref name="composition"/>.</summary>
    public ExecutionProducer(DistributedComposition composition)
        : this(Checked(composition).Network, composition.Api.Sidecar, composition.ApiToken)
    {
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The <c>data</c> of a request to run <paramref name="module"/> for <paramref name="tenant"/>.</summary>
    public static JsonObject Request(Guid requestId, Guid tenant, Guid module, string? stdin = null) => new()
    {
        ["request_id"] = requestId.ToString(),
        ["tenant_id"] = tenant.ToString(),
        ["module_id"] = module.ToString(),
        ["stdin"] = stdin,
    };

    /// <summary>Publishes <paramref name="request"/> on <c>execution-requests</c> as JSON.</summary>
    public Task PublishAsync(JsonNode request) =>
        PublishRawAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), "application/json");

    /// <summary>Publishes <paramref name="data"/> as it is, with <paramref name="contentType"/>.</summary>
    public Task PublishRawAsync(byte[] data, string contentType, string topic = DaprNames.ExecutionRequestsTopic) =>
        _client.PublishByteEventAsync(DaprNames.PubSub, topic, data, contentType, cancellationToken: Token);

    /// <summary>The first answer to <paramref name="requestId"/> on <c>execution-results</c>, waiting for it.</summary>
    public async Task<JsonElement> ResultAsync(Guid requestId, TimeSpan? timeout = null)
    {
        var published = await _network.WhenPublishedAsync(
            DaprNames.ExecutionResultsTopic, e => RequestIdOf(e) == requestId, timeout, Token);
        return published.DataAs<JsonElement>();
    }

    /// <summary>Every answer to <paramref name="requestId"/> published so far.</summary>
    public IReadOnlyList<JsonElement> Results(Guid requestId) =>
        [.. _network.Published
            .Where(e => e.Topic == DaprNames.ExecutionResultsTopic && RequestIdOf(e) == requestId)
            .Select(e => e.DataAs<JsonElement>())];

    /// <summary>The request id an event on either execution topic names, or null.</summary>
    public static Guid? RequestIdOf(PublishedEvent published)
    {
        ArgumentNullException.ThrowIfNull(published);
        return published.CloudEvent.TryGetProperty("data", out var data)
            && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("request_id", out var id)
            && id.ValueKind == JsonValueKind.String
            && Guid.TryParse(id.GetString(), out var parsed)
                ? parsed
                : null;
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static DistributedComposition Checked(DistributedComposition composition)
    {
        ArgumentNullException.ThrowIfNull(composition);
        return composition;
    }
}
