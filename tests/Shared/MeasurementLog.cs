using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace WasmWizard.Tests.Shared;

/// <summary>
/// The measurements one host's instruments take, told apart from other hosts in the test process by the
/// <see cref="IMeterFactory"/> that created their meter, so a test can say "counted exactly once, here".
/// </summary>
internal sealed class MeasurementLog : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, string?> Tags)> _taken =
        new();

    /// <summary>
    /// Starts listening to the instruments named <paramref name="instruments"/> of the meters <paramref name="scope"/>
    /// created (a host's own factory).
    /// </summary>
    public MeasurementLog(IMeterFactory scope, params string[] instruments)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope) && instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Take(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Take(i, value, tags));
        _listener.Start();
    }

    /// <summary>The measurements of <paramref name="instrument"/> so far, oldest first.</summary>
    public IReadOnlyList<(double Value, Dictionary<string, string?> Tags)> Of(string instrument) =>
        [.. _taken.Where(t => t.Instrument == instrument).Select(t => (t.Value, t.Tags))];

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Take(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, tag) in tags)
        {
            copy[key] = tag?.ToString();
        }

        _taken.Enqueue((instrument.Name, value, copy));
    }
}
