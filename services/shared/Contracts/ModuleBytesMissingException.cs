namespace WasmWizard.Shared.Contracts;

/// <summary>
/// A run named a stored module whose bytes are nowhere to be found (deleted meanwhile, or never stored). Both hosts
/// throw this one type, so the api treats the race alike whichever executor it has. Still an
/// <see cref="InvalidOperationException"/>: for the api it is not the caller's mistake but a store out of step.
/// </summary>
public sealed class ModuleBytesMissingException : InvalidOperationException
{
    /// <summary>Creates the exception for the module <paramref name="sha256"/>.</summary>
    public ModuleBytesMissingException(string sha256)
        : base($"No bytes are stored for module {sha256}.")
    {
        Sha256 = sha256;
    }

    /// <summary>The module whose bytes are missing.</summary>
    public string Sha256 { get; }
}
