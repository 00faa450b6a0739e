using System.Diagnostics;
using System.Globalization;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// Watches a <see cref="HostProcess"/> while a load runs: its resident memory (<c>VmRSS</c>) every interval, and
/// the sandbox's <c>runs_active</c> gauge from its <c>/metrics</c>, in two loops so a slow scrape never delays a
/// memory sample. Times are milliseconds from <see cref="Start"/>.
/// </summary>
public sealed class HostSampler(HostProcess host, HttpClient http, TimeSpan interval)
{
    private const string RunsActive = "wasmwizard_sandbox_runs_active";

    // A scrape renders every metric of the host; a few a second are plenty for a gauge of 2-second runs.
    private static readonly TimeSpan ScrapeInterval = TimeSpan.FromMilliseconds(250);

    private readonly List<(double Ms, long Bytes)> _rss = [];
    private readonly List<(double Ms, double Runs)> _runs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = new();
    private Task? _sampling;

    public IReadOnlyList<(double Ms, long Bytes)> Rss => _rss;

    public IReadOnlyList<(double Ms, double Runs)> Runs => _runs;

    public void Start()
    {
        _clock.Start();
        _sampling = Task.WhenAll(Task.Run(SampleMemoryAsync), Task.Run(SampleRunsAsync));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await (_sampling ?? Task.CompletedTask).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>The value of the runs-active gauge in a Prometheus text answer, or null when it is not there.</summary>
    public static double? ParseRunsActive(string metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(RunsActive, StringComparison.Ordinal)
                && line.Length > RunsActive.Length
                && line[RunsActive.Length] is ' ' or '{')
            {
                var value = line.Trim().Split(' ')[^1];
                return double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    private async Task SampleMemoryAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            if (host.StatusBytes("VmRSS") is { } bytes)
            {
                _rss.Add((_clock.Elapsed.TotalMilliseconds, bytes));
            }

            await Pause(interval).ConfigureAwait(false);
        }
    }

    private async Task SampleRunsAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), _stop.Token)
                    .ConfigureAwait(false);
                if (ParseRunsActive(text) is { } runs)
                {
                    _runs.Add((_clock.Elapsed.TotalMilliseconds, runs));
                }
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // A missed scrape leaves a gap; the stop surfaces here too.
            }

            await Pause(ScrapeInterval).ConfigureAwait(false);
        }
    }

    private async Task Pause(TimeSpan length)
    {
        try
        {
            await Task.Delay(length, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped: the loop ends.
        }
    }
}
