using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Docker.DotNet;
using DotNet.Testcontainers.Builders;
using Npgsql;
using Testcontainers.PostgreSql;

[assembly: AssemblyFixture(typeof(WasmWizard.Audit.Tests.Infrastructure.PostgresServer))]

namespace WasmWizard.Audit.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL server of this test run, started on first use so the SQLite tests never need it:
/// <c>WASMWIZARD_TEST_POSTGRES</c> (a connection string of a server the tests may create databases on) when set;
/// else a throwaway cluster from the local PostgreSQL binaries on a free loopback port, with fsync off, stopped and
/// deleted at the end; else a container through Testcontainers when Docker answers; else a failure saying how to
/// provide one.
/// </summary>
/// <remarks>
/// The container branch is not exercised where this is built: those machines have the binaries, and no registry to
/// pull an image from (TOOLCHAIN.md §4).
/// </remarks>
public sealed class PostgresServer : IAsyncDisposable
{
    /// <summary>The variable that names an existing server.</summary>
    public const string Variable = "WASMWIZARD_TEST_POSTGRES";

    private const string SystemUser = "postgres";

    private readonly SemaphoreSlim _starting = new(1, 1);
    private string? _adminConnectionString;
    private string? _directory;
    private string? _bin;
    private bool _asPostgresUser;
    private PostgreSqlContainer? _container;

    /// <summary>A superuser connection string to the server, starting it if needed.</summary>
    public async Task<string> AdminConnectionStringAsync(CancellationToken cancellationToken)
    {
        await _starting.WaitAsync(cancellationToken);
        try
        {
            return _adminConnectionString ??= Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given
                ? given
                : OperatingSystem.IsWindows()
                ? throw new PlatformNotSupportedException($"On Windows, set {Variable} to a PostgreSQL server's connection string.")
                : FindBinaries() is null && await TryStartContainerAsync(cancellationToken) is { } container
                ? container
                : await StartLocalAsync(cancellationToken);
        }
        finally
        {
            _starting.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await _container.DisposeAsync();
        }

        if (_directory is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        // Immediate: the data goes away next, so there is nothing to shut down cleanly for.
        await RunAsync("pg_ctl", ["-D", Path.Combine(_directory, "pg", "data"), "-m", "immediate", "-w", "stop"], CancellationToken.None);
        Directory.Delete(_directory, recursive: true);
        _starting.Dispose();
    }

    private async Task<string?> TryStartContainerAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Build() itself throws when there is no Docker to talk to.
            var container = new PostgreSqlBuilder("postgres:15-alpine").Build();
            await container.StartAsync(cancellationToken);
            _container = container;
            return container.GetConnectionString();
        }
        catch (Exception e) when (e is DockerUnavailableException or DockerApiException or HttpRequestException or TimeoutException)
        {
            // No Docker, or no image to be had: the local-binaries branch then fails with its own explanation.
            return null;
        }
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderBy(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .LastOrDefault()
            : null;

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [UnsupportedOSPlatform("windows")]
    private async Task<string> StartLocalAsync(CancellationToken cancellationToken)
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException(
            $"The audit tests need PostgreSQL. Set {Variable} to a connection string of a server they may create "
            + "databases on (Host=127.0.0.1;Port=5432;Username=postgres;Password=…), or install the server "
            + "binaries (Debian: apt-get install -y postgresql) so that /usr/lib/postgresql/<version>/bin/initdb "
            + "exists; the tests then start a throwaway cluster of their own. (Docker with a postgres:15-alpine image "
            + "would do as well, through Testcontainers.)");
        _asPostgresUser = Environment.IsPrivilegedProcess;
        _directory = Directory.CreateTempSubdirectory("ww-audit-pg-").FullName;
        // initdb refuses to run as root: the cluster then belongs to the postgres account, which must be able to
        // reach its directory.
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var home = Path.Combine(_directory, "pg");
        if (_asPostgresUser)
        {
            await RunToolAsync("install", ["-d", "-o", SystemUser, "-g", SystemUser, "-m", "0700", home], cancellationToken);
        }
        else
        {
            Directory.CreateDirectory(home);
        }

        var data = Path.Combine(home, "data");
        var log = Path.Combine(home, "server.log");
        await RunAsync(
            "initdb",
            ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"],
            cancellationToken,
            mustSucceed: true);
        // A port can be taken between the probe and the start; a few tries make that race harmless.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {home} -c fsync=off -c synchronous_commit=off "
                + "-c full_page_writes=off -c max_connections=300";
            var (code, output) = await RunAsync(
                "pg_ctl", ["-D", data, "-l", log, "-w", "-t", "60", "-o", options, "start"], cancellationToken);
            if (code == 0)
            {
                return $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50";
            }

            if (attempt == 3)
            {
                var written = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : "";
                throw new InvalidOperationException($"PostgreSQL did not start: {output}\n{written}");
            }
        }
    }

    private Task<(int Code, string Output)> RunAsync(
        string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool mustSucceed = false)
    {
        var path = Path.Combine(_bin!, tool);
        return _asPostgresUser
            ? RunToolAsync("runuser", ["-u", SystemUser, "--", path, .. arguments], cancellationToken, mustSucceed)
            : RunToolAsync(path, arguments, cancellationToken, mustSucceed);
    }

    private static async Task<(int Code, string Output)> RunToolAsync(
        string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken, bool mustSucceed = true)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The tools would otherwise inherit a working directory postgres may not enter.
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var output = await stdout + await stderr;
        if (mustSucceed && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        }

        return (process.ExitCode, output);
    }
}
