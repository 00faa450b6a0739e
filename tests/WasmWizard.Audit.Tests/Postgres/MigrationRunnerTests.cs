using Npgsql;
using WasmWizard.Audit.Storage.Migrations;
using WasmWizard.Audit.Tests.Infrastructure;

namespace WasmWizard.Audit.Tests.Postgres;

/// <summary>The schema migrations: versioned, applied once, safe when replicas start together.</summary>
public sealed class MigrationRunnerTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string TablesNamed = "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN ";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_FourRunnersAtOnceOnAFreshDatabase_AllSucceedAndEachScriptAppliesOnce()
    {
        // The class's own database, in its default schema: nothing has run there.
        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(database.ConnectionString)).ToList();
        try
        {
            using var start = new Barrier(sources.Count);
            var runs = sources.Select(s => Task.Run(
                () =>
                {
                    start.SignalAndWait(Token);
                    return new PostgresMigrationRunner(s).RunAsync(Token);
                },
                Token));

            var applied = await Task.WhenAll(runs);

            Assert.Equal(PostgresMigration.Embedded.Count, applied.Sum());
            Assert.Equal(PostgresMigration.Embedded.Count, await ScalarAsync(sources[0], "SELECT count(*) FROM audit_schema_migrations"));
            Assert.Equal(1, await ScalarAsync(sources[0], TablesNamed + "('audit_log')"));
            Assert.Equal(0, await new PostgresMigrationRunner(sources[0]).RunAsync(Token));
        }
        finally
        {
            foreach (var source in sources)
            {
                await source.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Run_Twice_SecondAppliesNothing()
    {
        var source = await database.NewSchemaAsync(Token);

        var first = await new PostgresMigrationRunner(source).RunAsync(Token);
        var second = await new PostgresMigrationRunner(source).RunAsync(Token);

        Assert.Equal((PostgresMigration.Embedded.Count, 0), (first, second));
    }

    [Fact]
    public async Task Run_NewScript_AppliedAfterTheOthers()
    {
        var source = await database.NewSchemaAsync(Token);
        await new PostgresMigrationRunner(source).RunAsync(Token);
        var next = new PostgresMigration(9999, "9999_test.sql", "CREATE TABLE audit_test_added (x integer)");

        var applied = await new PostgresMigrationRunner(source, [.. PostgresMigration.Embedded, next]).RunAsync(Token);

        Assert.Equal(1, applied);
        Assert.Equal(0, await ScalarAsync(source, "SELECT count(*) FROM audit_test_added"));
    }

    [Fact]
    public async Task Run_AppliedScriptChangedSince_Refused()
    {
        var source = await database.NewSchemaAsync(Token);
        await new PostgresMigrationRunner(source).RunAsync(Token);
        var edited = PostgresMigration.Embedded.Select((m, i) => i == 0 ? m with { Sql = m.Sql + "\n-- edited" } : m).ToList();

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresMigrationRunner(source, edited).RunAsync(Token));

        Assert.Contains("changed after it was applied", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_DatabaseNewerThanTheBuild_Refused()
    {
        var source = await database.NewSchemaAsync(Token);
        var next = new PostgresMigration(9999, "9999_test.sql", "SELECT 1");
        await new PostgresMigrationRunner(source, [.. PostgresMigration.Embedded, next]).RunAsync(Token);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => new PostgresMigrationRunner(source).RunAsync(Token));

        Assert.Contains("9999", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingScript_LeavesNothingBehind()
    {
        var source = await database.NewSchemaAsync(Token);
        var broken = new PostgresMigration(9999, "9999_broken.sql", "CREATE TABLE audit_half (x integer); SELECT no_such_function()");

        await Assert.ThrowsAsync<PostgresException>(
            () => new PostgresMigrationRunner(source, [.. PostgresMigration.Embedded, broken]).RunAsync(Token));

        Assert.Equal(0, await ScalarAsync(source, TablesNamed + "('audit_log', 'audit_half')"));
    }

    [Fact]
    public void Embedded_NumberedFromOneWithoutGaps() =>
        Assert.Equal(Enumerable.Range(1, PostgresMigration.Embedded.Count), PostgresMigration.Embedded.Select(m => m.Version));

    private static async Task<long> ScalarAsync(NpgsqlDataSource source, string sql)
    {
        await using var command = source.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Token), System.Globalization.CultureInfo.InvariantCulture);
    }
}
