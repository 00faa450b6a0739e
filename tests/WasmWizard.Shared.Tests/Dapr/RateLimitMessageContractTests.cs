using System.Runtime.Serialization;
using System.Text.Json;
using System.Xml;
using WasmWizard.Shared.Dapr;
using WasmWizard.Shared.RateLimiting;

namespace WasmWizard.Shared.Tests.Dapr;

/// <summary>
/// The actor's messages survive both ways Dapr moves them: DataContract in binary XML (typed proxies, the way
/// the remoting serializer writes them) and JSON with web defaults (weakly typed invocation).
/// </summary>
public sealed class RateLimitMessageContractTests
{
    private static readonly RateLimitDecisionDto Refused = new(
        Allowed: false,
        Limit: 10,
        Remaining: 0,
        Reset: new DateTimeOffset(2026, 12, 4, 13, 0, 0, TimeSpan.FromHours(1)),
        RetryAfter: TimeSpan.FromSeconds(6.5));

    private static readonly RateLimitDecisionDto Unlimited = new(
        true, null, null, new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero), TimeSpan.Zero);

    [Fact]
    public void DataContract_Policy_RoundTripsThroughBinaryXml()
    {
        var policy = new RateLimitPolicyDto(PerMinute: 1000, PerHour: 10_000, Burst: 100);

        Assert.Equal(policy, DataContractRoundTrip(policy));
    }

    [Fact]
    public void DataContract_Decisions_RoundTripThroughBinaryXml()
    {
        Assert.Equal(Refused, DataContractRoundTrip(Refused));
        Assert.Equal(Unlimited, DataContractRoundTrip(Unlimited));
        Assert.Equal(Refused.Reset.Offset, DataContractRoundTrip(Refused).Reset.Offset);
    }

    [Fact]
    public void DataContract_DomainPolicy_IsNotSerializableAsItIs()
    {
        // Why the messages exist: a positional record without a parameterless constructor is no data contract.
        var serializer = new DataContractSerializer(typeof(RateLimitPolicy));
        using var stream = new MemoryStream();

        Assert.Throws<InvalidDataContractException>(
            () => serializer.WriteObject(stream, new RateLimitPolicy(1, 2, 3)));
    }

    [Fact]
    public void Json_Messages_RoundTripWithWebDefaults()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var policy = new RateLimitPolicyDto(10, 100, 5);

        var policyJson = JsonSerializer.Serialize(policy, options);

        Assert.Equal("""{"perMinute":10,"perHour":100,"burst":5}""", policyJson);
        Assert.Equal(policy, JsonSerializer.Deserialize<RateLimitPolicyDto>(policyJson, options));
        Assert.Equal(Refused, JsonRoundTrip(Refused, options));
        Assert.Equal(Unlimited, JsonRoundTrip(Unlimited, options));
    }

    [Fact]
    public void Conversions_DomainToMessageAndBack_KeepEveryValue()
    {
        var policy = new RateLimitPolicy(PerMinute: 100, PerHour: 1000, Burst: 20);
        var decision = Refused.ToDecision();

        Assert.Equal(policy, RateLimitPolicyDto.From(policy).ToPolicy());
        Assert.Equal(decision, RateLimitDecisionDto.From(decision).ToDecision());
        Assert.Equal(new RateLimitDecision(false, 10, 0, Refused.Reset, Refused.RetryAfter), decision);
    }

    private static T? JsonRoundTrip<T>(T value, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, options), options);

    private static T DataContractRoundTrip<T>(T value)
    {
        var serializer = new DataContractSerializer(typeof(T));
        using var stream = new MemoryStream();
        using (var writer = XmlDictionaryWriter.CreateBinaryWriter(stream))
        {
            serializer.WriteObject(writer, value);
        }

        using var reader = XmlDictionaryReader.CreateBinaryReader(stream.ToArray(), XmlDictionaryReaderQuotas.Max);
        return (T)serializer.ReadObject(reader)!;
    }
}
