using System.Text.Json.Serialization;

namespace WasmWizard.Shared.Contracts.Events;

/// <summary>
/// The <c>data</c> of a CloudEvent on the <c>execution-requests</c> topic: run a stored module for a tenant. The
/// executor checks it as the api checks a REST request (tenant, module, tier limits, rate and backlog) and answers on
/// <c>execution-results</c>. The contract is documented in <c>docs/execution-events.md</c>.
/// </summary>
public sealed record ExecutionRequestEvent
{
    /// <summary>
    /// The producer's id for this request, a UUID. It becomes the execution id (<c>GET /api/executions/{id}</c>), and
    /// a request id is run at most once however often the request is delivered.
    /// </summary>
    [JsonPropertyName("request_id")]
    public Guid RequestId { get; init; }

    /// <summary>The user the run is for and charged to.</summary>
    [JsonPropertyName("tenant_id")]
    public Guid TenantId { get; init; }

    /// <summary>A module the tenant owns, or a public one.</summary>
    [JsonPropertyName("module_id")]
    public Guid ModuleId { get; init; }

    /// <summary>The guest's stdin as UTF-8 text; not with <see cref="StdinBase64"/>.</summary>
    [JsonPropertyName("stdin")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stdin { get; init; }

    /// <summary>The guest's stdin as base64 bytes; not with <see cref="Stdin"/>.</summary>
    [JsonPropertyName("stdin_base64")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StdinBase64 { get; init; }

    /// <summary>Arguments after argv[0] (which is the module's name).</summary>
    [JsonPropertyName("args")]
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Environment variables, in the object's order.</summary>
    [JsonPropertyName("env")]
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The limits asked for; each one left out takes the default, none may exceed the tenant's tier.</summary>
    [JsonPropertyName("limits")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ExecutionRequestLimits? Limits { get; init; }
}

/// <summary>The limits an execution request asks for, as the REST body names them.</summary>
public sealed record ExecutionRequestLimits
{
    /// <summary>Wall-clock deadline of the run.</summary>
    [JsonPropertyName("timeout_ms")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TimeoutMs { get; init; }

    /// <summary>Largest linear memory.</summary>
    [JsonPropertyName("memory_limit_mb")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MemoryLimitMb { get; init; }

    /// <summary>Fuel budget.</summary>
    [JsonPropertyName("fuel")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ulong? Fuel { get; init; }
}
