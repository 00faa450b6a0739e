using System.Globalization;

namespace WasmWizard.Shared.Contracts.Events;

/// <summary>
/// The details of an <c>execution.completed</c> audit event, the same whichever service ran the module: the module,
/// the limits applied and how the run ended, never its input or output.
/// </summary>
public static class ExecutionAuditDetails
{
    /// <summary>What an auditor needs to account for a run, and nothing the guest read or wrote.</summary>
    public static Dictionary<string, string> Describe(Guid? moduleId, string sha256, RunLimits limits, RunResult result)
    {
        var details = new Dictionary<string, string>
        {
            ["module_sha256"] = sha256,
            ["module_id"] = moduleId?.ToString() ?? "ad-hoc",
            ["timeout_ms"] = Invariant(limits.TimeoutMs),
            ["memory_limit_bytes"] = Invariant(limits.MemoryLimitBytes),
            ["outcome"] = result.Outcome,
            ["duration_ms"] = result.DurationMs.ToString("0.###", CultureInfo.InvariantCulture),
            ["stdout_bytes"] = Invariant(result.Stdout.Length),
            ["stderr_bytes"] = Invariant(result.Stderr.Length),
        };
        AddWhenKnown(details, "fuel_limit", limits.Fuel);
        AddWhenKnown(details, "fuel_consumed", result.FuelConsumed);
        if (result.ExitCode is { } exitCode)
        {
            details["exit_code"] = Invariant(exitCode);
        }

        if (result.TrapKind is { } trap)
        {
            details["trap_kind"] = trap;
        }

        return details;
    }

    private static void AddWhenKnown(Dictionary<string, string> details, string name, ulong? value)
    {
        if (value is { } known)
        {
            details[name] = Invariant(known);
        }
    }

    private static string Invariant<T>(T value)
        where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
