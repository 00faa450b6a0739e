namespace WasmWizard.Audit;

/// <summary>Where the audit trail is kept and for how long (section <c>Audit</c>).</summary>
/// <remarks>
/// <code>
/// "Audit": {
///   "ConnectionString": "Host=…;Database=audit;Username=…",   // PostgreSQL; else the SQLite file below
///   "DatabasePath": "data/audit.db",
///   "RetentionDays": 365,                                      // absent: keep every event
///   "RetentionBatchSize": 1000
/// }
/// </code>
/// <c>ConnectionStrings:audit</c> stands in for <c>Audit:ConnectionString</c> when that is not set.
/// </remarks>
public sealed class AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Audit";

    /// <summary>The name under <c>ConnectionStrings</c> that also selects PostgreSQL.</summary>
    public const string ConnectionStringName = "audit";

    /// <summary>The SQLite file of the audit trail, relative to the working directory unless absolute.</summary>
    public string DatabasePath { get; set; } = Path.Combine("data", "audit.db");

    /// <summary>A PostgreSQL (Npgsql) connection string; when set, the trail is kept there instead of SQLite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How many days events are kept; null keeps them forever.</summary>
    public int? RetentionDays { get; set; }

    /// <summary>How many events one retention pass removes at most, so one pass never holds locks for long.</summary>
    public int RetentionBatchSize { get; set; } = 1000;
}
