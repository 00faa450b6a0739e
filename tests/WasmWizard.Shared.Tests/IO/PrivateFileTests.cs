using WasmWizard.Shared.IO;

namespace WasmWizard.Shared.Tests.IO;

/// <summary>Database files start private: their folder and the file itself are the owner's only.</summary>
public sealed class PrivateFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ww-private-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void EnsureExists_Missing_CreatesOwnerOnlyFolderAndFile()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix permissions only.");
        var path = Path.Combine(_root, "nested", "data.db");

        PrivateFile.EnsureExists(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void EnsureExists_Present_LeavesTheFileAsItIs()
    {
        var path = Path.Combine(_root, "data.db");
        File.WriteAllText(path, "kept");

        PrivateFile.EnsureExists(path);

        Assert.Equal("kept", File.ReadAllText(path));
    }
}
