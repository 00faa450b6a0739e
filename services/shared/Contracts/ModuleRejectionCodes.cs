namespace WasmWizard.Shared.Contracts;

/// <summary>The machine codes of a module refusal.</summary>
public static class ModuleRejectionCodes
{
    /// <summary>The bytes do not start with the WebAssembly magic number.</summary>
    public const string NotWasm = "not_wasm";

    /// <summary>The bytes are a WebAssembly component, not a core module.</summary>
    public const string ComponentNotSupported = "component_not_supported";

    /// <summary>The binary is malformed or does not validate.</summary>
    public const string InvalidModule = "invalid_module";

    /// <summary>The module uses a feature outside the service's set (threads, memory64, multi-memory, ...).</summary>
    public const string UnsupportedFeature = "unsupported_feature";

    /// <summary>The module imports something that is not a <c>wasi_snapshot_preview1</c> function.</summary>
    public const string UnsupportedImport = "unsupported_import";

    /// <summary>The module imports a WASI function with the wrong signature.</summary>
    public const string ImportSignatureMismatch = "import_signature_mismatch";

    /// <summary>The module has no <c>_start: () -> ()</c> export.</summary>
    public const string MissingStart = "missing_start";

    /// <summary>The module exports no memory named <c>memory</c>.</summary>
    public const string MissingMemory = "missing_memory";

    /// <summary>The module is larger than the configured maximum.</summary>
    public const string ModuleTooLarge = "module_too_large";

    /// <summary>The module declares more than this service allows (tables, table elements, memory).</summary>
    public const string ExceedsLimits = "exceeds_limits";

    /// <summary>Compiling the module took longer than its time budget.</summary>
    public const string CompileTimeout = "compile_timeout";
}
