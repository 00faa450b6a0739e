using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Dapr.Tests.Infrastructure;

/// <summary>Records as the api makes them, with ids in creation order so "newest first" is predictable.</summary>
public static class TestData
{
    /// <summary>When every test's story starts.</summary>
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static long _sequence;

    /// <summary>A version 7 id one millisecond after the previous one, so ids sort as they were made.</summary>
    public static Guid NextId() => Guid.CreateVersion7(T0.AddMilliseconds(Interlocked.Increment(ref _sequence)));

    /// <summary>A user of the free tier with a unique lower-case address unless one is given.</summary>
    public static UserRecord User(string? email = null, string tier = "free")
    {
        var id = NextId();
        return new UserRecord(id, email ?? $"user-{id:N}@example.com", tier, IsAdmin: false, T0);
    }

    /// <summary>A new key of <paramref name="userId"/> and its secret, stored only as a hash.</summary>
    public static (ApiKeyRecord Key, string Secret) Key(Guid userId, DateTimeOffset? expiresAt = null)
    {
        var secret = "ww_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var key = new ApiKeyRecord(
            NextId(), userId, "test key", secret[..11], Sha256(Encoding.UTF8.GetBytes(secret)), T0, RevokedAt: null,
            ApiScopes.UserDefault, expiresAt, LastUsedAt: null);
        return (key, secret);
    }

    /// <summary>Content that differs by <paramref name="seed"/>.</summary>
    public static byte[] Bytes(int seed, int size = 64)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Metadata of an upload of <paramref name="bytes"/>.</summary>
    public static ModuleRecord Module(Guid ownerId, byte[] bytes, bool isPublic = false) => new(
        NextId(), ownerId, "module", "a test module", isPublic, Sha256(bytes), bytes.Length, T0);

    /// <summary>A finished run.</summary>
    public static ExecutionRecord Execution(Guid userId, ModuleRecord module) => new(
        NextId(), userId, module.Id, module.Sha256, "exited", 0, 12.5, 6_157, T0);

    /// <summary>A queued asynchronous execution of <paramref name="moduleId"/>, as the api submits one.</summary>
    public static ExecutionJob Job(Guid tenantId, Guid moduleId, string? idempotencyKey = null) => new(
        NextId(), tenantId, moduleId, idempotencyKey, "request-hash",
        new ExecutionJobRequest(
            Sha256(Bytes(1)), "guest", [1, 2, 3], ["--flag", "value"], [new("NAME", "value")],
            new RunLimits(5_000, 64 * 1024 * 1024, 1_000_000), "free", NextId(), "ww_abcdefgh", "request-1"),
        ExecutionJobStatus.Queued, T0);

    /// <summary>A result with output, as the executor answers.</summary>
    public static RunResult Result(string outcome = "exited", int? exitCode = 0) => new(
        outcome, exitCode, null, null, [104, 105], false, [], false, 12.5, 42);

    /// <summary>
    /// Asserts two jobs are equal by their stored form, since the request's and result's byte arrays and lists
    /// compare by instance in record equality.
    /// </summary>
    public static void AssertSameJob(ExecutionJob expected, ExecutionJob? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(JsonSerializer.Serialize(expected, Json), JsonSerializer.Serialize(actual, Json));
    }

    /// <summary>Lower-case hex SHA-256, as the api computes it.</summary>
    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Asserts two keys are equal, scopes compared by content rather than by list instance.</summary>
    public static void AssertSameKey(ApiKeyRecord expected, ApiKeyRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Scopes = Array.Empty<string>() }, actual with { Scopes = Array.Empty<string>() });
        Assert.Equal(expected.Scopes, actual.Scopes);
    }
}
