using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapr.Client;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The api's way to read the audit trail in the distributed deployment: the audit service's internal endpoints
/// (<see cref="AuditProtocol"/>) through the api's sidecar. An audit service that cannot be reached, or answers
/// anything but a page or a refused cursor, is a <see cref="DependencyUnavailableException"/>.
/// </summary>
public sealed class DaprAuditReader : IAuditReader, IDisposable
{
    // Verifying walks every event of the chains asked for; a large trail takes a while.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http;

    /// <summary>Creates the reader over <paramref name="dapr"/>'s sidecar.</summary>
    public DaprAuditReader(DaprClient dapr)
    {
        ArgumentNullException.ThrowIfNull(dapr);
        _http = dapr.CreateInvokableHttpClient(DaprNames.AuditAppId);
        _http.Timeout = Timeout;
    }

    /// <inheritdoc />
    public Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
        PostAsync<AuditQuery, AuditPage>(AuditProtocol.QueryRoute, query, cancellationToken);

    /// <inheritdoc />
    public Task<ChainReport> VerifyAsync(AuditChainScope scope, CancellationToken cancellationToken) =>
        PostAsync<AuditChainScope, ChainReport>(AuditProtocol.VerifyRoute, scope, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    private async Task<TAnswer> PostAsync<TBody, TAnswer>(string route, TBody body, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync(route, body, AuditProtocol.Json, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new DependencyUnavailableException("audit service", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DependencyUnavailableException("audit service", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                throw new ArgumentException("The audit service refused the query.", nameof(body));
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new DependencyUnavailableException("audit service");
            }

            try
            {
                return await response.Content.ReadFromJsonAsync<TAnswer>(AuditProtocol.Json, cancellationToken)
                    .ConfigureAwait(false) ?? throw new DependencyUnavailableException("audit service");
            }
            catch (JsonException e)
            {
                throw new DependencyUnavailableException("audit service", e);
            }
        }
    }
}
