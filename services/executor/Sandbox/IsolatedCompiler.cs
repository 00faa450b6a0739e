using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Compiles modules in a separate process (WasmWizard.Compiler) with a memory ceiling and a deadline. Wasmtime's
/// compiler cannot be interrupted, and a hostile module can make it run for minutes and use gigabytes; a process
/// can be killed, and its memory is returned to the system when it goes. The artifact it writes is this
/// service's own compiler output, which the executor then loads.
/// </summary>
internal sealed class IsolatedCompiler
{
    /// <summary>The compiler's file name, beside the executor's assemblies.</summary>
    public const string CompilerAssembly = "WasmWizard.Compiler.dll";

    private readonly SandboxOptions _settings;
    private readonly string _settingsJson;
    private readonly string _compilerPath;
    private readonly string _dotnet;

    public IsolatedCompiler(IOptions<SandboxOptions> options)
    {
        _settings = options.Value;
        _settingsJson = JsonSerializer.Serialize(_settings);
        _compilerPath = Path.Combine(AppContext.BaseDirectory, CompilerAssembly);
        _dotnet = DotnetHost();
    }

    /// <summary>Whether the compiler is where it should be; the executor cannot work without it.</summary>
    public bool IsInstalled => File.Exists(_compilerPath);

    /// <summary>
    /// Compiles <paramref name="bytes"/> into <paramref name="artifactPath"/>. Throws
    /// <see cref="ModuleRejectedException"/> when the module is refused, takes longer than the compile budget or
    /// needs more memory than the compile ceiling.
    /// </summary>
    public async Task CompileAsync(byte[] bytes, string artifactPath)
    {
        if (!IsInstalled)
        {
            throw new InvalidOperationException($"The module compiler is missing: {_compilerPath} does not exist.");
        }

        var start = new ProcessStartInfo(_dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "exec", _compilerPath,
            "--output", artifactPath,
            "--memory-limit-bytes", (_settings.CompileMemoryLimitMb * 1024L * 1024L).ToString(CultureInfo.InvariantCulture),
            "--settings", _settingsJson,
        })
        {
            start.ArgumentList.Add(argument);
        }

        // A small managed heap keeps the runtime's own share of the memory ceiling small and predictable.
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x10000000";
        start.Environment["DOTNET_gcServer"] = "0";

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("The module compiler could not be started: " + e.Message, e);
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(_settings.CompileTimeoutMs));
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(bytes, deadline.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            Kill(process);
            if (deadline.IsCancellationRequested)
            {
                throw new ModuleRejectedException(
                    ModuleRejectionCodes.CompileTimeout,
                    $"Compiling the module took longer than {_settings.CompileTimeoutMs} ms.");
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var answer = await output.ConfigureAwait(false);
        _ = await errors.ConfigureAwait(false);
        Interpret(process.ExitCode, answer);
    }

    private void Interpret(int exitCode, string answer)
    {
        CompilerAnswer? parsed = null;
        var line = answer.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (line is not null)
        {
            try
            {
                parsed = JsonSerializer.Deserialize<CompilerAnswer>(line);
            }
            catch (JsonException)
            {
                parsed = null;
            }
        }

        if (exitCode == 0 && parsed is { Ok: true })
        {
            return;
        }

        if (parsed is { Ok: false, Code: { } code, Message: { } message })
        {
            throw new ModuleRejectedException(code, message);
        }

        // No answer: the compiler died, and the usual reason is the memory ceiling (an allocation failed and the
        // compiler aborted). Say what the ceiling is; the module may be legitimate but too expensive to compile.
        throw new ModuleRejectedException(
            ModuleRejectionCodes.ExceedsLimits,
            $"Compiling the module needed more than {_settings.CompileMemoryLimitMb} MiB of memory "
            + $"(the compiler stopped with exit code {exitCode}).");
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It already exited.
        }
    }

    private static string DotnetHost()
    {
        // The runtime lives in <dotnet root>/shared/Microsoft.NETCore.App/<version>/; the host is at the root.
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        var host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
