using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Audit.Tests.Infrastructure;

/// <summary>Audit events to store.</summary>
internal static class Events
{
    /// <summary>A fixed point in time, in whole microseconds, so events read back equal.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 11, 2, 9, 30, 0, TimeSpan.Zero);

    /// <summary>An event with every field set.</summary>
    public static AuditEvent New(
        Guid? tenant,
        string type = AuditEventTypes.KeyCreated,
        string? actor = "system",
        string? subject = null,
        DateTimeOffset? at = null,
        IReadOnlyDictionary<string, string>? details = null) =>
        new(
            Guid.CreateVersion7(),
            type,
            at ?? Epoch,
            tenant,
            Guid.NewGuid(),
            "ww_1234",
            tenant,
            Guid.NewGuid(),
            "127.0.0.1",
            "req-1",
            details ?? new Dictionary<string, string> { ["tier"] = "free", ["reason"] = "test" })
        {
            TenantId = tenant,
            Actor = actor,
            Subject = subject ?? (tenant is { } t ? $"user:{t}" : null),
            Source = "api",
            TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        };
}
