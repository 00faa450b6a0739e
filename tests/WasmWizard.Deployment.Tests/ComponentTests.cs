using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// The Components under <c>components/</c> against the names and types the code uses (<see cref="DaprNames"/>), as
/// each app's sidecar loads them through <c>dapr.yaml</c>.
/// </summary>
public sealed class ComponentTests
{
    [Fact]
    public void Resources_EveryYamlFile_ParsesWithKindAndName()
    {
        var problems = new Problems();
        foreach (var error in DaprResources.ParseErrors)
        {
            problems.Add(error, "(file)", "not valid YAML");
        }

        foreach (var resource in DaprResources.All)
        {
            problems.Check(resource.ApiVersion is { Length: > 0 }, resource.Where, "apiVersion", "missing");
            problems.Check(resource.Kind is { Length: > 0 }, resource.Where, "kind", "missing");
            problems.Check(
                resource.Name is { Length: > 0 } name
                    && !name.Contains('/')
                    && !name.Contains('%')
                    && name is not "." and not "..",
                resource.Where,
                "metadata.name",
                $"\"{resource.Name}\" is missing or not a valid name; daprd skips the resource");
        }

        problems.Check(DaprResources.All.Count > 0, DaprResources.Folder, "(folder)", "holds no Dapr YAML");
        problems.AssertNone();
    }

    [Fact]
    public void Components_Every_HasTypeVersionAndKnownScopes()
    {
        var problems = new Problems();
        foreach (var component in DaprResources.OfKind("Component"))
        {
            problems.Check(
                component.ApiVersion == "dapr.io/v1alpha1",
                component.Where,
                "apiVersion",
                "must be dapr.io/v1alpha1");
            problems.Check(component.Type is { Length: > 0 }, component.Where, "spec.type", "missing");
            problems.Check(
                component.Spec.Scalar("version") is { Length: > 0 },
                component.Where,
                "spec.version",
                "missing");
            CheckScopes(problems, component);
        }

        foreach (var resiliency in DaprResources.OfKind("Resiliency"))
        {
            CheckScopes(problems, resiliency);
        }

        problems.AssertNone();
    }

    [Fact]
    public void Components_EachApp_LoadsTheNamesTheCodeUses()
    {
        var run = RunFile.Load();
        var problems = new Problems();
        foreach (var app in run.Apps.Where(a => a.AppId is not null))
        {
            var components = run.ResourcesOf(app).Where(r => r.Kind == "Component").ToList();
            foreach (var twice in components.GroupBy(c => c.Name).Where(g => g.Count() > 1))
            {
                problems.Add(
                    RunFile.FileName,
                    $"{app.Key}.resourcesPaths",
                    $"loads component {twice.Key} {twice.Count()} times "
                        + $"({string.Join(", ", twice.Select(c => c.File))})");
            }

            var needsState = app.AppId is DaprNames.ApiAppId or DaprNames.ExecutorAppId;
            CheckLoaded(problems, app, components, DaprNames.PubSub, "pubsub.");
            if (needsState)
            {
                CheckLoaded(problems, app, components, DaprNames.StateStore, "state.");
            }

            var actorStores = components.Count(c => c.Type?.StartsWith("state.", StringComparison.Ordinal) == true
                && c.MetadataValue("actorStateStore") == "true");
            problems.Check(
                app.AppId == DaprNames.ApiAppId ? actorStores == 1 : actorStores <= 1,
                RunFile.FileName,
                app.Key,
                $"loads {actorStores} actor state stores; an app may have one, and the api (host of "
                    + $"{DaprNames.RateLimitActorType}) needs exactly one");
        }

        problems.AssertNone();
    }

