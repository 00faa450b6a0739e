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

    /// <summary>
    /// Every result published on <c>execution-results</c> so far, oldest first, as a subscriber of the topic gets
    /// them: duplicates included, since delivery is at least once.
    /// </summary>
    /// <exception cref="NotSupportedException">The topic cannot be watched here; the message says why.</exception>
    Task<IReadOnlyList<ExecutionResultEvent>> ExecutionResultsAsync(CancellationToken cancellationToken);
}
