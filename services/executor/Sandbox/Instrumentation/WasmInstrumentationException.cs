namespace WasmWizard.Executor.Sandbox.Instrumentation;

/// <summary>
/// Thrown when <see cref="ModuleInstrumenter"/> meets a module it cannot decode or safely rewrite:
/// truncated or malformed data, an opcode outside the supported feature set, or a reserved export name.
/// </summary>
internal sealed class WasmInstrumentationException : Exception
{
    /// <summary>Creates the exception with a message that names the problem and, where known, its offset.</summary>
    public WasmInstrumentationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the failure that caused it.</summary>
    public WasmInstrumentationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
