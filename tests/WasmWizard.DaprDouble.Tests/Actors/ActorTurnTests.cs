using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WasmWizard.DaprDouble.Tests.Infrastructure;

namespace WasmWizard.DaprDouble.Tests.Actors;

/// <summary>
/// Turn-based concurrency, checked against a hand-written actor host: the .NET actor runtime (Dapr.Actors 1.19.1)
/// has a turn lock of its own, which would hide whether the double serialises calls.
/// </summary>
public sealed class ActorTurnTests : IAsyncLifetime
{
    private readonly SidecarNetwork _network = new();
    private readonly TaskCompletionSource _otherIdEntered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SidecarDouble _api = null!;
    private TestApp _hostApp = null!;
    private int _inside;
    private int _maxInside;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _api = await SidecarDouble.StartAsync(new() { AppId = "api", Network = _network }, Token);
        var host = await SidecarDouble.StartAsync(new() { AppId = "actor-host", Network = _network }, Token);
        _hostApp = await TestApp.StartAsync(host, _ => { }, app =>
        {
            app.MapGet("/dapr/config", () => Results.Json(new { entities = new[] { "Raw" } }));
            app.MapPut("/actors/Raw/{id}/method/{method}", HandleAsync);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _network.DisposeAsync();
        await _hostApp.DisposeAsync();
    }

    [Fact]
    public async Task Invoke_ConcurrentCallsToOneId_ReachTheAppOneAtATime()
    {
        using var http = new HttpClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            http.PutAsync($"{_api.HttpEndpoint}/v1.0/actors/Raw/a/method/Slow", null, Token)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, _maxInside);
    }

    [Fact]
    public async Task Invoke_TwoIds_RunSideBySide()
    {
        using var http = new HttpClient();

        // The call to "waits" only ends once the call to "enters" is inside the app.
        var waiting = http.PutAsync($"{_api.HttpEndpoint}/v1.0/actors/Raw/waits/method/Wait", null, Token);
        var entering = http.PutAsync($"{_api.HttpEndpoint}/v1.0/actors/Raw/enters/method/Enter", null, Token);
        var both = await Task.WhenAll(waiting, entering).WaitAsync(TimeSpan.FromSeconds(10), Token);

        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    private async Task<IResult> HandleAsync(string id, string method)
    {
        var inside = Interlocked.Increment(ref _inside);
        InterlockedMax(ref _maxInside, inside);
        try
        {
            switch (method)
            {
                case "Wait":
                    await _otherIdEntered.Task.WaitAsync(TimeSpan.FromSeconds(5));
                    break;
                case "Enter":
                    _otherIdEntered.TrySetResult();
                    break;
                default:
                    await Task.Delay(50);
                    break;
            }

            return Results.Ok(id);
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)))
        {
            if (Interlocked.CompareExchange(ref target, value, current) == current)
            {
                return;
            }
        }
    }
}
