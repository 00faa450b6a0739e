using System.Collections.Concurrent;
using System.Diagnostics;

namespace WasmWizard.Tests.Shared;

/// <summary>
/// Records the finished spans (activities of any source) of the traces a test starts. Several hosts may share the
/// test process, so only traces begun through <see cref="NewTrace"/> are kept.
/// </summary>
internal sealed class SpanRecorder : IDisposable
{
    /// <summary>The source of ASP.NET Core's request (server) spans.</summary>
    public const string AspNetCoreSource = "Microsoft.AspNetCore";

    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<ActivityTraceId, ConcurrentQueue<Activity>> _traces = new();

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            // Recorded whether or not the services' own sampler would record them.
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => _traces.ContainsKey(options.TraceId)
                ? ActivitySamplingResult.AllDataAndRecorded
                : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (_traces.TryGetValue(activity.TraceId, out var spans))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>
    /// Starts a trace as a client would: the <c>traceparent</c> header value of a sampled client span, and the ids
    /// it carries.
    /// </summary>
    public (string TraceParent, ActivityTraceId TraceId, ActivitySpanId ClientSpanId) NewTrace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        _traces[traceId] = new ConcurrentQueue<Activity>();
        return ($"00-{traceId}-{spanId}-01", traceId, spanId);
    }

    /// <summary>
    /// Sends <paramref name="request"/> as the client span of a new trace, and returns the answer, the trace's id and
    /// the server span that continued the client's (waiting for it to finish).
    /// </summary>
    public async Task<(HttpResponseMessage Response, ActivityTraceId TraceId, Activity Server)> SendAsync(
        HttpClient client, HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var (traceParent, traceId, clientSpan) = NewTrace();
        request.Headers.Add("traceparent", traceParent);
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var server = await WhenFinishedAsync(
            traceId, s => s.Source.Name == AspNetCoreSource && s.ParentSpanId == clientSpan);
        return (response, traceId, server);
    }

    /// <summary>The finished spans of <paramref name="traceId"/> so far.</summary>
    public IReadOnlyList<Activity> Spans(ActivityTraceId traceId) =>
        _traces.TryGetValue(traceId, out var spans) ? [.. spans] : [];

    /// <summary>
    /// The first finished span of <paramref name="traceId"/> that matches <paramref name="predicate"/>, waiting for
    /// it (a server span ends just after its response went out); fails the test after 10 s.
    /// </summary>
    public async Task<Activity> WhenFinishedAsync(ActivityTraceId traceId, Func<Activity, bool> predicate)
    {
        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 10);
        while (true)
        {
            if (Spans(traceId).FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                var seen = string.Join(", ", Spans(traceId).Select(s => $"{s.Source.Name}:{s.DisplayName}"));
                Assert.Fail($"no such span in trace {traceId} within 10 s; finished: {seen}");
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>
    /// Whether <paramref name="ancestor"/> is <paramref name="span"/>'s parent, or its parent's parent, and so on,
    /// through the recorded spans of the trace.
    /// </summary>
    public bool IsAncestor(Activity ancestor, Activity span)
    {
        ArgumentNullException.ThrowIfNull(ancestor);
        ArgumentNullException.ThrowIfNull(span);
        var bySpanId = Spans(span.TraceId).ToDictionary(s => s.SpanId);
        var parent = span.ParentSpanId;
        for (var hops = 0; hops < 64; hops++)
        {
            if (parent == ancestor.SpanId)
            {
                return true;
            }

            if (!bySpanId.TryGetValue(parent, out var next))
            {
                return false;
            }

            parent = next.ParentSpanId;
        }

        return false;
    }

    /// <summary>The request path a server span served (<c>url.path</c>), else its display name.</summary>
    public static string PathOf(Activity span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return span.GetTagItem("url.path") as string ?? span.DisplayName;
    }

    public void Dispose() => _listener.Dispose();
}
