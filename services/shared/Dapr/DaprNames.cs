namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Names that Dapr sidecars and components know Wasm Wizard's parts by. Each must equal its counterpart in the
/// component YAML (<c>components/</c>) or <c>dapr.yaml</c>, so they live here once rather than as string literals at
/// call sites; tests read the YAML and compare.
/// </summary>
public static class DaprNames
{
    /// <summary>App id of the public REST service (and host of the rate-limit actor).</summary>
    public const string ApiAppId = "api";

    /// <summary>App id of the service that owns Wasmtime.</summary>
    public const string ExecutorAppId = "executor";

    /// <summary>App id of the service that stores audit events.</summary>
    public const string AuditAppId = "audit";

    /// <summary>
    /// The state store api and executor share (users, keys, module metadata and bytes). Its component sets
    /// <c>keyPrefix: name</c>, so both apps see the same keys; it is also the actor state store.
    /// </summary>
    public const string StateStore = "statestore";

    /// <summary>The pub/sub component every service publishes and subscribes through.</summary>
    public const string PubSub = "pubsub";

    /// <summary>Topic of security-relevant events; every service publishes, the audit service stores them.</summary>
    public const string AuditTopic = "audit-events";

    /// <summary>Where deliveries of <see cref="AuditTopic"/> that the audit service refused or kept failing go.</summary>
    public const string AuditDeadLetterTopic = "audit-events-dead";

    /// <summary>Topic of execution requests: the api and outside producers publish, the executor consumes.</summary>
    public const string ExecutionRequestsTopic = "execution-requests";

    /// <summary>Where execution requests go that could not be read or kept failing.</summary>
    public const string ExecutionRequestsDeadLetterTopic = "execution-requests-dead";

    /// <summary>Topic of how each execution request ended; the executor publishes.</summary>
    public const string ExecutionResultsTopic = "execution-results";

    /// <summary>
    /// Actor type of the request rate limiter (<see cref="RateLimitActor"/>), one actor per budget. Callers and the
    /// actor runtime must agree on it, and renaming it orphans the actors placed under the old name.
    /// </summary>
    public const string RateLimitActorType = "RateLimitActor";

    /// <summary>XML namespace of the data contracts that actor remoting sends between replicas.</summary>
    public const string ContractNamespace = "urn:wasmwizard:dapr";
}
