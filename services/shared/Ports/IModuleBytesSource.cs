namespace WasmWizard.Shared.Ports;

/// <summary>Where the executor finds the bytes of a stored module it has not compiled yet.</summary>
public interface IModuleBytesSource
{
    /// <summary>Returns the module whose SHA-256 is <paramref name="sha256"/>, or null when no such module is stored.</summary>
    Task<byte[]?> GetModuleBytesAsync(string sha256, CancellationToken cancellationToken);
}
