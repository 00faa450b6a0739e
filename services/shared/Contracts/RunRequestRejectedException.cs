namespace WasmWizard.Shared.Contracts;

/// <summary>The executor refused a run request before starting it (input, args or env beyond its limits).</summary>
public sealed class RunRequestRejectedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RunRequestRejectedException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>A stable machine-readable reason.</summary>
    public string Code { get; }
}
