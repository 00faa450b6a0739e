using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The execution contract on the Dapr state store.</summary>
public sealed class DaprExecutionStoreTests() : ExecutionStoreContract(async () => await DaprBackend.StartAsync());
