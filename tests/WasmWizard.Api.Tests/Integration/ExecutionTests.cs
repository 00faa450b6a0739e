using System.Diagnostics;
using System.Net;
using System.Text;
using WasmWizard.Api.Tests.Infrastructure;

namespace WasmWizard.Api.Tests.Integration;

public sealed class ExecutionTests : IClassFixture<AuthTests.App>
{
    private readonly WasmWizardApp _app;

    public ExecutionTests(AuthTests.App app) => _app = app.Instance;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExecuteById_StdinArgsEnv_OkWithOutput()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");

        var response = await ApiCalls.ExecuteAsync(
            user.Client, Id(module), new { input = "ünïcode in", args = new[] { "a" }, env = new { K = "V" } });
        var body = await ApiCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ünïcode in", body.GetProperty("output").GetString());
        Assert.Equal("exited", body.GetProperty("outcome").GetString());
        Assert.Equal(0, body.GetProperty("exit_code").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("error").ValueKind);
        Assert.Equal("utf8", body.GetProperty("output_encoding").GetString());
        Assert.False(body.GetProperty("output_truncated").GetBoolean());
        Assert.True(body.GetProperty("duration_ms").GetDouble() > 0);
        Assert.True(body.GetProperty("fuel_consumed").GetUInt64() > 0);
        Assert.True(Guid.TryParse(body.GetProperty("execution_id").GetString(), out _));
    }

    [Fact]
    public async Task ExecuteById_BinaryInputBase64_EchoedBack()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Echo, "echo.wasm");
        byte[] input = [0x00, 0xff, 0x10, 0x80];

        var body = await ApiCalls.BodyAsync(
            await ApiCalls.ExecuteAsync(user.Client, Id(module), new { input_base64 = Convert.ToBase64String(input) }));

        Assert.Equal("base64", body.GetProperty("output_encoding").GetString());
        Assert.Equal(input, Convert.FromBase64String(body.GetProperty("output").GetString()!));
    }

    [Fact]
    public async Task ExecuteById_NonUtf8Output_Base64WithFlag()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.NonUtf8, "bytes.wasm");

        var body = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(user.Client, Id(module), new { }));

        Assert.Equal("base64", body.GetProperty("output_encoding").GetString());
        Assert.Equal(new byte[] { (byte)'o', (byte)'k', 0xff, 0xfe }, Convert.FromBase64String(body.GetProperty("output").GetString()!));
    }

    [Fact]
    public async Task ExecuteById_NonZeroExit_UnprocessableWithSameBodyShape()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.ExitWith(7), "seven.wasm");

        var response = await ApiCalls.ExecuteAsync(user.Client, Id(module), new { });
        var body = await ApiCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("exited", body.GetProperty("outcome").GetString());
        Assert.Equal(7, body.GetProperty("exit_code").GetInt32());
        Assert.Contains("7", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteById_TimeoutAskedBelowTierCap_EndsAtThatDeadline()
    {
        using var user = await _app.CreateUserAsync("free");
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Spin, "spin.wasm");

        var started = Stopwatch.GetTimestamp();
        var response = await ApiCalls.ExecuteAsync(user.Client, Id(module), new { timeout_ms = 300 });
        var elapsed = Stopwatch.GetElapsedTime(started);
        var body = await ApiCalls.BodyAsync(response);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("timeout", body.GetProperty("outcome").GetString());
        Assert.InRange(body.GetProperty("duration_ms").GetDouble(), 300, 330);
        Assert.True(elapsed < TimeSpan.FromSeconds(3), $"the request took {elapsed}");
    }

    [Fact]
    public async Task ExecuteById_FreeTierAsksForMore_RefusedWhileEnterpriseMayAsk()
    {
        using var free = await _app.CreateUserAsync("free");
        using var enterprise = await _app.CreateUserAsync("enterprise");
        var freeModule = await ApiCalls.UploadAsync(free.Client, TestModules.Hello, "hello.wasm");
        var enterpriseModule = await ApiCalls.UploadAsync(enterprise.Client, TestModules.Hello, "hello.wasm");

        var ask = new { timeout_ms = 10_000, memory_limit_mb = 512 };
        var refused = await ApiCalls.ExecuteAsync(free.Client, Id(freeModule), ask);
        var allowed = await ApiCalls.ExecuteAsync(enterprise.Client, Id(enterpriseModule), ask);

        var problem = await ApiCalls.AssertProblemAsync(refused, HttpStatusCode.BadRequest, "limit_exceeds_tier");
        Assert.Contains("5000", problem.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task ExecuteById_MemoryAskedBelowDefault_ModuleNeedingMoreHitsLimit()
    {
        using var user = await _app.CreateUserAsync("pro");
        var big = WasmWizard.Tests.Shared.Wat.Compile(WasmWizard.Tests.Shared.Wat.Command(
            """(func (export "_start"))""", memory: "(memory (export \"memory\") 100)"));
        var module = await ApiCalls.UploadAsync(user.Client, big, "big.wasm");

        var small = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(user.Client, Id(module), new { memory_limit_mb = 4 }));
        var roomy = await ApiCalls.ExecuteAsync(user.Client, Id(module), new { memory_limit_mb = 8 });

        Assert.Equal("memory_limit", small.GetProperty("outcome").GetString());
        Assert.Equal(HttpStatusCode.OK, roomy.StatusCode);
    }

    [Fact]
    public async Task ExecuteById_FuelBudget_FuelExhausted()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Spin, "spin.wasm");

        var body = await ApiCalls.BodyAsync(await ApiCalls.ExecuteAsync(user.Client, Id(module), new { fuel = 50_000 }));

        Assert.Equal("fuel_exhausted", body.GetProperty("outcome").GetString());
        Assert.Equal(50_000UL, body.GetProperty("fuel_consumed").GetUInt64());
    }

    [Fact]
    public async Task ExecuteAdHoc_WasmAndInput_RunsInOneCall()
    {
        using var user = await _app.CreateUserAsync();
        using var form = ApiCalls.ModuleForm(TestModules.Echo, "echo.wasm");
        form.Add(new StringContent("ad hoc input"), "input");

        var response = await user.Client.PostAsync("/api/wasm/execute", form, Token);
        var body = await ApiCalls.BodyAsync(response);
        var modules = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/wasm/modules", Token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ad hoc input", body.GetProperty("output").GetString());
        Assert.Equal(0, modules.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task ExecuteAdHoc_InvalidModule_BadRequestWithReason()
    {
        using var user = await _app.CreateUserAsync();
        var noStart = WasmWizard.Tests.Shared.Wat.Compile("""(module (memory (export "memory") 1))""");

        var response = await user.Client.PostAsync("/api/wasm/execute", ApiCalls.ModuleForm(noStart), Token);

        await ApiCalls.AssertProblemAsync(response, HttpStatusCode.BadRequest, "missing_start");
    }

    [Fact]
    public async Task DeleteModule_Owner_GoneAfterwards()
    {
        using var user = await _app.CreateUserAsync();
        var module = await ApiCalls.UploadAsync(user.Client, TestModules.Hello, "hello.wasm");
        // Run once first, so the module is one the host has already looked up.
        var before = await ApiCalls.ExecuteAsync(user.Client, Id(module), new { });

        var delete = await user.Client.DeleteAsync($"/api/wasm/modules/{Id(module)}", Token);
        var run = await ApiCalls.ExecuteAsync(user.Client, Id(module), new { });

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        await ApiCalls.AssertProblemAsync(run, HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task DeleteModule_ArtifactForgotten_OtherCopyStillRuns_NoneLeftAfterTheLast()
    {
        using var user = await _app.CreateUserAsync();
        var unique = WasmWizard.Tests.Shared.Wat.Compile(WasmWizard.Tests.Shared.Wat.Command(
            WasmWizard.Tests.Shared.Wat.Data(300, "CUSTOMER-SECRET-" + Guid.NewGuid().ToString("N"))
            + """(func (export "_start"))"""));
        var first = await ApiCalls.UploadAsync(user.Client, unique, "secret.wasm");
        var second = await ApiCalls.UploadAsync(user.Client, unique, "secret-again.wasm");
        var sha256 = first.GetProperty("sha256").GetString()!;
        var compiled = Path.Combine(_app.DataDirectory, "compiled");
        Assert.Single(Directory.GetFiles(compiled, sha256 + "-*.cwasm"));

        // The artifact goes before the module, so a delete that cannot reach the executor changes nothing; the
        // other copy recompiles on its next run.
        await user.Client.DeleteAsync($"/api/wasm/modules/{Id(first)}", Token);
        var secondRun = await ApiCalls.ExecuteAsync(user.Client, Id(second), new { });
        Assert.Equal(HttpStatusCode.OK, secondRun.StatusCode);
        await user.Client.DeleteAsync($"/api/wasm/modules/{Id(second)}", Token);

        Assert.Empty(Directory.GetFiles(compiled, sha256 + "-*"));
        var rerun = await user.Client.PostAsync("/api/wasm/execute", ApiCalls.ModuleForm(unique), Token);
        Assert.Equal(HttpStatusCode.OK, rerun.StatusCode);
    }

    [Fact]
    public async Task ListModules_Paging_HasNextAndTotals()
    {
        using var user = await _app.CreateUserAsync();
        for (var i = 0; i < 3; i++)
        {
            await ApiCalls.UploadAsync(user.Client, TestModules.Hello, $"m{i}.wasm");
        }

        var first = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/wasm/modules?page=1&limit=2", Token));
        var second = await ApiCalls.BodyAsync(await user.Client.GetAsync("/api/wasm/modules?page=2&limit=2", Token));

        Assert.Equal(2, first.GetProperty("modules").GetArrayLength());
        Assert.True(first.GetProperty("has_next").GetBoolean());
        Assert.Equal(3, first.GetProperty("total").GetInt64());
        Assert.Equal(1, second.GetProperty("modules").GetArrayLength());
        Assert.False(second.GetProperty("has_next").GetBoolean());
        Assert.Equal("m2.wasm", first.GetProperty("modules")[0].GetProperty("name").GetString());
    }

    private static Guid Id(System.Text.Json.JsonElement module) => Guid.Parse(module.GetProperty("id").GetString()!);
}