    [Fact]
    public void StateStore_EveryVariant_SharesKeysAndHoldsActors()
    {
        var problems = new Problems();
        var variants = DaprResources.OfKind("Component").Where(c => c.Name == DaprNames.StateStore).ToList();
        problems.Check(
            variants.Count > 0,
            DaprResources.Folder,
            "metadata.name",
            $"no component named {DaprNames.StateStore}");
        foreach (var store in variants)
        {
            problems.Check(
                store.Type?.StartsWith("state.", StringComparison.Ordinal) == true,
                store.Where,
                "spec.type",
                $"\"{store.Type}\" is not a state store");
            problems.Check(
                store.MetadataValue("keyPrefix") == "name",
                store.Where,
                "spec.metadata[keyPrefix]",
                "must be \"name\": with the default (app id) the executor cannot read the module bytes the api wrote");
            problems.Check(
                store.MetadataValue("actorStateStore") == "true",
                store.Where,
                "spec.metadata[actorStateStore]",
                "must be \"true\": the api hosts actors");
            foreach (var appId in new[] { DaprNames.ApiAppId, DaprNames.ExecutorAppId })
            {
                problems.Check(store.Scopes.Contains(appId), store.Where, "scopes", $"must include {appId}");
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void PubSub_Streams_AreBoundedAndOneGroupPerApp()
    {
        var problems = new Problems();
        var pubsubs = DaprResources.OfKind("Component").Where(c => c.Name == DaprNames.PubSub).ToList();
        problems.Check(
            pubsubs.Count > 0,
            DaprResources.Folder,
            "metadata.name",
            $"no component named {DaprNames.PubSub}");
        foreach (var pubsub in pubsubs)
        {
            problems.Check(
                pubsub.Type?.StartsWith("pubsub.", StringComparison.Ordinal) == true,
                pubsub.Where,
                "spec.type",
                $"\"{pubsub.Type}\" is not a pub/sub");
            foreach (var appId in KnownApps.Ids)
            {
                problems.Check(
                    pubsub.Scopes.Contains(appId),
                    pubsub.Where,
                    "scopes",
                    $"must include {appId}: every service publishes");
            }

            var consumer = pubsub.MetadataValue("consumerID");
            problems.Check(
                consumer is null || consumer.Contains("{appID}", StringComparison.Ordinal),
                pubsub.Where,
                "spec.metadata[consumerID]",
                $"\"{consumer}\" puts every app in one consumer group, splitting each topic's events between them");

            if (pubsub.Type != "pubsub.redis")
            {
                continue;
            }

            var ttl = pubsub.MetadataValue("streamTTL");
            var maxLen = pubsub.MetadataValue("maxLenApprox");
            problems.Check(
                (ttl is null) != (maxLen is null),
                pubsub.Where,
                "spec.metadata[streamTTL|maxLenApprox]",
                "set exactly one: without either the streams grow forever, and the two do not combine");
            problems.Check(
                ttl is null || GoDuration.TryParse(ttl) > TimeSpan.Zero,
                pubsub.Where,
                "spec.metadata[streamTTL]",
                $"\"{ttl}\" is not a positive Go duration (no \"d\" unit)");
            foreach (var key in new[] { "processingTimeout", "redeliverInterval" })
            {
                var value = pubsub.MetadataValue(key);
                problems.Check(
                    value is not null && GoDuration.TryParse(value) > TimeSpan.Zero,
                    pubsub.Where,
                    $"spec.metadata[{key}]",
                    $"\"{value ?? "(unset)"}\" must be set to a positive Go duration (0 turns redelivery off)");
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void Subscriptions_AuditTopic_IsOnlySubscribedInCode()
    {
        var problems = new Problems();
        foreach (var subscription in DaprResources.OfKind("Subscription"))
        {
            problems.Check(
                subscription.Spec.Scalar("topic") != DaprNames.AuditTopic,
                subscription.Where,
                "spec.topic",
                $"the audit service subscribes to {DaprNames.AuditTopic} in code (MapSubscribeHandler); a declarative "
                    + "Subscription would deliver every event twice");
            problems.Check(
                subscription.Scopes.Count > 0,
                subscription.Where,
                "scopes",
                "unscoped: every app would subscribe");
        }

        problems.AssertNone();
    }

    private static void CheckScopes(Problems problems, DaprResource resource)
    {
        problems.Check(
            resource.Scopes.Count > 0,
            resource.Where,
            "scopes",
            "missing or empty: every app would load it");
        foreach (var scope in resource.Scopes.Where(s => !KnownApps.Ids.Contains(s)))
        {
            problems.Add(
                resource.Where,
                "scopes",
                $"\"{scope}\" is not an app id the code knows ({string.Join(", ", KnownApps.Ids)})");
        }
    }

    private static void CheckLoaded(
        Problems problems,
        RunFileApp app,
        IReadOnlyList<DaprResource> components,
        string name,
        string typePrefix)
    {
        var found = components.FirstOrDefault(c => c.Name == name);
        problems.Check(
            found is not null,
            RunFile.FileName,
            $"{app.Key}.resourcesPaths",
            $"no component {name} reaches this app (missing, or not scoped to it)");
        problems.Check(
            found is null || found.Type?.StartsWith(typePrefix, StringComparison.Ordinal) == true,
            found?.Where ?? RunFile.FileName,
            "spec.type",
            $"{name} must be a {typePrefix}* component, not {found?.Type}");
    }
}
