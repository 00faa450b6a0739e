using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Apis;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Bootstrap;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Extensions;

/// <summary>Registers and maps the public REST surface. Storage and the executor come from the host.</summary>
public static class ApiExtensions
{
    private const string CredentialScheme = "Credential";

    /// <summary>
    /// Adds the api: options, snake_case JSON, problem details with <c>error</c> and <c>code</c>, API-key
    /// authentication, the admin policy and the execution services.
    /// </summary>
    public static TBuilder AddWasmWizardApi<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<ApiOptions>()
            .Bind(builder.Configuration.GetSection(ApiOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>());

        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Every problem carries error and code, including the ones the framework writes (404, 405, ...).
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            problem.Extensions.TryAdd("code", ApiProblems.DefaultCode(status));
            problem.Extensions.TryAdd("error", problem.Detail ?? problem.Title ?? "The request failed.");
            problem.Extensions.Remove("traceId");
            problem.Extensions["trace_id"] = System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ApiExceptionHandler>();

        services.AddOptions<JwtOptions>()
            .Bind(builder.Configuration.GetSection(JwtOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>());
        services.AddAuthentication(CredentialScheme)
            .AddPolicyScheme(CredentialScheme, "API key or JWT", o => o.ForwardDefaultSelector = JwtSignIn.SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(JwtSignIn.SchemeName, _ => { });
        services.AddOptions<JwtBearerOptions>(JwtSignIn.SchemeName)
            .Configure<IOptions<JwtOptions>>((bearer, jwt) =>
            {
                if (jwt.Value.Enabled)
                {
                    JwtSignIn.Configure(bearer, jwt.Value);
                }
            });
        var authorization = services.AddAuthorizationBuilder()
            .AddPolicy(
                WasmWizardClaims.AdminPolicy,
                p => p.RequireAuthenticatedUser()
                    .RequireRole(WasmWizardClaims.AdminRole)
                    .RequireClaim(WasmWizardClaims.Scope, ApiScopes.Admin))
            .AddPolicy(
                WasmWizardClaims.ReadModulesPolicy,
                p => p.RequireAuthenticatedUser().RequireClaim(WasmWizardClaims.Scope, ApiScopes.Execute, ApiScopes.Upload));
        foreach (var scope in ApiScopes.All)
        {
            authorization.AddPolicy(
                WasmWizardClaims.ScopePolicy(scope), p => p.RequireAuthenticatedUser().RequireClaim(WasmWizardClaims.Scope, scope));
        }

        services.TryAddSingleton<KeyUsageTracker>();
        services.TryAddSingleton<ExternalUsers>();
        services.AddSingleton<KeyUsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUsageFlusher>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TierPolicy>();
        services.TryAddSingleton<TenantConcurrency>();
        services.TryAddSingleton<ExecutionCoordinator>();
        services.AddHostedService<AdminBootstrapper>();
        return builder;
    }

    /// <summary>The middleware the api needs, in order: errors as problems, then authentication.</summary>
    public static WebApplication UseWasmWizardApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseMiddleware<RateLimitingMiddleware>();
        app.UseAuthorization();
        return app;
    }

    /// <summary>Maps every api route.</summary>
    public static IEndpointRouteBuilder MapWasmWizardApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapAdminApi();
        app.MapKeysApi();
        app.MapModulesApi();
        app.MapExecutionsApi();
        return app;
    }
}
