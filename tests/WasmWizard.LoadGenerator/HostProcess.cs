using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The embedded host started as a child process on 127.0.0.1, so that what the kernel counts as its memory is the
/// host's alone, not the load generator's too. Its log lines go to this process's stderr. Disposing stops it, with
/// anything it started (a module compiler).
/// </summary>
public sealed class HostProcess : IDisposable
{
    private readonly Process _process;

    private HostProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        // A run stopped with Ctrl+C never reaches Dispose; the host must not outlive it, holding its port.
        AppDomain.CurrentDomain.ProcessExit += StopOnExit;
    }

    public Uri Address { get; }

    public int Id => _process.Id;

    /// <summary>
    /// Starts <paramref name="hostDll"/> in <paramref name="workingDirectory"/> with every setting as a
    /// <c>--Key=value</c> argument, and returns once <c>/health/ready</c> answers 200.
    /// </summary>
    public static async Task<HostProcess> StartAsync(
        string hostDll, string workingDirectory, IReadOnlyDictionary<string, string?> settings, TimeSpan readyWithin)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{FreePort()}"));
        // The build puts the host's own launcher beside its dll; it runs the dll in its own process, as
        // `dotnet exec` would, so the pid whose memory is read is the host's either way.
        var launcher = Path.ChangeExtension(hostDll, OperatingSystem.IsWindows() ? ".exe" : null);
        var start = new ProcessStartInfo(File.Exists(launcher) ? launcher : "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        if (!File.Exists(launcher))
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(hostDll);
        }

        start.ArgumentList.Add("--urls=" + address.GetLeftPart(UriPartial.Authority));
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // What a deployment runs, whatever the caller's shell says.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("The host process did not start.");
        process.OutputDataReceived += Forward;
        process.ErrorDataReceived += Forward;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new HostProcess(process, address);
        try
        {
            await host.WaitReadyAsync(readyWithin).ConfigureAwait(false);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>A field of <c>/proc/&lt;pid&gt;/status</c> in bytes (<c>VmRSS</c>, <c>VmHWM</c>), or null once gone.</summary>
    public long? StatusBytes(string field)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{_process.Id}/status");
        }
        catch (IOException)
        {
            return null;
        }

        // e.g. "VmRSS:	  123456 kB"
        var line = lines.FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        var parts = line?.Split(' ', '\t').Where(p => p.Length > 0).ToArray();
        return parts is { Length: 3 } ? long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024 : null;
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= StopOnExit;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private async Task WaitReadyAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host process exited with code {_process.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative)).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100).ConfigureAwait(false);
        }

        throw new TimeoutException($"The host was not ready within {within.TotalSeconds} s.");
    }

    private void StopOnExit(object? sender, EventArgs e)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    private static void Forward(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine(e.Data);
        }
    }

    // Another process could take the port between here and the host's bind; on a loopback port that is rare, and
    // the host then fails to start, which says so.
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
