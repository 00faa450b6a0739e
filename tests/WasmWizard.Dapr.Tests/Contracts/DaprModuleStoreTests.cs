using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The module contract on the Dapr state store.</summary>
public sealed class DaprModuleStoreTests() : ModuleStoreContract(async () => await DaprBackend.StartAsync());
