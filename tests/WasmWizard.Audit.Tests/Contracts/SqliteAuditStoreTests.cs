using WasmWizard.Audit.Tests.Infrastructure;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>The audit store contract on SQLite, the embedded host's default.</summary>
public sealed class SqliteAuditStoreTests() : AuditStoreContract(SqliteAuditBackend.StartAsync);
