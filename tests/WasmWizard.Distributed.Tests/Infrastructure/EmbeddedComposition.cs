using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>The embedded host: one process, SQLite, the executor in process, events dispatched in process.</summary>
public sealed class EmbeddedComposition : IComposition
{
    private readonly string _data = Directory.CreateTempSubdirectory("ww-embedded-").FullName;
    private readonly ExecutionResultRecorder _results = new();
    private WebApplicationFactory<Program> _host = null!;

    /// <inheritdoc />
    public string? SkipReason => null;

    /// <inheritdoc />
    public string AdminKey { get; private set; } = "";

    /// <inheritdoc />
    public ValueTask InitializeAsync()
    {
        _host = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in Settings.Common)
            {
                builder.UseSetting(key, value);
            }

            builder.UseSetting("Storage:DataDirectory", _data);

            // Added to the host's own handlers, not replacing any: the outbox hands each result to all of them.
            builder.ConfigureServices(
                services => services.AddSingleton<IEventHandler<ExecutionResultEvent>>(_results));
        });
        _ = _host.Server;
        AdminKey = File.ReadAllText(Path.Combine(_data, "admin-api-key")).Trim();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public HttpClient CreateClient() => _host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <inheritdoc />
    public Task<IReadOnlyList<AuditEvent>> AuditEventsAsync(CancellationToken cancellationToken) =>
        _host.Services.GetRequiredService<IAuditEventStore>().ListAsync(1000, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ExecutionResultEvent>> ExecutionResultsAsync(CancellationToken cancellationToken) =>
        Task.FromResult(_results.Received);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
