using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>One way of running Wasm Wizard, as the scenario suite sees it: a public api and an audit trail.</summary>
public interface IComposition : IAsyncLifetime
{
    /// <summary>Why this composition cannot run here (tests skip, saying so), or null when it runs.</summary>
    string? SkipReason { get; }

    /// <summary>A client of the public REST api.</summary>
    HttpClient CreateClient();

    /// <summary>The admin key the api wrote on its first start.</summary>
    string AdminKey { get; }

    /// <summary>What the audit trail holds now, newest first.</summary>
    Task<IReadOnlyList<AuditEvent>> AuditEventsAsync(CancellationToken cancellationToken);
}
