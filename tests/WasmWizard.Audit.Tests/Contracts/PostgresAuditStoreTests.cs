using WasmWizard.Audit.Tests.Infrastructure;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>The audit store contract on PostgreSQL, the distributed deployment's store.</summary>
public sealed class PostgresAuditStoreTests(PostgresDatabase database)
    : AuditStoreContract(() => PostgresAuditBackend.StartAsync(database)), IClassFixture<PostgresDatabase>;
