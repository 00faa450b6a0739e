using System.Text;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

public sealed class CompileBudgetTests
{
    [Fact]
    public async Task Prepare_CompileLongerThanBudget_RefusedWithCompileTimeout()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:CompileTimeoutMs"] = "1" });
        var functions = new StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            functions.Append(FormattableString.Invariant(
                $"(func $f{i} (param i32) (result i32) (i32.mul (i32.add (local.get 0) (i32.const {i})) (i32.const 3)))\n"));
        }

        var big = Wat.Compile(Wat.Command(functions + """(func (export "_start"))"""));

        var error = await Assert.ThrowsAsync<ModuleRejectedException>(
            () => harness.Sandbox.PrepareModuleAsync(big, null, TestContext.Current.CancellationToken));

        Assert.Equal(ModuleRejectionCodes.CompileTimeout, error.Code);
    }
}
