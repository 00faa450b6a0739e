using System.Diagnostics;
using System.Diagnostics.Metrics;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Sandbox;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Run_AllSlotsBusy_RefusedAtOnceWithRetryAfter()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" });
        var sleeper = Wat.Compile(Wat.Command("""(func (export "_start") (call $sleep (i64.const 800000000)))"""));
        var quick = Wat.Compile(Wat.Command("""(func (export "_start"))"""));
        await harness.RunBytesAsync(quick);

        var busy = harness.RunBytesAsync(sleeper);
        await Eventually.HoldsAsync(() => !busy.IsCompleted && FreeSlots(harness) == 0);
        var started = Stopwatch.GetTimestamp();
        var refusal = await Assert.ThrowsAsync<ExecutorBusyException>(() => harness.RunBytesAsync(quick));
        var refusedAfter = Stopwatch.GetElapsedTime(started);

        Assert.Equal(TimeSpan.FromSeconds(1), refusal.RetryAfter);
        Assert.True(refusedAfter < TimeSpan.FromMilliseconds(200), $"refusal took {refusedAfter}");
        Assert.True((await busy).Succeeded);
        Assert.True((await harness.RunBytesAsync(quick)).Succeeded);
    }

    [Fact]
    public async Task Run_OneTenantHoldingItsShare_RefusedWhileAnotherTenantStillRuns()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "3" });
        var sleeper = Wat.Compile(Wat.Command("""(func (export "_start") (call $sleep (i64.const 30000000000)))"""));
        var quick = Wat.Compile(Wat.Command("""(func (export "_start"))"""));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        RunRequest For(byte[] module, string tenant) => new(
            CompiledModuleCache.Sha256Of(module), module, "t.wasm", [], [], [],
            SandboxHarness.DefaultLimits with { TimeoutMs = 30_000 }, tenant);

        var held = new[]
        {
            harness.Sandbox.RunAsync(For(sleeper, "a"), stop.Token),
            harness.Sandbox.RunAsync(For(sleeper, "a"), stop.Token),
        };
        await Eventually.HoldsAsync(() => FreeSlots(harness) == 1);
        var refusal = await Assert.ThrowsAsync<ExecutorBusyException>(
            () => harness.Sandbox.RunAsync(For(quick, "a"), stop.Token));
        var other = await harness.Sandbox.RunAsync(For(quick, "b"), stop.Token);
        await stop.CancelAsync();
        foreach (var run in held)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        }

        Assert.True(refusal.TenantShareSpent);
        Assert.True(other.Succeeded);
        await Eventually.HoldsAsync(() => FreeSlots(harness) == 3);
        Assert.True((await harness.Sandbox.RunAsync(For(quick, "a"), TestContext.Current.CancellationToken)).Succeeded);
    }

    [Fact]
    public async Task Run_Guest_RunsOnDedicatedThreadNotThreadPool()
    {
        using var pool = NewPool(2);

        var (isPoolThread, name) = await pool.RunAsync(
            _ => (Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.Name), tenant: null, TestContext.Current.CancellationToken);

        Assert.False(isPoolThread);
        Assert.StartsWith("wasm-guest-", name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ManyConcurrentGuests_EachGetsItsOwnResult()
    {
        using var harness = new SandboxHarness();
        var module = Wat.Compile(Wat.Command("""
            (func (export "_start")
              (i32.store (i32.const 16) (i32.const 300))
              (i32.store (i32.const 20) (i32.const 100))
              (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
              (call $print (i32.const 300) (i32.load (i32.const 24))))
            """));

        var runs = Enumerable.Range(0, 4).Select(i => harness.RunBytesAsync(module, stdin: [(byte)('a' + i)])).ToArray();
        var results = await Task.WhenAll(runs);

        Assert.Equal(["a", "b", "c", "d"], results.Select(r => System.Text.Encoding.ASCII.GetString(r.Stdout)));
    }

    [Fact]
    public async Task Run_CallerCancels_RunStopsAndSlotIsFreed()
    {
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" });
        var spinner = Wat.Compile(Wat.Command("""(func (export "_start") (loop (br 0)))"""));
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var request = new RunRequest(
            CompiledModuleCache.Sha256Of(spinner), spinner, "spin.wasm", [], [], [], SandboxHarness.DefaultLimits);

        var run = harness.Sandbox.RunAsync(request, cancellation.Token);
        await Eventually.HoldsAsync(() => FreeSlots(harness) == 0);
        var started = Stopwatch.GetTimestamp();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        await Eventually.HoldsAsync(() => FreeSlots(harness) == 1);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Run_CallerCancelsRepeatedly_EachCancelledRunGivesBackItsStore()
    {
        // One slot and one pooled memory: a cancelled run that kept its store would leave the next run no instance.
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" });
        var spinner = Wat.Compile(Wat.Command("""(func (export "_start") (loop (br 0)))"""));
        var quick = Wat.Compile(Wat.Command("""(func (export "_start"))"""));
        var request = new RunRequest(
            CompiledModuleCache.Sha256Of(spinner), spinner, "spin.wasm", [], [], [], SandboxHarness.DefaultLimits);

        for (var i = 0; i < 3; i++)
        {
            using var cancellation = new CancellationTokenSource();
            var run = harness.Sandbox.RunAsync(request, cancellation.Token);
            await Eventually.HoldsAsync(() => FreeSlots(harness) == 0);
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

            var next = await harness.RunBytesAsync(quick);
            Assert.True(next.Succeeded, next.Message);
        }
    }

    [Fact]
    public async Task Run_RecordingItsMetricThrows_TheStoreIsStillReleasedForTheNextRun()
    {
        // One slot and one pooled memory: a store left behind by the failed run would leave the next run no instance.
        using var harness = new SandboxHarness(new Dictionary<string, string?> { ["Sandbox:MaxConcurrentRuns"] = "1" });
        var quick = Wat.Compile(Wat.Command("""(func (export "_start"))"""));
        await harness.RunBytesAsync(quick);
        var failures = 1;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, harness.Meters)
                    && instrument.Name == "wasmwizard.sandbox.runs")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) =>
        {
            if (Interlocked.Decrement(ref failures) == 0)
            {
                throw new InvalidOperationException("metric listener failed");
            }
        });
        listener.Start();

        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.RunBytesAsync(quick));
        var next = await harness.RunBytesAsync(quick);

        Assert.True(next.Succeeded, next.Message);
        Assert.Equal(1, FreeSlots(harness));
    }

    [Fact]
    public async Task Dispose_WhileGuestRuns_StopsItPromptly()
    {
        var harness = new SandboxHarness();
        var spinner = Wat.Compile(Wat.Command("""(func (export "_start") (loop (br 0)))"""));
        var run = harness.RunBytesAsync(spinner);
        await Eventually.HoldsAsync(() => FreeSlots(harness) < 4);

        var started = Stopwatch.GetTimestamp();
        harness.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Run_OneAfterAnother_TheThreadThatFinishedLastServesTheNext()
    {
        using var pool = NewPool(4);
        var token = TestContext.Current.CancellationToken;

        var names = new HashSet<string?>();
        for (var i = 0; i < 20; i++)
        {
            names.Add(await pool.RunAsync(_ => Thread.CurrentThread.Name, tenant: null, token));
        }

        // A warm thread costs a short run less than waking a cold one; all four slots stay free between runs.
        Assert.Single(names);
        Assert.Equal(4, pool.FreeSlots);
    }

    [Fact]
    public async Task RunThenRelease_CallerAnsweredBeforeTheLeftoversAreReleased_NextRunOnThatThreadWaitsForThem()
    {
        using var pool = NewPool(1);
        var token = TestContext.Current.CancellationToken;
        using var releasing = new ManualResetEventSlim();
        using var mayFinishReleasing = new ManualResetEventSlim();
        var leftovers = new BlockingLeftovers(releasing, mayFinishReleasing);

        // The answer arrives while the leftovers are still being released (they wait for the test to let them go).
        var first = await pool.RunThenReleaseAsync(_ => (1, (IDisposable?)leftovers), tenant: null, token)
            .WaitAsync(TimeSpan.FromSeconds(10), token);
        Assert.Equal(1, first);
        Assert.True(releasing.Wait(TimeSpan.FromSeconds(10), token));
        Assert.False(leftovers.Released);

        // The only slot is free at once, but the run handed to the thread starts after the release is done.
        Assert.Equal(1, pool.FreeSlots);
        using var secondStarted = new ManualResetEventSlim();
        var second = pool.RunAsync(
            _ =>
            {
                secondStarted.Set();
                return leftovers.Released;
            },
            tenant: null,
            token);
        Assert.False(secondStarted.Wait(TimeSpan.FromMilliseconds(200), token));
        mayFinishReleasing.Set();
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(10), token));
    }

    [Fact]
    public async Task RunThenRelease_ReleaseThrows_CallerAnsweredAndTheSlotKeepsServing()
    {
        using var pool = NewPool(1);
        var token = TestContext.Current.CancellationToken;

        var first = await pool.RunThenReleaseAsync(_ => (1, (IDisposable?)new ThrowingLeftovers()), tenant: null, token)
            .WaitAsync(TimeSpan.FromSeconds(10), token);

        // The one guest thread survived the failed release: it takes the next run.
        Assert.Equal(1, first);
        Assert.Equal(2, await pool.RunAsync(_ => 2, tenant: null, token).WaitAsync(TimeSpan.FromSeconds(10), token));
        Assert.Equal(1, pool.FreeSlots);
    }

    [Fact]
    public async Task Run_AfterThePoolStopped_RefusedWithoutHanging()
    {
        var pool = NewPool(2);
        Assert.Equal(1, await pool.RunAsync(_ => 1, tenant: null, TestContext.Current.CancellationToken));

        pool.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pool.RunAsync(_ => 2, tenant: null, CancellationToken.None));
    }

    [Fact]
    public async Task Dispose_WhileCallersKeepHandingOverRuns_EveryCallerGetsAnAnswerAndEverySlotComesBack()
    {
        // Arrange: four callers hand over runs as fast as they can. The first two runs hold their slots until the pool
        // stops; the rest throw or return at once through the third slot, so hand-overs, refusals and returns all
        // race the Dispose.
        var pool = new GuestThreadPool(
            Microsoft.Extensions.Options.Options.Create(new SandboxOptions { MaxConcurrentRuns = 3 }));
        var runs = new System.Collections.Concurrent.ConcurrentQueue<Task<int>>();
        var handedOver = 0;
        var holding = 0;
        void HandOverUntilStopped()
        {
            for (var i = 0; ; i++)
            {
                try
                {
                    runs.Enqueue(pool.RunAsync(
                        token => Interlocked.Increment(ref holding) <= 2 ? Hold(token)
                            : i % 2 == 0 ? throw new InvalidOperationException("guest failed") : i,
                        tenant: null,
                        CancellationToken.None));
                    Interlocked.Increment(ref handedOver);
                }
                catch (ExecutorBusyException)
                {
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        }

        // Threads of their own: four busy loops on the thread pool of a 2-core machine would starve every other
        // test's continuations (and this test's own polling) until the pool injects more threads.
        var callers = Enumerable.Range(0, 4)
            .Select(_ => Task.Factory.StartNew(
                HandOverUntilStopped, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))
            .ToArray();
        await Eventually.HoldsAsync(() => Volatile.Read(ref handedOver) > 1000);

        // Act
        pool.Dispose();
        await Task.WhenAll(callers);

        // Assert: no run is left waiting for an answer, and no slot is lost.
        try
        {
            await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            // What the guests threw or were stopped with; a run never answered ends in a TimeoutException instead.
        }

        Assert.All(runs, r => Assert.True(r.IsCompleted));
        Assert.Equal(3, pool.FreeSlots);
        Assert.Equal(0, pool.ActiveRuns);

        static int Hold(CancellationToken token)
        {
            token.WaitHandle.WaitOne();
            token.ThrowIfCancellationRequested();
            return 0;
        }
    }

    private static int FreeSlots(SandboxHarness harness) => harness.FreeSlots;

    private static GuestThreadPool NewPool(int slots) =>
        new(Microsoft.Extensions.Options.Options.Create(new SandboxOptions { MaxConcurrentRuns = slots }));

    private sealed class BlockingLeftovers(ManualResetEventSlim releasing, ManualResetEventSlim mayFinish) : IDisposable
    {
        private volatile bool _released;

        public bool Released => _released;

        public void Dispose()
        {
            releasing.Set();
            mayFinish.Wait();
            _released = true;
        }
    }

    private sealed class ThrowingLeftovers : IDisposable
    {
        public void Dispose() => throw new IOException("release failed");
    }
}
