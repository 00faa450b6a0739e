using System.Net;
using Microsoft.Data.Sqlite;
using WasmWizard.Api.Auth;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

public sealed class MigrationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_OnVersion1Database_KeysKeepWhatTheyCouldDo()
    {
        // A data folder as the first release left it: no scopes, expiry or last use on keys.
        var data = Directory.CreateTempSubdirectory("ww-v1-").FullName;
        var adminKey = ApiKeys.Generate();
        var userKey = ApiKeys.Generate();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(data, "wasmwizard.db")};Pooling=False"))
        {
            await connection.OpenAsync(Token);
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, tier TEXT NOT NULL,
                    is_admin INTEGER NOT NULL, created_at TEXT NOT NULL);
                CREATE TABLE api_keys (id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL,
                    revoked_at TEXT NULL);
                INSERT INTO users VALUES ('{Guid.NewGuid()}', 'admin@wasmwizard.local', 'enterprise', 1, '2026-01-01T00:00:00Z');
                INSERT INTO api_keys SELECT '{Guid.NewGuid()}', id, 'admin bootstrap', 'ww_x', '{ApiKeys.Hash(adminKey)}',
                    '2026-01-01T00:00:00Z', NULL FROM users;
                INSERT INTO users VALUES ('{Guid.NewGuid()}', 'old@example.com', 'free', 0, '2026-01-01T00:00:00Z');
                INSERT INTO api_keys SELECT '{Guid.NewGuid()}', id, 'first key', 'ww_y', '{ApiKeys.Hash(userKey)}',
                    '2026-01-01T00:00:00Z', NULL FROM users WHERE email = 'old@example.com';
                PRAGMA user_version = 1;
                """;
            await command.ExecuteNonQueryAsync(Token);
        }

        await File.WriteAllTextAsync(Path.Combine(data, "admin-api-key"), adminKey, Token);

        using var app = new WasmWizardApp(dataDirectory: data);
        using var admin = app.ClientWithKey(adminKey);
        using var user = app.ClientWithKey(userKey);

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/admin/users", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await user.GetAsync("/api/auth/keys", Token)).StatusCode);
        var upload = await user.PostAsync("/api/wasm/upload", ApiCalls.ModuleForm(TestModules.Hello), Token);
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        await ApiCalls.AssertProblemAsync(await user.GetAsync("/api/admin/users", Token), HttpStatusCode.Forbidden, "forbidden");
    }
}
