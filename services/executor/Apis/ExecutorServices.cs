using WasmWizard.Executor.Hosting;
using WasmWizard.Executor.Sandbox;

namespace WasmWizard.Executor.Apis;

/// <summary>What the internal endpoints need.</summary>
internal sealed record ExecutorServices(SandboxService Sandbox, ExecutorRequestLimits Limits);
