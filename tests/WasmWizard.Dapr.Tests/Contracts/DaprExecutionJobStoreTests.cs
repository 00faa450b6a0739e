using WasmWizard.Dapr.Tests.Infrastructure;
using static WasmWizard.Dapr.Tests.Infrastructure.TestData;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The asynchronous execution contract on the Dapr state store.</summary>
public sealed class DaprExecutionJobStoreTests()
    : ExecutionJobStoreContract(async () => await DaprBackend.StartAsync())
{
    [Fact]
    public async Task Refuse_KeepsTheRefusalCode_SoARedeliveryIsAnsweredAlike()
    {
        var job = Job(NextId(), NextId());
        Assert.True((await Backend.Jobs.CreateAsync(job, Token)).Created);

        await Backend.Jobs.RefuseAsync(job.Id, "rate_limited", Result("rejected", null), T0.AddSeconds(1), Token);

        Assert.Equal("rate_limited", (await Backend.Jobs.GetAsync(job.TenantId, job.Id, Token))!.RefusalCode);
    }
}
