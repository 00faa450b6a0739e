namespace WasmWizard.Standalone.Storage;

/// <summary>Where the embedded host keeps its data.</summary>
/// <remarks>
/// Configuration shape (section <c>Storage</c>):
/// <code>"Storage": { "DataDirectory": "data", "DatabaseFileName": "wasmwizard.db" }</code>
/// The compiled-module cache and the admin key file live under <see cref="DataDirectory"/> too unless
/// <c>Sandbox:CompiledCacheDirectory</c> or <c>Api:AdminKeyFile</c> say otherwise.
/// </remarks>
public sealed class StorageOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Storage";

    /// <summary>The data folder, relative to the working directory unless absolute.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The SQLite database file inside <see cref="DataDirectory"/>.</summary>
    public string DatabaseFileName { get; set; } = "wasmwizard.db";

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, DatabaseFileName));
}
