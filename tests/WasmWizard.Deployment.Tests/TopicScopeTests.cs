using WasmWizard.Deployment.Tests.Infrastructure;
using WasmWizard.Shared.Dapr;

namespace WasmWizard.Deployment.Tests;

/// <summary>
/// The pub/sub topic ACLs (<c>protectedTopics</c>, <c>publishingScopes</c>, <c>subscriptionScopes</c>) against what
/// the code publishes and subscribes: a topic the code uses but the ACL denies fails at runtime only, with daprd's
/// 403, so it is checked here.
/// </summary>
public sealed class TopicScopeTests
{
    // What each app's code publishes (a subscriber's sidecar also publishes what it dead-letters) and subscribes to.
    private static readonly Dictionary<string, (string[] Publishes, string[] Subscribes)> Uses = new(StringComparer.Ordinal)
    {
        // The api answers on execution-results when it closes an execution a dead executor left running.
        [DaprNames.ApiAppId] = (
            [DaprNames.AuditTopic, DaprNames.ExecutionRequestsTopic, DaprNames.ExecutionResultsTopic], []),
        [DaprNames.ExecutorAppId] = (
            [DaprNames.AuditTopic, DaprNames.ExecutionResultsTopic, DaprNames.ExecutionRequestsDeadLetterTopic],
            [DaprNames.ExecutionRequestsTopic, DaprNames.ExecutionRequestsDeadLetterTopic]),
        [DaprNames.AuditAppId] = ([DaprNames.AuditDeadLetterTopic], [DaprNames.AuditTopic]),
    };

    private static readonly string[] Topics =
    [
        DaprNames.AuditTopic, DaprNames.AuditDeadLetterTopic, DaprNames.ExecutionRequestsTopic,
        DaprNames.ExecutionRequestsDeadLetterTopic, DaprNames.ExecutionResultsTopic,
    ];

    [Fact]
    public void PubSub_EveryTopicProtected_EachAppAllowedExactlyWhatItsCodeUses()
    {
        var problems = new Problems();
        var pubsubs = DaprResources.OfKind("Component").Where(c => c.Name == DaprNames.PubSub).ToList();
        Assert.NotEmpty(pubsubs);
        foreach (var pubsub in pubsubs)
        {
            var protectedTopics = List(pubsub.MetadataValue("protectedTopics"));
            foreach (var topic in Topics.Where(t => !protectedTopics.Contains(t)))
            {
                problems.Add(
                    pubsub.Where, "spec.metadata[protectedTopics]", $"{topic} is not protected: any app in scope may use it");
            }

            var publishing = Scopes(problems, pubsub, "publishingScopes");
            var subscribing = Scopes(problems, pubsub, "subscriptionScopes");
            foreach (var (app, (publishes, subscribes)) in Uses)
            {
                Compare(problems, pubsub, "publishingScopes", app, publishes, publishing);
                Compare(problems, pubsub, "subscriptionScopes", app, subscribes, subscribing);
            }
        }

        problems.AssertNone();
    }

    [Fact]
    public void Scopes_Parse_AsDaprSplitsThem()
    {
        var problems = new Problems();
        var pubsub = new DaprResource("inline.yaml", 1, new YamlDotNet.RepresentationModel.YamlMappingNode());

        var scopes = ParseScopes(problems, pubsub, "x", "api=a,b;executor=;audit=c");

        Assert.Equal(["a", "b"], scopes["api"]);
        Assert.Empty(scopes["executor"]);
        Assert.Equal(["c"], scopes["audit"]);
        problems.AssertNone();
    }

    private static void Compare(
        Problems problems, DaprResource pubsub, string key, string app, string[] used,
        IReadOnlyDictionary<string, string[]> scopes)
    {
        if (!scopes.TryGetValue(app, out var allowed))
        {
            problems.Add(pubsub.Where, $"spec.metadata[{key}]", $"names no topics for {app}");
            return;
        }

        foreach (var topic in used.Where(t => !allowed.Contains(t)))
        {
            problems.Add(pubsub.Where, $"spec.metadata[{key}]", $"{app} uses {topic} but is not allowed it");
        }

        foreach (var topic in allowed.Where(t => !used.Contains(t)))
        {
            problems.Add(pubsub.Where, $"spec.metadata[{key}]", $"{app} is allowed {topic}, which its code never uses");
        }
    }

    private static IReadOnlyDictionary<string, string[]> Scopes(Problems problems, DaprResource pubsub, string key)
    {
        var value = pubsub.MetadataValue(key);
        if (value is null)
        {
            problems.Add(pubsub.Where, $"spec.metadata[{key}]", "unset: every app in scope may use every topic");
            return new Dictionary<string, string[]>();
        }

        // daprd removes every space first (pkg/scopes), so a value folded over several YAML lines reads the same.
        return ParseScopes(problems, pubsub, key, value.Replace(" ", "", StringComparison.Ordinal));
    }

    // "app1=t1,t2;app2=" as daprd reads it (pkg/scopes): entries by ';', app and topics by '=', topics by ','.
    private static Dictionary<string, string[]> ParseScopes(
        Problems problems, DaprResource pubsub, string key, string value)
    {
        var scopes = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var entry in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split('=');
            if (parts.Length != 2 || parts[0].Trim().Length == 0)
            {
                problems.Add(pubsub.Where, $"spec.metadata[{key}]", $"\"{entry}\" is not app=topic,topic");
                continue;
            }

            scopes[parts[0].Trim()] = List(parts[1]).ToArray();
        }

        return scopes;
    }

    private static List<string> List(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
