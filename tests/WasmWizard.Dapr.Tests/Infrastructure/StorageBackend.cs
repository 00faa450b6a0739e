using WasmWizard.Shared.Ports;

namespace WasmWizard.Dapr.Tests.Infrastructure;

/// <summary>One implementation of the storage ports, started fresh for one test and thrown away after it.</summary>
public abstract class StorageBackend : IAsyncDisposable
{
    /// <summary>Users and keys.</summary>
    public abstract IIdentityStore Identities { get; }

    /// <summary>Modules.</summary>
    public abstract IModuleStore Modules { get; }

    /// <summary>Runs.</summary>
    public abstract IExecutionStore Executions { get; }

    /// <summary>Asynchronous executions.</summary>
    public abstract IExecutionJobStore Jobs { get; }

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();
}
