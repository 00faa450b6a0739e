using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The execution contract on the embedded SQLite store, which defines it.</summary>
public sealed class SqliteExecutionStoreTests() : ExecutionStoreContract(SqliteBackend.StartAsync);
