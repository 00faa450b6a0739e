namespace WasmWizard.Shared.Contracts;

/// <summary>The executor refused a module. <see cref="Code"/> is stable; the message names what is wrong.</summary>
public sealed class ModuleRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModuleRejectedException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A stable machine-readable reason, one of <see cref="ModuleRejectionCodes"/>.</summary>
    public string Code { get; }
}
