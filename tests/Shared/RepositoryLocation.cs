namespace WasmWizard.Tests.Shared;

/// <summary>The repository root (the folder holding WasmWizard.sln), found from the test binaries.</summary>
public static class RepositoryLocation
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "WasmWizard.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests do not run inside the repository: WasmWizard.sln not found.");
    }
}
