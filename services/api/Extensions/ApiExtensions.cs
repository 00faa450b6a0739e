using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Execution;
using WasmWizard.Api.Apis;
using WasmWizard.Api.Audit;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Bootstrap;
using WasmWizard.Api.Execution;
using WasmWizard.Api.Http;
using WasmWizard.Shared.Hosting;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Extensions;

/// <summary>Registers and maps the public REST surface. Storage and the executor come from the host.</summary>
public static class ApiExtensions
{
    private const string CredentialScheme = "Credential";
    private const string CorsPolicy = "configured-origins";

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
            problem.Extensions["request_id"] = ResponseHeadersMiddleware.RequestId(context.HttpContext);
        });
        services.AddExceptionHandler<ApiExceptionHandler>();

        // Cross-origin calls are refused unless an operator lists the origins that may make them.
        var api = builder.Configuration.GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(api.CorsAllowedOrigins)
            .WithMethods("GET", "POST", "PUT", "DELETE")
            .WithHeaders("Authorization", "Content-Type")
            .WithExposedHeaders(
                "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After",
                ResponseHeadersMiddleware.RequestIdHeader)));
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.Limits.MaxRequestHeadersTotalSize = api.MaxRequestHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = api.MaxRequestHeaderCount;
            kestrel.Limits.MaxRequestLineSize = api.MaxRequestLineBytes;
            // Module endpoints raise this for their own requests; everything else stays small.
            kestrel.Limits.MaxRequestBodySize = api.MaxJsonBodyBytes;
        });

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
        services.AddHttpContextAccessor();
        services.TryAddSingleton<AuditRecorder>();
        services.TryAddSingleton<AuditRetryQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditRetryQueue>());
        services.AddSingleton<KeyUsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyUsageFlusher>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TierPolicy>();
        services.TryAddSingleton<ApiMetrics>();
        services.AddExecutionMetrics();
        services.TryAddSingleton<AddressBudget>();
        services.TryAddSingleton<TenantConcurrency>();
        services.TryAddKeyedSingleton<TenantConcurrency>(TenantConcurrency.Uploads);
        services.TryAddSingleton<ExecutionCoordinator>();
        services.AddHostedService<AdminBootstrapper>();
        return builder;
    }

    /// <summary>
    /// Adds what asynchronous executions need beside the host's <see cref="IExecutionJobStore"/> and
    /// <see cref="IExecutionQueue"/>: the runner the queue's consumers call and the job that removes old results. A
    /// host without those ports leaves this out, and the routes answer 501.
    /// </summary>
    public static IServiceCollection AddAsyncExecutions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddExecutionMetrics();
        services.TryAddSingleton<ExecutionJobRunner>();
        services.AddHostedService<ExecutionJobRetention>();
        return services;
    }

    /// <summary>
    /// The middleware the api needs, in order: the client's address (behind the Dapr ingress), errors as problems,
    /// then authentication.
    /// </summary>
    public static WebApplication UseWasmWizardApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Services.GetRequiredService<IOptions<ApiOptions>>().Value;
        if (options.TrustForwardedHeaders)
        {
            // First, so address budgets, audit records and logs all see the client rather than the sidecar.
            app.UseMiddleware<ForwardedClientMiddleware>();
        }

        app.UseMiddleware<ResponseHeadersMiddleware>();
        if (options.CorsAllowedOrigins is { Length: > 0 })
        {
            app.UseCors(CorsPolicy);
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<AddressGuardMiddleware>();
        // Before authentication: under overload, a refusal must cost far less than a run.
        app.UseMiddleware<ExecutorSheddingMiddleware>();
        app.UseAuthentication();
        app.Use((context, next) =>
        {
            // From here on every line of the request, its summary included, names whose request it is.
            if (context.User.FindFirst(WasmWizardClaims.UserId)?.Value is { } userId)
            {
                RequestLogContext.SetTenant(context, userId);
            }

            return next(context);
        });
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
        app.MapAsyncExecutionsApi();
        app.MapAuditApi();
        return app;
    }
}
