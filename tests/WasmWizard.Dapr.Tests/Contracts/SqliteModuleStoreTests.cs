using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The module contract on the embedded SQLite store, which defines it.</summary>
public sealed class SqliteModuleStoreTests() : ModuleStoreContract(SqliteBackend.StartAsync);
