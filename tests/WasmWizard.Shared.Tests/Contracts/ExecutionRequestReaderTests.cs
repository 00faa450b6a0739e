using System.Text;
using System.Text.Json;
using WasmWizard.Shared.Contracts.Events;

namespace WasmWizard.Shared.Tests.Contracts;

/// <summary>
/// What the executor makes of a delivered execution request: a request it can answer (refused or not), or poison it
/// dead-letters because there is nobody to answer.
/// </summary>
public sealed class ExecutionRequestReaderTests
{
    private const int MaxStdin = 16;

    private static readonly Guid RequestId = Guid.Parse("0193a5c1-0000-7000-8000-000000000001");
    private static readonly Guid TenantId = Guid.Parse("0193a5c1-0000-7000-8000-000000000002");
    private static readonly Guid ModuleId = Guid.Parse("0193a5c1-0000-7000-8000-000000000003");

    [Fact]
    public void CloudEventWithJsonData_EveryMemberRead_EnvInOrder()
    {
        var data = Data(new Dictionary<string, object?>
        {
            ["stdin"] = "héllo",
            ["args"] = new[] { "-n", "2" },
            ["env"] = new Dictionary<string, string> { ["Z"] = "last?", ["A"] = "first?" },
            ["limits"] = new { timeout_ms = 1500, memory_limit_mb = 64, fuel = 9_000_000_000UL },
        });

        var read = ExecutionRequestReader.Read(CloudEvent(data), MaxStdin);

        Assert.Null(read.PoisonReason);
        Assert.Null(read.Problem);
        var request = read.Request!;
        Assert.Equal((RequestId, TenantId, ModuleId), (request.RequestId, request.TenantId, request.ModuleId));
        Assert.Equal("héllo", Encoding.UTF8.GetString(request.Stdin));
        Assert.Equal(["-n", "2"], request.Args);
        Assert.Equal(["Z", "A"], request.Env.Select(e => e.Key));
        Assert.Equal((1500, 64, 9_000_000_000UL), (request.TimeoutMs, request.MemoryLimitMb, request.Fuel));
        Assert.Equal("event-1", request.EventId);
    }

    [Fact]
    public void BareData_And_DataBase64_And_DataAsJsonText_AllRead()
    {
        var data = Data(new Dictionary<string, object?> { ["stdin_base64"] = Convert.ToBase64String([0, 255]) });
        var json = JsonSerializer.Serialize(data);
        var asBase64 = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["specversion"] = "1.0", ["id"] = "e", ["data_base64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(json)),
        }));
        var asText = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["specversion"] = "1.0", ["id"] = "e", ["data"] = json,
        }));

        foreach (var body in new[] { Encoding.UTF8.GetBytes(json), asBase64, asText })
        {
            var read = ExecutionRequestReader.Read(body, MaxStdin);
            Assert.Null(read.Problem);
            Assert.Equal(new byte[] { 0, 255 }, read.Request!.Stdin);
        }
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2]")]
    [InlineData("{\"specversion\": \"1.0\", \"id\": \"x\"}")]
    [InlineData("{\"specversion\": \"1.0\", \"id\": \"x\", \"data\": \"{not json\"}")]
    [InlineData("{\"tenant_id\": \"0193a5c1-0000-7000-8000-000000000002\"}")]
    [InlineData("{\"request_id\": \"0193a5c1-0000-7000-8000-000000000001\", \"tenant_id\": 7}")]
    [InlineData("{\"request_id\": \"not-a-uuid\", \"tenant_id\": \"0193a5c1-0000-7000-8000-000000000002\"}")]
    public void NoRequestIdOrTenant_Poison(string body)
    {
        var read = ExecutionRequestReader.Read(Encoding.UTF8.GetBytes(body), MaxStdin);

        Assert.Null(read.Request);
        Assert.NotNull(read.PoisonReason);
    }

    [Theory]
    [InlineData("\"stdin\": \"a\", \"stdin_base64\": \"YQ==\"", "not both")]
    [InlineData("\"stdin_base64\": \"***\"", "not base64")]
    [InlineData("\"stdin\": \"this is more than sixteen bytes\"", "at most 16")]
    [InlineData("\"args\": [\"a\", 1]", "args")]
    [InlineData("\"args\": \"a\"", "args must be a JSON array")]
    [InlineData("\"env\": {\"A\": 1}", "env")]
    [InlineData("\"env\": {\"A\": \"1\", \"A\": \"2\"}", "each given once")]
    [InlineData("\"env\": {\"A=B\": \"1\"}", "without '='")]
    [InlineData("\"env\": {\"\": \"1\"}", "non-empty")]
    [InlineData("\"limits\": {\"timeout_ms\": 1.5}", "limits.timeout_ms")]
    [InlineData("\"limits\": {\"fuel\": -1}", "limits.fuel")]
    [InlineData("\"limits\": {\"memory_limit_mb\": \"64\"}", "limits.memory_limit_mb")]
    public void BadMember_AnswerableRequest_WithTheProblemNamed(string members, string expected)
    {
        var body = $"{{\"request_id\": \"{RequestId}\", \"tenant_id\": \"{TenantId}\", \"module_id\": \"{ModuleId}\", {members}}}";

        var read = ExecutionRequestReader.Read(Encoding.UTF8.GetBytes(body), MaxStdin);

        Assert.Null(read.PoisonReason);
        Assert.Equal(RequestId, read.Request!.RequestId);
        Assert.Contains(expected, read.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void NoModuleId_AnswerableRequest_RefusedForIt()
    {
        var body = $"{{\"request_id\": \"{RequestId}\", \"tenant_id\": \"{TenantId}\"}}";

        var read = ExecutionRequestReader.Read(Encoding.UTF8.GetBytes(body), MaxStdin);

        Assert.Equal(TenantId, read.Request!.TenantId);
        Assert.Contains("module_id", read.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void PublishedDocument_ReadBackTheSame()
    {
        // What the api publishes for a REST submit is what the executor reads: one contract for every producer.
        var published = new ExecutionRequestEvent
        {
            RequestId = RequestId,
            TenantId = TenantId,
            ModuleId = ModuleId,
            StdinBase64 = Convert.ToBase64String([1, 2, 3]),
            Args = ["x"],
            Env = new Dictionary<string, string> { ["K"] = "V" },
            Limits = new ExecutionRequestLimits { TimeoutMs = 10, Fuel = 5 },
        };

        var read = ExecutionRequestReader.Read(JsonSerializer.SerializeToUtf8Bytes(published, JsonSerializerOptions.Web), 16);

        Assert.Null(read.Problem);
        var request = read.Request!;
        Assert.Equal(new byte[] { 1, 2, 3 }, request.Stdin);
        Assert.Equal(["x"], request.Args);
        Assert.Equal(KeyValuePair.Create("K", "V"), Assert.Single(request.Env));
        Assert.Equal((10, (int?)null, 5UL), (request.TimeoutMs, request.MemoryLimitMb, request.Fuel));
    }

    private static Dictionary<string, object?> Data(Dictionary<string, object?> members)
    {
        members["request_id"] = RequestId;
        members["tenant_id"] = TenantId;
        members["module_id"] = ModuleId;
        return members;
    }

    private static byte[] CloudEvent(object data) => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
    {
        ["specversion"] = "1.0",
        ["id"] = "event-1",
        ["type"] = "com.dapr.event.sent",
        ["source"] = "producer",
        ["datacontenttype"] = "application/json",
        ["data"] = data,
    });
}
