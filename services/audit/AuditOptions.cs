namespace WasmWizard.Audit;

/// <summary>Where the audit service keeps events (section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Audit";

    /// <summary>The SQLite file of the audit trail, relative to the working directory unless absolute.</summary>
    public string DatabasePath { get; set; } = Path.Combine("data", "audit.db");
}
