namespace WasmWizard.Shared.Dapr;

/// <summary>
/// Names that Dapr sidecars and components know Wasm Wizard's parts by. Each must equal its counterpart in the
/// component YAML or hosting configuration, so they live here once rather than as string literals at call sites.
/// </summary>
public static class DaprNames
{
    /// <summary>
    /// Actor type of the per-API-key request rate limiter (<see cref="RateLimitActor"/>). Callers and the actor
    /// runtime must agree on it, and renaming it orphans the actors placed under the old name.
    /// </summary>
    public const string RateLimitActorType = "RateLimitActor";

    /// <summary>The pub/sub component every service publishes and subscribes through.</summary>
    public const string PubSub = "pubsub";

    /// <summary>Topic of security-relevant events; every service publishes, the audit service stores them.</summary>
    public const string AuditTopic = "audit-events";

    /// <summary>XML namespace of the data contracts that actor remoting sends between replicas.</summary>
    public const string ContractNamespace = "urn:wasmwizard:dapr";
}
