using Wasmtime;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Decides whether bytes are a WASI command we run: a valid core module in our feature set, importing only
/// <c>wasi_snapshot_preview1</c> functions with the right signatures, exporting <c>_start</c> and <c>memory</c>.
/// Each refusal names what is wrong.
/// </summary>
internal static class ModuleValidator
{
    private static readonly byte[] Magic = [0x00, 0x61, 0x73, 0x6d];

    /// <summary>Checks the header: magic number, then core module (version 1) rather than a component.</summary>
    public static void CheckHeader(ReadOnlySpan<byte> bytes, long maxBytes)
    {
        if (bytes.Length > maxBytes)
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.ModuleTooLarge,
                $"The module is {bytes.Length} bytes; the limit is {maxBytes} bytes.");
        }

        if (bytes.Length < 8 || !bytes[..4].SequenceEqual(Magic))
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.NotWasm,
                "The file is not WebAssembly: it does not start with the \\0asm magic number.");
        }

        // Core modules carry version 1 with layer 0; components carry a different version and layer 1.
        if (bytes[4] == 0x01 && bytes[5] == 0x00 && bytes[6] == 0x00 && bytes[7] == 0x00)
        {
            return;
        }

        if (bytes[6] == 0x01 && bytes[7] == 0x00)
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.ComponentNotSupported,
                "The file is a WebAssembly component; only core WebAssembly modules (WASI preview1 commands) can run.");
        }

        throw new ModuleRejectedException(
            ModuleRejectionCodes.InvalidModule,
            $"Unsupported WebAssembly binary version {bytes[4]:x2} {bytes[5]:x2} {bytes[6]:x2} {bytes[7]:x2}.");
    }

    /// <summary>Runs Wasmtime's validator with our feature set; names the feature when that is the reason.</summary>
    public static void Validate(Engine engine, ReadOnlySpan<byte> bytes)
    {
        var error = Module.Validate(engine, bytes);
        if (error is null)
        {
            return;
        }

        var feature = DisabledFeature(error);
        if (feature is not null)
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.UnsupportedFeature,
                $"The module uses {feature}, which this service does not support ({error}).");
        }

        throw new ModuleRejectedException(ModuleRejectionCodes.InvalidModule, $"The module is not valid: {error}.");
    }

    /// <summary>Checks imports and exports of a compiled module against the WASI command contract.</summary>
    public static void CheckInterface(Module module)
    {
        foreach (var import in module.Imports)
        {
            var name = $"{import.ModuleName}::{import.Name}";
            if (import.ModuleName != WasiPreview1.ModuleName)
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.UnsupportedImport,
                    $"Unknown import {name}: only {WasiPreview1.ModuleName} functions can be imported.");
            }

            if (import is not FunctionImport function)
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.UnsupportedImport,
                    $"Unsupported import {name}: it is a {KindOf(import)}, and only functions can be imported.");
            }

            if (!WasiPreview1.Functions.TryGetValue(import.Name, out var expected))
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.UnsupportedImport,
                    $"Unknown import {name}: {WasiPreview1.ModuleName} has no such function.");
            }

            if (!function.Parameters.SequenceEqual(expected.Parameters) || !function.Results.SequenceEqual(expected.Results))
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.ImportSignatureMismatch,
                    $"Import {name} is declared as {WasiPreview1.Describe(function.Parameters, function.Results)}, "
                    + $"but WASI defines it as {WasiPreview1.Describe(expected.Parameters, expected.Results)}.");
            }
        }

        var start = module.Exports.FirstOrDefault(e => e.Name == "_start");
        if (start is not FunctionExport startFunction)
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.MissingStart,
                "The module exports no _start function, so it is not a WASI command.");
        }

        if (startFunction.Parameters.Count != 0 || startFunction.Results.Count != 0)
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.MissingStart,
                $"The module's _start is {WasiPreview1.Describe(startFunction.Parameters, startFunction.Results)}; "
                + "a WASI command's _start takes nothing and returns nothing.");
        }

        if (module.Exports.FirstOrDefault(e => e.Name == "memory") is not MemoryExport)
        {
            throw new ModuleRejectedException(
                ModuleRejectionCodes.MissingMemory,
                "The module exports no memory named \"memory\", which WASI needs to exchange data with it.");
        }
    }

    private static string KindOf(Import import) => import switch
    {
        MemoryImport => "memory",
        TableImport => "table",
        GlobalImport => "global",
        _ => "non-function item",
    };

    private static string? DisabledFeature(string error)
    {
        var text = error.ToLowerInvariant();
        if (text.Contains("shared memor", StringComparison.Ordinal) || text.Contains("threads", StringComparison.Ordinal)
            || text.Contains("atomic", StringComparison.Ordinal))
        {
            return "threads / shared memory";
        }

        if (text.Contains("memory64", StringComparison.Ordinal) || text.Contains("64-bit memor", StringComparison.Ordinal))
        {
            return "memory64";
        }

        if (text.Contains("multiple memories", StringComparison.Ordinal) || text.Contains("multi-memory", StringComparison.Ordinal))
        {
            return "multi-memory";
        }

        if (text.Contains("gc feature", StringComparison.Ordinal) || text.Contains("gc proposal", StringComparison.Ordinal))
        {
            return "garbage collection (GC)";
        }

        if (text.Contains("exception", StringComparison.Ordinal))
        {
            return "exception handling";
        }

        if (text.Contains("function references", StringComparison.Ordinal)
            || text.Contains("function-references", StringComparison.Ordinal))
        {
            return "typed function references";
        }

        if (text.Contains("not enabled", StringComparison.Ordinal) || text.Contains("must be enabled", StringComparison.Ordinal)
            || text.Contains("proposal", StringComparison.Ordinal))
        {
            return "a WebAssembly proposal that is switched off here";
        }

        return null;
    }
}
