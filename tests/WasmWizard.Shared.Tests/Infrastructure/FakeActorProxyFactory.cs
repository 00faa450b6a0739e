using System.Collections.Concurrent;
using Dapr.Actors;
using Dapr.Actors.Client;

namespace WasmWizard.Shared.Tests.Infrastructure;

/// <summary>Hands out a test's actor for every typed proxy asked for, and remembers who asked for what.</summary>
public sealed class FakeActorProxyFactory(Func<ActorId, IActor> actorFor) : IActorProxyFactory
{
    private readonly ConcurrentQueue<(ActorId Id, string Type)> _created = new();

    /// <summary>Every typed proxy created, in order.</summary>
    public IReadOnlyCollection<(ActorId Id, string Type)> Created => _created;

    /// <summary>Throws <paramref name="exception"/> whenever a proxy is asked for.</summary>
    public static FakeActorProxyFactory Throwing(Exception exception) => new(_ => throw exception);

    public TActorInterface CreateActorProxy<TActorInterface>(
        ActorId actorId, string actorType, ActorProxyOptions? options = null)
        where TActorInterface : IActor
    {
        var actor = actorFor(actorId);
        _created.Enqueue((actorId, actorType));
        return (TActorInterface)actor;
    }

    public object CreateActorProxy(
        ActorId actorId, Type actorInterfaceType, string actorType, ActorProxyOptions? options = null) =>
        throw new NotSupportedException("The rate limiter uses typed proxies only.");

    public ActorProxy Create(ActorId actorId, string actorType, ActorProxyOptions? options = null) =>
        throw new NotSupportedException("The rate limiter uses typed proxies only.");
}
