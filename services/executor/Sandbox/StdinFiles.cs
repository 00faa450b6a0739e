using Microsoft.Extensions.Options;
using WasmWizard.Shared.IO;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Wasmtime .NET takes stdin only from a file, so each run's input goes to a private file that lives as long
/// as the run: owner-only permissions in a folder only this process uses.
/// </summary>
internal sealed class StdinFiles : IDisposable
{
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly Lazy<string> _created;

    public StdinFiles(IOptions<SandboxOptions> options)
    {
        _ownsDirectory = options.Value.TempDirectory is null;
        _directory = options.Value.TempDirectory
            ?? Path.Combine(Path.GetTempPath(), $"wasmwizard-{Environment.ProcessId}-{Guid.NewGuid():N}");
        // Created on first use, so a host that never gets stdin leaves nothing behind.
        _created = new Lazy<string>(() =>
        {
            PrivateFile.CreateDirectory(_directory);
            return _directory;
        });
    }

    public string Write(byte[] content)
    {
        var path = Path.Combine(_created.Value, Guid.NewGuid().ToString("N") + ".stdin");
        using var stream = PrivateFile.CreateNew(path);
        stream.Write(content);
        return path;
    }

    public void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the OS temp cleaner; the name is random and the content is owner-only. Never thrown on: the
            // guest thread deletes it after answering, with no caller left to tell.
        }
    }

    public void Dispose()
    {
        if (!_ownsDirectory || !_created.IsValueCreated)
        {
            return;
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort at shutdown.
        }
    }
}
