using System.Text.Json;
using System.Text.RegularExpressions;
using WasmWizard.Deployment.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// No credential is written in plain text outside the development secrets file, and every secret a component
/// references is there for every app that loads it (a reference to a missing secret stops the sidecar).
/// </summary>
public sealed partial class SecretTests
{
    [Fact]
    public void Metadata_SecretLookingItems_ComeFromTheSecretStore()
    {
        var problems = new Problems();
        foreach (var component in DaprResources.OfKind("Component"))
        {
            foreach (var (name, item) in component.Metadata.Where(m => SecretLooking().IsMatch(m.Key)))
            {
                var plain = item.Scalar("value");
                problems.Check(
                    item.Child("secretKeyRef") is YamlMappingNode
                        || item.Scalar("envRef") is { Length: > 0 }
                        || string.IsNullOrEmpty(plain),
                    component.Where,
                    $"spec.metadata[{name}]",
                    "holds a value in plain text; use secretKeyRef (or envRef) so it lives in the secret store");
            }
        }

        var run = RunFile.Load();
        var envs = run.Apps.Select(a => (a.Key, a.Node.Mapping("env"))).Append(("common", run.Common.Mapping("env")));
        foreach (var (key, env) in envs)
        {
            foreach (var name in env.Keys().Where(n => SecretLooking().IsMatch(n)))
            {
                problems.Add(
                    RunFile.FileName,
                    $"{key}.env.{name}",
                    "a secret in plain text; keep it in the secret store");
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void SecretReferences_EveryKey_IsInTheStoreOfEveryAppThatLoadsIt()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        var stores = DaprResources.OfKind("Component")
            .Where(c => c.Type?.StartsWith("secretstores.", StringComparison.Ordinal) == true)
            .ToList();
        foreach (var component in DaprResources.OfKind("Component"))
        {
            var references = component.Metadata
                .Select(m => (Item: m.Key, Ref: m.Value.Mapping("secretKeyRef")))
                .Where(r => r.Ref is not null)
                .ToList();
            if (references.Count == 0)
            {
                continue;
            }

            var storeName = component.Root.Mapping("auth").Scalar("secretStore");
            var store = stores.FirstOrDefault(s => s.Name == storeName);
            if (store is null)
            {
                problems.Add(
                    component.Where,
                    "auth.secretStore",
                    $"\"{storeName ?? "(unset)"}\" names no secret store component");
                continue;
            }

            foreach (var appId in component.Scopes)
            {
                problems.Check(
                    store.AppliesTo(appId),
                    store.Where,
                    "scopes",
                    $"must include {appId}, which loads {component.Where}");
                if (store.Type != "secretstores.local.file" || run.App(appId) is not { } app)
                {
                    continue;
                }

                var secrets = ReadSecretsFile(problems, store, app);
                foreach (var (item, reference) in references)
                {
                    var name = reference.Scalar("name");
                    var key = reference.Scalar("key") ?? name;
                    problems.Check(
                        name == key,
                        component.Where,
                        $"spec.metadata[{item}].secretKeyRef",
                        $"name {name} and key {key} differ; "
                            + "a local file store answers each name with one key, the name");
                    problems.Check(
                        secrets is null || (name is not null && secrets.Contains(name)),
                        component.Where,
                        $"spec.metadata[{item}].secretKeyRef.name",
                        $"\"{name}\" is not in {store.MetadataValue("secretsFile")} as {appId}'s sidecar reads it; "
                            + "the component would fail to load");
                }
            }
        }

        problems.AssertNone();
    }

    /// <summary>The top-level keys of a local file store's JSON, read from the app's folder like its sidecar.</summary>
    private static HashSet<string>? ReadSecretsFile(Problems problems, DaprResource store, RunFileApp app)
    {
        var relative = store.MetadataValue("secretsFile");
        var path = relative is null ? null : Path.GetFullPath(Path.Combine(app.DirPath, relative));
        if (path is null || !File.Exists(path))
        {
            problems.Add(
                store.Where,
                "spec.metadata[secretsFile]",
                $"\"{relative}\" does not exist seen from {app.AppId}'s working directory "
                    + $"({DaprResources.Relative(app.DirPath)})");
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            problems.Add(DaprResources.Relative(path), "(file)", $"not a JSON object: {e.Message}");
            return null;
        }
    }

    /// <summary>Names of metadata or variables that hold credentials (keyPrefix and the like do not match).</summary>
    [GeneratedRegex("(password|passwd|connectionstring|token|secret|credential|apikey|accesskey|privatekey|clientkey)$",
        RegexOptions.IgnoreCase)]
    private static partial Regex SecretLooking();
}
