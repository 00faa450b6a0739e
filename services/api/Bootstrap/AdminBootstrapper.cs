using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WasmWizard.Api.Apis;
using WasmWizard.Api.Audit;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.IO;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Bootstrap;

/// <summary>
/// On first start, creates the admin user and writes an admin API key to a file only the service's user can
/// read; the log names the file, never the key. When the file is gone (lost or deliberately deleted), every
/// earlier admin key is revoked and a new one is written the same way: that is how an operator rotates it.
/// With <c>Api:AdminApiKey</c> set, that key is the admin key instead and no file is written
/// (<see cref="ConfiguredAdminKey"/>): one file per replica would have each replica revoke the others' keys.
/// </summary>
public sealed class AdminBootstrapper(
    IIdentityStore identities,
    AuditRecorder audit,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<AdminBootstrapper> logger) : IHostedService
{
    /// <summary>The admin user's email.</summary>
    public const string AdminEmail = "admin@wasmwizard.local";

    /// <summary>The name of the admin key written on first start.</summary>
    public const string BootstrapKeyName = "admin bootstrap";

    /// <summary>The name of the admin key written when the file had gone.</summary>
    public const string RecoveryKeyName = "admin recovery";

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AdminApiKey is { } configured)
        {
            // Secrets mounted from files often end in a newline, and a key has no whitespace in it.
            await new ConfiguredAdminKey(identities, audit, time, logger).EnsureAsync(configured.Trim(), cancellationToken);
            return;
        }

        var path = Path.GetFullPath(options.Value.AdminKeyFile);
        if (File.Exists(path))
        {
            Log.AdminCredentialFile(logger, path);
            return;
        }

        var now = time.GetUtcNow();
        var admin = await identities.FindUserByEmailAsync(AdminEmail, cancellationToken);
        string secret;
        if (admin is null)
        {
            admin = new UserRecord(Guid.CreateVersion7(), AdminEmail, Tiers.Enterprise, IsAdmin: true, now);
            (var key, secret) = KeysApi.NewKey(admin.Id, BootstrapKeyName, now, ApiScopes.All);
            if (!await identities.TryCreateUserAsync(admin, key, cancellationToken))
            {
                throw new InvalidOperationException("Could not create the admin user.");
            }

            await audit.RecordAsync(
                AuditEventTypes.UserCreated, admin.Id, details: new Dictionary<string, string> { ["tier"] = admin.Tier });
            await audit.RecordAsync(AuditEventTypes.KeyCreated, admin.Id, key.Id, KeysApi.Describe(key));
        }
        else
        {
            // A missing file means the old key is lost or leaked: it stops working, and a new one replaces it.
            await identities.RevokeAllKeysAsync(admin.Id, now, cancellationToken);
            await audit.RecordAsync(
                AuditEventTypes.KeyRevoked,
                admin.Id,
                details: new Dictionary<string, string> { ["reason"] = "admin key rotation: every earlier admin key" });
            (var key, secret) = KeysApi.NewKey(admin.Id, RecoveryKeyName, now, ApiScopes.All);
            await identities.AddKeyAsync(key, cancellationToken);
            await audit.RecordAsync(AuditEventTypes.KeyCreated, admin.Id, key.Id, KeysApi.Describe(key));
        }

        WriteOwnerOnly(path, secret + "\n");
        Log.AdminCredentialCreated(logger, path);
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static void WriteOwnerOnly(string path, string content)
    {
        PrivateFile.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = PrivateFile.CreateNew(path);
        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }
}
