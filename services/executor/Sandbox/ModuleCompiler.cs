using Wasmtime;
using WasmWizard.Executor.Sandbox.Instrumentation;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.IO;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Turns user bytes into a compiled artifact: checks, validation, instrumentation, compilation, interface checks.
/// It runs inside the compiler process, where a compile that takes too long or too much memory can be killed
/// without harming the executor.
/// </summary>
internal static class ModuleCompiler
{
    /// <summary>
    /// Compiles <paramref name="bytes"/> and writes the artifact to <paramref name="artifactPath"/> (owner-only).
    /// Throws <see cref="ModuleRejectedException"/> for a module outside the contract.
    /// </summary>
    public static void CompileToArtifact(Engine engine, SandboxOptions settings, byte[] bytes, string artifactPath)
    {
        ModuleValidator.CheckHeader(bytes, settings.MaxModuleBytes);
        ModuleValidator.Validate(engine, bytes);

        byte[] toCompile;
        try
        {
            toCompile = ModuleInstrumenter.Instrument(bytes) ?? bytes;
        }
        catch (WasmInstrumentationException e)
        {
            // The module is valid (Wasmtime said so) but uses something the rewriter does not know. Without the
            // rewrite straight-line code could run past its deadline, so such a module is not run at all.
            throw new ModuleRejectedException(
                ModuleRejectionCodes.UnsupportedFeature,
                "The module uses something this service cannot run safely: " + e.Message);
        }

        Module module;
        try
        {
            module = Module.FromBytes(engine, "module", toCompile);
        }
        catch (WasmtimeException e)
        {
            // The bytes validated, so what is left is the engine's own limits (the pooling allocator's slots,
            // Wasmtime's maximum counts).
            throw new ModuleRejectedException(
                ModuleRejectionCodes.ExceedsLimits,
                "The module needs more than this service allows: " + e.Message.Split('\n', 2)[0].Trim());
        }

        using (module)
        {
            ModuleValidator.CheckInterface(module);
            var artifact = module.Serialize();
            using var stream = PrivateFile.CreateNew(artifactPath);
            stream.Write(artifact);
        }
    }
}
