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

    public StdinFiles(IOptions<SandboxOptions> options)
    {
        _ownsDirectory = options.Value.TempDirectory is null;
        _directory = options.Value.TempDirectory
            ?? Path.Combine(Path.GetTempPath(), $"wasmwizard-{Environment.ProcessId}-{Guid.NewGuid():N}");
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_directory);
        }
        else
        {
            Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Write(byte[] content)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".stdin");
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
        catch (IOException)
        {
            // Left for the OS temp cleaner; the name is random and the content is owner-only.
        }
    }

    public void Dispose()
    {
        if (!_ownsDirectory)
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
