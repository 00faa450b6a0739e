using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The asynchronous execution contract on the Dapr state store.</summary>
public sealed class DaprExecutionJobStoreTests()
    : ExecutionJobStoreContract(async () => await DaprBackend.StartAsync());
