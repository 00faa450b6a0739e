namespace WasmWizard.Shared.IO;

/// <summary>Files and folders only the service's own user can read: they hold user input or compiled code.</summary>
public static class PrivateFile
{
    /// <summary>Creates <paramref name="path"/> for writing with owner-only permissions; fails if it exists.</summary>
    public static FileStream CreateNew(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        }

        return new FileStream(
            path,
            new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
    }

    /// <summary>Creates <paramref name="path"/> (and missing parents) as a folder only the owner can enter.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>
    /// Makes sure <paramref name="path"/> exists, creating its folder and the empty file owner-only when missing, so
    /// that a database opened there (and the journal files SQLite gives the same permissions) stays private.
    /// </summary>
    public static void EnsureExists(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } directory && !Directory.Exists(directory))
        {
            CreateDirectory(directory);
        }

        if (!File.Exists(path))
        {
            CreateNew(path).Dispose();
        }
    }
}
