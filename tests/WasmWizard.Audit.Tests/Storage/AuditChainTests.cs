using WasmWizard.Audit.Storage;
using WasmWizard.Shared.Contracts.Events;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Storage;

/// <summary>The canonical form and chain hash both stores share.</summary>
public sealed class AuditChainTests
{
    private static readonly AuditEvent Sample = AuditChain.Normalize(New(Guid.CreateVersion7()));

    /// <summary>One change to each field of an event (including every init property and the details).</summary>
    public static TheoryData<string> Changes { get; } =
    [
        "Id", "Type", "OccurredAt", "ActorUserId", "ActorKeyId", "ActorKeyPrefix", "SubjectUserId", "SubjectKeyId",
        "ClientAddress", "RequestId", "DetailValue", "DetailKey", "DetailAdded", "TenantId", "Actor", "Subject",
        "Source", "TraceId", "NullInsteadOfEmpty",
    ];

    [Theory]
    [MemberData(nameof(Changes))]
    public void Hash_AnyFieldChanged_Differs(string field)
    {
        var changed = field switch
        {
            "Id" => Sample with { Id = Guid.NewGuid() },
            "Type" => Sample with { Type = "other" },
            "OccurredAt" => Sample with { OccurredAt = Sample.OccurredAt.AddTicks(10) },
            "ActorUserId" => Sample with { ActorUserId = null },
            "ActorKeyId" => Sample with { ActorKeyId = Guid.NewGuid() },
            "ActorKeyPrefix" => Sample with { ActorKeyPrefix = "ww_x" },
            "SubjectUserId" => Sample with { SubjectUserId = Guid.NewGuid() },
            "SubjectKeyId" => Sample with { SubjectKeyId = null },
            "ClientAddress" => Sample with { ClientAddress = "::1" },
            "RequestId" => Sample with { RequestId = "req-2" },
            "DetailValue" => Sample with { Details = new Dictionary<string, string>(Sample.Details) { ["tier"] = "pro" } },
            "DetailKey" => Sample with { Details = new Dictionary<string, string> { ["tierx"] = "free", ["reason"] = "test" } },
            "DetailAdded" => Sample with { Details = new Dictionary<string, string>(Sample.Details) { ["x"] = "" } },
            "TenantId" => Sample with { TenantId = null },
            "Actor" => Sample with { Actor = "key:other" },
            "Subject" => Sample with { Subject = null },
            "Source" => Sample with { Source = "executor" },
            "TraceId" => Sample with { TraceId = null },
            "NullInsteadOfEmpty" => Sample with { ActorKeyPrefix = "" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        Assert.NotEqual(AuditChain.Hash(AuditChain.Genesis.Span, Sample), AuditChain.Hash(AuditChain.Genesis.Span, changed));
    }

    [Fact]
    public void Hash_FieldBoundariesShifted_Differs()
    {
        // Length prefixes keep "ab" + "c" apart from "a" + "bc".
        var one = Sample with { Actor = "ab", Subject = "c" };
        var two = Sample with { Actor = "a", Subject = "bc" };

        Assert.NotEqual(AuditChain.Hash(AuditChain.Genesis.Span, one), AuditChain.Hash(AuditChain.Genesis.Span, two));
    }

    [Fact]
    public void Hash_DetailsInAnotherOrder_Same()
    {
        var forward = Sample with { Details = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } };
        var backward = Sample with { Details = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } };

        Assert.Equal(AuditChain.Hash(AuditChain.Genesis.Span, forward), AuditChain.Hash(AuditChain.Genesis.Span, backward));
    }

    [Fact]
    public void Hash_OtherPrevious_Differs()
    {
        var previous = new byte[AuditChain.HashLength];
        previous[^1] = 1;

        Assert.NotEqual(AuditChain.Hash(AuditChain.Genesis.Span, Sample), AuditChain.Hash(previous, Sample));
        Assert.Throws<ArgumentException>(() => AuditChain.Hash(new byte[3], Sample));
    }

    [Fact]
    public void Normalize_TwiceSameAsOnceAndHashesAlike()
    {
        var raw = New(null) with { OccurredAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(-5)).AddTicks(7) };

        var once = AuditChain.Normalize(raw);
        var twice = AuditChain.Normalize(once);

        Assert.Equal(AuditChain.Hash(AuditChain.Genesis.Span, once), AuditChain.Hash(AuditChain.Genesis.Span, twice));
        Assert.Equal(TimeSpan.Zero, once.OccurredAt.Offset);
        Assert.Equal(0, once.OccurredAt.UtcTicks % 10);
    }

    [Theory]
    [InlineData(-1, -1, 0)]
    [InlineData(0, 0, 0)]
    [InlineData(9, 0, 1)]
    [InlineData(10, 1, 1)]
    [InlineData(-11, -2, -1)]
    public void Microseconds_RoundDownAndUp(long ticks, long floor, long ceiling)
    {
        var time = DateTimeOffset.UnixEpoch.AddTicks(ticks);

        Assert.Equal((floor, ceiling), (AuditChain.ToMicroseconds(time), AuditChain.CeilingMicroseconds(time)));
    }
}
