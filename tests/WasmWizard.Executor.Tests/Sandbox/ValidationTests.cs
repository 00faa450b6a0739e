using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

/// <summary>Every refusal at upload names its reason with a stable code.</summary>
public sealed class ValidationTests : IDisposable
{
    private readonly SandboxHarness _harness = new(new Dictionary<string, string?> { ["Sandbox:MaxModuleBytes"] = "4096" });

    public void Dispose() => _harness.Dispose();

    public static TheoryData<string, string, string> RefusedModules => new()
    {
        {
            "threads",
            """(module (memory (export "memory") 1 1 shared) (func (export "_start")))""",
            ModuleRejectionCodes.UnsupportedFeature
        },
        {
            "memory64",
            """(module (memory (export "memory") i64 1) (func (export "_start")))""",
            ModuleRejectionCodes.UnsupportedFeature
        },
        {
            "multi-memory",
            """(module (memory (export "memory") 1) (memory 1) (func (export "_start")))""",
            ModuleRejectionCodes.UnsupportedFeature
        },
        {
            "wasi_unstable",
            """
            (module (import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1) (func (export "_start")))
            """,
            ModuleRejectionCodes.UnsupportedImport
        },
        {
            "unknown WASI function",
            """
            (module (import "wasi_snapshot_preview1" "fd_teleport" (func (param i32) (result i32)))
              (memory (export "memory") 1) (func (export "_start")))
            """,
            ModuleRejectionCodes.UnsupportedImport
        },
        {
            "imported memory",
            """(module (import "mod" "mem" (memory 1)) (func (export "_start")))""",
            ModuleRejectionCodes.UnsupportedImport
        },
        {
            "mistyped import",
            """
            (module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
              (memory (export "memory") 1) (func (export "_start")))
            """,
            ModuleRejectionCodes.ImportSignatureMismatch
        },
        {
            "no _start",
            """(module (memory (export "memory") 1) (func (export "main")))""",
            ModuleRejectionCodes.MissingStart
        },
        {
            "_start with a result",
            """(module (memory (export "memory") 1) (func (export "_start") (result i32) (i32.const 0)))""",
            ModuleRejectionCodes.MissingStart
        },
        {
            "no exported memory",
            """(module (memory 1) (func (export "_start")))""",
            ModuleRejectionCodes.MissingMemory
        },
    };

    [Theory]
    [MemberData(nameof(RefusedModules))]
    public async Task Prepare_ModuleOutsideContract_RefusedWithCode(string what, string wat, string code)
    {
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(
            () => _harness.Sandbox.PrepareModuleAsync(Wat.Compile(wat), null, TestContext.Current.CancellationToken));

        Assert.True(error.Code == code, $"{what}: expected {code}, got {error.Code} ({error.Message})");
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public async Task Prepare_UnknownImport_MessageNamesIt()
    {
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(() => _harness.Sandbox.PrepareModuleAsync(
            Wat.Compile("""
                (module (import "wasi_unstable" "fd_prestat_get" (func (param i32 i32) (result i32)))
                  (memory (export "memory") 1) (func (export "_start")))
                """),
            tenant: null, TestContext.Current.CancellationToken));

        Assert.Contains("wasi_unstable::fd_prestat_get", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_MistypedImport_MessageGivesBothSignatures()
    {
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(() => _harness.Sandbox.PrepareModuleAsync(
            Wat.Compile("""
                (module (import "wasi_snapshot_preview1" "proc_exit" (func (param i64)))
                  (memory (export "memory") 1) (func (export "_start")))
                """),
            tenant: null, TestContext.Current.CancellationToken));

        Assert.Contains("(i64) -> ()", error.Message, StringComparison.Ordinal);
        Assert.Contains("(i32) -> ()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prepare_FeatureOutsideSet_MessageNamesFeature()
    {
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(() => _harness.Sandbox.PrepareModuleAsync(
            Wat.Compile("""(module (memory (export "memory") 1 1 shared) (func (export "_start")))"""),
            tenant: null, TestContext.Current.CancellationToken));

        Assert.Contains("threads", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { }, ModuleRejectionCodes.NotWasm)]
    [InlineData(new byte[] { 0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0 }, ModuleRejectionCodes.NotWasm)]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00 }, ModuleRejectionCodes.ComponentNotSupported)]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00 }, ModuleRejectionCodes.InvalidModule)]
    [InlineData(new byte[] { 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff }, ModuleRejectionCodes.InvalidModule)]
    public async Task Prepare_BadBytes_RefusedWithCode(byte[] bytes, string code)
    {
        var error = await Assert.ThrowsAsync<ModuleRejectedException>(
            () => _harness.Sandbox.PrepareModuleAsync(bytes, null, TestContext.Current.CancellationToken));

        Assert.Equal(code, error.Code);
    }

    [Fact]
    public async Task Prepare_LargerThanLimit_RefusedAsTooLarge()
    {
        var big = Wat.Compile($$"""
            (module (memory (export "memory") 1) (data (i32.const 0) "{{new string('x', 5000)}}") (func (export "_start")))
            """);

        var error = await Assert.ThrowsAsync<ModuleRejectedException>(
            () => _harness.Sandbox.PrepareModuleAsync(big, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModuleRejectionCodes.ModuleTooLarge, error.Code);
    }

    [Fact]
    public async Task Run_AdHocModuleRefused_ThrowsBeforeRunning()
    {
        await Assert.ThrowsAsync<ModuleRejectedException>(
            () => _harness.RunWatAsync("""(module (memory 1) (func (export "_start")))"""));
    }
}
