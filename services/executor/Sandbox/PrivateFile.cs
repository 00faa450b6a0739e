namespace WasmWizard.Executor.Sandbox;

/// <summary>Creates files only the service's own user can read: they hold user input or compiled code.</summary>
internal static class PrivateFile
{
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
