namespace WasmWizard.Shared.IO;

/// <summary>Creates files only the service's own user can read: they hold user input or compiled code.</summary>
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
}
