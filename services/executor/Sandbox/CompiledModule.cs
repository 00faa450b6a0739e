using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>A module compiled for this engine, shared by every run of the same bytes.</summary>
internal sealed class CompiledModule(
    string sha256, Module module, long initialMemoryBytes, long maximumMemoryPages, long artifactBytes, bool tracksGrowFailures)
{
    /// <summary>Bumped whenever the instrumentation changes, so old artifacts are not reused.</summary>
    public const int InstrumentationVersion = 2;

    public string Sha256 => sha256;

    public Module Module => module;

    /// <summary>Linear memory the module needs before it runs a single instruction.</summary>
    public long InitialMemoryBytes => initialMemoryBytes;

    /// <summary>The most pages the module's memory may ever have: its declared maximum, or what 32 bits address.</summary>
    public long MaximumMemoryPages => maximumMemoryPages;

    /// <summary>Size of the compiled artifact, a fair measure of the native memory the module holds.</summary>
    public long ArtifactBytes => artifactBytes;

    /// <summary>Whether the module was instrumented to record refused <c>memory.grow</c> calls.</summary>
    public bool TracksGrowFailures => tracksGrowFailures;
}
