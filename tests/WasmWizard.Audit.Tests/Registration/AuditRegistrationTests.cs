using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using WasmWizard.Audit.Storage;
using WasmWizard.Audit.Tests.Infrastructure;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Tests.Registration;

/// <summary>AddAuditTrail: which store it picks, its readiness check, its options.</summary>
public sealed class AuditRegistrationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ww-audit-reg-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddAuditTrail_NoConnectionString_SqliteFileAndReady()
    {
        using var host = Build(("Audit:DatabasePath", Path.Combine(_directory, "audit.db")));
        await host.StartAsync(Token);

        Assert.IsType<SqliteAuditEventStore>(host.Services.GetRequiredService<IAuditEventStore>());
        Assert.IsType<MeteredAuditReader>(host.Services.GetRequiredService<IAuditReader>());
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        await host.StopAsync(Token);
    }

    [Theory]
    [InlineData("ConnectionStrings:audit")]
    [InlineData("Audit:ConnectionString")]
    public async Task AddAuditTrail_ConnectionString_PostgresMigratedAtStartAndReady(string key)
    {
        var source = await database.NewSchemaAsync(Token);
        using var host = Build((key, source.ConnectionString));

        await host.StartAsync(Token);

        Assert.IsType<PostgresAuditEventStore>(host.Services.GetRequiredService<IAuditEventStore>());
        await using (var count = source.CreateCommand("SELECT count(*) FROM audit_schema_migrations"))
        {
            Assert.True((long)(await count.ExecuteScalarAsync(Token))! > 0);
        }

        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task AuditStoreCheck_PostgresLosesItsTrail_UnhealthyNamingPostgresButNotWhere()
    {
        var source = await database.NewSchemaAsync(Token);
        using var host = Build(("Audit:ConnectionString", source.ConnectionString));
        await host.StartAsync(Token);
        var before = (await CheckAsync(host)).Entries["audit-store"];

        var schema = new NpgsqlConnectionStringBuilder(source.ConnectionString).SearchPath;
        await using (var drop = source.CreateCommand($"DROP SCHEMA \"{schema}\" CASCADE"))
        {
            await drop.ExecuteNonQueryAsync(Token);
        }

        var after = (await CheckAsync(host)).Entries["audit-store"];

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal("The audit store (PostgreSQL) answers.", before.Description);
        Assert.Equal("postgresql", before.Data["store"]);
        Assert.Equal(HealthStatus.Unhealthy, after.Status);
        Assert.Equal("The audit store (PostgreSQL) does not answer.", after.Description);
        Assert.Equal(["store"], after.Data.Keys);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task AddAuditTrail_PostgresUnreachable_NotReadyAndStartFails()
    {
        using var host = Build(("Audit:ConnectionString", "Host=127.0.0.1;Port=1;Timeout=2"));

        var report = await CheckAsync(host);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => host.StartAsync(Token));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Theory]
    [InlineData("Audit:RetentionDays", "0")]
    [InlineData("Audit:RetentionBatchSize", "0")]
    [InlineData("Audit:DatabasePath", " ")]
    public void AddAuditTrail_BadOption_RefusedNamingTheKey(string key, string value)
    {
        using var host = Build((key, value));

        var e = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<AuditOptions>>().Value);

        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static async Task<HealthReport> CheckAsync(IHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(c => c.Name == "audit-store", Token);

    private static IHost Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddAuditTrail();
        return builder.Build();
    }
}
