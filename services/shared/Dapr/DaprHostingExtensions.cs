using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WasmWizard.Shared.Dapr;

/// <summary>What every Dapr-hosted service needs: the client, a startup wait for the sidecar, its health.</summary>
public static class DaprHostingExtensions
{
    /// <summary>
    /// Adds the Dapr client (with message limits large enough for modules), the startup wait for the sidecar and a
    /// readiness check on it.
    /// </summary>
    public static TBuilder AddDaprSidecar<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DaprSidecarOptions>()
            .Bind(builder.Configuration.GetSection(DaprSidecarOptions.SectionName))
            .Validate(o => o.SidecarWaitSeconds > 0, "Dapr:SidecarWaitSeconds must be positive.")
            .Validate(o => o.MaxGrpcMessageBytes >= 4 * 1024 * 1024, "Dapr:MaxGrpcMessageBytes must be at least 4 MiB.")
            .ValidateOnStart();
        builder.Services.AddDaprClient((services, client) =>
        {
            var limit = services.GetRequiredService<IOptions<DaprSidecarOptions>>().Value.MaxGrpcMessageBytes;
            client.UseGrpcChannelOptions(new GrpcChannelOptions
            {
                MaxReceiveMessageSize = limit,
                MaxSendMessageSize = limit,
            });
        });
        builder.Services.AddHostedService<SidecarStartup>();
        builder.Services.AddHealthChecks()
            .AddCheck<SidecarHealthCheck>("dapr-sidecar", tags: [ServiceDefaults.ReadyTag]);
        return builder;
    }
}
