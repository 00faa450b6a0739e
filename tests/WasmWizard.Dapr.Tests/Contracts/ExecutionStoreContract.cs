using WasmWizard.Dapr.Tests.Infrastructure;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>What every <see cref="Shared.Ports.IExecutionStore"/> must do, as the SQLite store does it.</summary>
public abstract class ExecutionStoreContract(Func<Task<StorageBackend>> start) : StoreContract(start)
{
    [Fact]
    public async Task Add_NewRuns_AreAccepted()
    {
        var user = User();
        var module = Module(user.Id, Bytes(1));

        await Backend.Executions.AddAsync(Execution(user.Id, module), Token);
        await Backend.Executions.AddAsync(Execution(user.Id, module) with { ModuleId = null, ExitCode = null }, Token);
    }

    [Fact]
    public async Task Add_SameIdTwice_IsRefused()
    {
        var user = User();
        var run = Execution(user.Id, Module(user.Id, Bytes(1)));
        await Backend.Executions.AddAsync(run, Token);

        await Assert.ThrowsAnyAsync<Exception>(
            () => Backend.Executions.AddAsync(run with { Outcome = "timeout" }, Token));
    }
}
