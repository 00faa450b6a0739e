using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The asynchronous execution contract on the embedded SQLite store, which defines it.</summary>
public sealed class SqliteExecutionJobStoreTests() : ExecutionJobStoreContract(SqliteBackend.StartAsync);
