using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// The one place the Wasmtime configuration is written down. The executor and its compiler process build their
/// engines here, so an artifact the compiler writes is one the executor's engine accepts.
/// </summary>
internal static class EngineConfiguration
{
    /// <summary>A configuration for <paramref name="settings"/> with room for <paramref name="poolSlots"/> instances.</summary>
    public static Config Create(SandboxOptions settings, int poolSlots)
    {
        var config = new Config()
            .WithEpochInterruption(true)
            .WithFuelConsumption(settings.EnableFuel)
            .WithMaximumStackSize(settings.MaxWasmStackBytes)
            // Our feature set: everything a WASI command compiled by today's toolchains uses, and nothing that
            // changes the memory model (threads, memory64, multi-memory) or that we do not instrument (GC, EH).
            .WithWasmThreads(false)
            .WithMemory64(false)
            .WithMultiMemory(false)
            .WithGc(false)
            .WithFunctionReferences(false)
            .WithExceptions(false)
            .WithWideArithmetic(false)
            .WithComponentModel(false)
            .WithBulkMemory(true)
            .WithReferenceTypes(true)
            .WithMultiValue(true)
            .WithSIMD(true)
            .WithRelaxedSIMD(true, false)
            .WithTailCalls(true);

        if (settings.UsePoolingAllocator)
        {
            // The pool's per-module limits also decide at compile time whether a module fits at all.
            using var pooling = new PoolingAllocationConfig()
                .WithTotalComponentInstances(0)
                .WithMaxCoreInstances((uint)poolSlots * (uint)settings.MaxInstances)
                .WithMaxMemories((uint)poolSlots)
                .WithMaxTables((uint)(poolSlots * settings.MaxTables))
                .WithMaxTablesPerModule((uint)settings.MaxTables)
                .WithMaxMemoriesPerModule(1)
                .WithMaxTableElements((nuint)settings.MaxTableElements)
                .WithMaxMemorySize((nuint)settings.MaxMemoryBytes)
                .WithLinearMemoryKeepResidentBytes((nuint)settings.PoolKeepResidentBytes)
                .WithTableKeepResidentBytes((nuint)settings.PoolKeepResidentBytes);
            config.WithPoolingAllocationStrategy(pooling);
        }

        return config;
    }

    /// <summary>
    /// Identifies the Wasmtime build and the settings that shape compiled code; an artifact is reused only by an
    /// engine with the same fingerprint.
    /// </summary>
    public static string Fingerprint(SandboxOptions settings)
    {
        var wasmtime = typeof(Engine).Assembly;
        var version = wasmtime.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? wasmtime.GetName().Version?.ToString() ?? "unknown";
        var description = string.Join(
            ';',
            "wasmtime=" + version,
            "arch=" + RuntimeInformation.ProcessArchitecture,
            "fuel=" + settings.EnableFuel,
            "stack=" + settings.MaxWasmStackBytes,
            "pooling=" + settings.UsePoolingAllocator,
            "tables=" + settings.MaxTables + "x" + settings.MaxTableElements,
            "memory=" + settings.MaxMemoryBytes,
            "features=simd,relaxed-simd,bulk-memory,reference-types,multi-value,tail-call",
            "instrumentation=" + CompiledModule.InstrumentationVersion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(description)));
    }
}
