using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The identity contract on the embedded SQLite store, which defines it.</summary>
public sealed class SqliteIdentityStoreTests() : IdentityStoreContract(SqliteBackend.StartAsync);
