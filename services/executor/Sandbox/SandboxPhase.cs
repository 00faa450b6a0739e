namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// A step of the sandbox's work that is timed and traced on its own. The four instances are the only ones, so the
/// <c>phase</c> label stays bounded and its tag is built once rather than per run.
/// </summary>
public sealed class SandboxPhase
{
    private SandboxPhase(string name)
    {
        Name = name;
        Tag = new KeyValuePair<string, object?>("phase", name);
    }

    /// <summary>Wasmtime's validation of a module's bytes against our feature set.</summary>
    public static SandboxPhase Validate { get; } = new("validate");

    /// <summary>Compiling a module (in the compiler process) and loading its artifact.</summary>
    public static SandboxPhase Compile { get; } = new("compile");

    /// <summary>Instantiating a compiled module in a fresh store, start function included.</summary>
    public static SandboxPhase Instantiate { get; } = new("instantiate");

    /// <summary>Running <c>_start</c>.</summary>
    public static SandboxPhase Run { get; } = new("run");

    /// <summary>The span name and <c>phase</c> label value.</summary>
    public string Name { get; }

    internal KeyValuePair<string, object?> Tag { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
