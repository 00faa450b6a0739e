using WasmWizard.Dapr.Tests.Infrastructure;

namespace WasmWizard.Dapr.Tests.Contracts;

/// <summary>The identity contract on the Dapr state store.</summary>
public sealed class DaprIdentityStoreTests() : IdentityStoreContract(async () => await DaprBackend.StartAsync());
