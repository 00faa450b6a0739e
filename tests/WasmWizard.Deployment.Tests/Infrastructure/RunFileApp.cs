using WasmWizard.Tests.Shared;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>One entry of <c>apps</c> in <c>dapr.yaml</c>.</summary>
/// <param name="Index">Its place in the list, from 0.</param>
/// <param name="Node">Its mapping.</param>
/// <param name="Common">The file's <c>common</c> section, whose values an app inherits where it sets none.</param>
public sealed record RunFileApp(int Index, YamlMappingNode Node, YamlMappingNode? Common)
{
    /// <summary>The <c>appID</c>, or null.</summary>
    public string? AppId => Node.Scalar("appID");

    /// <summary>How failure messages name the app: <c>apps[i]</c> and its id.</summary>
    public string Key => $"apps[{Index}]" + (AppId is null ? "" : $" ({AppId})");

    /// <summary>The app's folder, absolute: <c>appDirPath</c> is relative to <c>dapr.yaml</c>.</summary>
    public string DirPath => Path.GetFullPath(Path.Combine(RepositoryLocation.Root, Node.Scalar("appDirPath") ?? ""));

    /// <summary>A shared setting as the CLI merges it: the app's own value, else <c>common</c>'s.</summary>
    public string? Shared(string key) => Node.Scalar(key) is { Length: > 0 } own ? own : Common.Scalar(key);
}
