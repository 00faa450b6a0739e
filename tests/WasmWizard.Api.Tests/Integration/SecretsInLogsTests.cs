using System.Net.Http.Json;
using WasmWizard.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Api.Tests.Integration;

/// <summary>Nothing secret reaches the log: no API key, no module bytes, no stdin, not even at debug level.</summary>
public sealed class SecretsInLogsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Log_AfterKeysModulesRunsAndFailures_HoldsNoSecret()
    {
        var sink = new CapturingSink();
        var moduleMarker = "MODULE-DATA-" + Guid.NewGuid().ToString("N");
        var stdinMarker = "STDIN-DATA-" + Guid.NewGuid().ToString("N");
        string userKey;
        string secondKey;
        string adminKey;
        using (var app = new WasmWizardApp(
            new Dictionary<string, string?> { ["Serilog:MinimumLevel:Default"] = "Debug" },
            services: s => s.AddSingleton<ILogEventSink>(sink)))
        {
            adminKey = app.AdminKey;
            using var user = await app.CreateUserAsync();
            userKey = user.ApiKey;
            var second = await ApiCalls.BodyAsync(await user.Client.PostAsJsonAsync("/api/auth/keys", new { name = "x" }, Token));
            secondKey = second.GetProperty("api_key").GetString()!;
            await user.Client.DeleteAsync($"/api/auth/keys/{second.GetProperty("id").GetString()}", Token);

            var module = Wat.Compile(Wat.Command(Wat.Data(300, moduleMarker) + """
                (func (export "_start")
                  (i32.store (i32.const 16) (i32.const 1024))
                  (i32.store (i32.const 20) (i32.const 1000))
                  (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
                  (call $print (i32.const 1024) (i32.load (i32.const 24)))
                  unreachable)
                """));
            var uploaded = await ApiCalls.UploadAsync(user.Client, module, "marker.wasm");
            await ApiCalls.ExecuteAsync(user.Client, Guid.Parse(uploaded.GetProperty("id").GetString()!), new { input = stdinMarker });
            using var revoked = app.ClientWithKey(secondKey);
            await revoked.GetAsync("/api/wasm/modules", Token);
            using var wrong = app.ClientWithKey(userKey[..^2] + "zz");
            await wrong.GetAsync("/api/wasm/modules", Token);
        }

        var log = sink.Text;

        Assert.Contains("/api/wasm/upload", log, StringComparison.Ordinal);
        foreach (var secret in new[] { userKey, userKey[3..], secondKey, adminKey, moduleMarker, stdinMarker })
        {
            Assert.DoesNotContain(secret, log, StringComparison.Ordinal);
        }
    }
}
