using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using WasmWizard.Shared.Contracts;
using WasmWizard.Shared.Ports;
using WasmWizard.Shared.Text;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// The executor's two operations: prepare a module (validate and compile it once) and run a module.
/// Both hosts call these: the embedded one directly, the Dapr one behind service invocation.
/// </summary>
public sealed class SandboxService
{
    private readonly CompiledModuleCache _cache;
    private readonly GuestThreadPool _pool;
    private readonly GuestInvoker _invoker;
    private readonly IModuleBytesSource _bytesSource;
    private readonly WasmEngine _engine;
    private readonly SandboxMetrics _metrics;
    private readonly SandboxOptions _options;

    internal SandboxService(
        CompiledModuleCache cache,
        GuestThreadPool pool,
        GuestInvoker invoker,
        IModuleBytesSource bytesSource,
        WasmEngine engine,
        SandboxMetrics metrics,
        IOptions<SandboxOptions> options)
    {
        _cache = cache;
        _pool = pool;
        _invoker = invoker;
        _bytesSource = bytesSource;
        _engine = engine;
        _metrics = metrics;
        _options = options.Value;
    }

    /// <summary>
    /// Validates and compiles a module that <paramref name="tenant"/> (null for none) uploads; the compiled form is
    /// kept for later runs.
    /// </summary>
    public async Task<PreparedModule> PrepareModuleAsync(
        byte[] module, string? tenant, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(module);
        ModuleValidator.CheckHeader(module, _options.MaxModuleBytes);
        var sha256 = CompiledModuleCache.Sha256Of(module);
        var compiled = await _cache.GetOrCompileAsync(
            sha256, _ => Task.FromResult<byte[]?>(module), persist: true, tenant, cancellationToken)
            .ConfigureAwait(false);
        return new PreparedModule(sha256, module.Length, compiled!.InitialMemoryBytes);
    }

    /// <summary>Drops the compiled module and its artifact; later runs of the same bytes compile again.</summary>
    public void ForgetModule(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        _cache.Forget(sha256);
    }

    /// <summary>
    /// The refusal a run of <paramref name="tenant"/> (any caller, when null) would meet now: its share of the slots
    /// spent, or no slot free; null when a slot looks free, which is no promise the run will get one.
    /// </summary>
    public ExecutorBusyException? RefusalFor(string? tenant)
    {
        var retryAfter = TimeSpan.FromSeconds(_options.BusyRetryAfterSeconds);
        if (!_pool.HasShareLeft(tenant))
        {
            return new ExecutorBusyException(retryAfter, tenantShareSpent: true);
        }

        return _pool.FreeSlots == 0 ? new ExecutorBusyException(retryAfter) : null;
    }

    /// <summary>Runs a module once on a guest thread and reports its outcome and output.</summary>
    public Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            CheckRequest(request);
            // Refuse before compiling anything, and without throwing: a busy executor should shed load cheaply.
            if (RefusalFor(request.Tenant) is { } busy)
            {
                return Task.FromException<RunResult>(busy);
            }

            var compiled = CompiledModuleAsync(request, cancellationToken);
            // A module in the memory cache is there at once. The caller then gets the guest thread's own task: an
            // await here would send the result through one more thread-pool hop, which costs a short run more
            // than the run itself (measured with the no-op module in SandboxRunBenchmarks).
            return compiled.IsCompletedSuccessfully
                ? RunOnGuestThread(compiled.Result, request, cancellationToken)
                : RunWhenCompiledAsync(compiled, request, cancellationToken);
        }
        catch (Exception e)
        {
            return Task.FromException<RunResult>(e);
        }
    }

    private async Task<RunResult> RunWhenCompiledAsync(
        Task<CompiledModule> compiled, RunRequest request, CancellationToken cancellationToken) =>
        await RunOnGuestThread(await compiled.ConfigureAwait(false), request, cancellationToken).ConfigureAwait(false);

    private async Task<CompiledModule> CompiledModuleAsync(RunRequest request, CancellationToken cancellationToken)
    {
        CompiledModule? compiled;
        if (request.ModuleBytes is { } bytes)
        {
            ModuleValidator.CheckHeader(bytes, _options.MaxModuleBytes);
            var sha256 = CompiledModuleCache.Sha256Of(bytes);
            compiled = await _cache.GetOrCompileAsync(
                sha256, _ => Task.FromResult<byte[]?>(bytes), persist: false, request.Tenant, cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            var sha256 = request.ModuleSha256;
            compiled = await _cache.GetOrCompileAsync(
                sha256,
                token => _bytesSource.GetModuleBytesAsync(sha256, token),
                persist: true,
                request.Tenant,
                cancellationToken).ConfigureAwait(false);
        }

        return compiled ?? throw new ModuleBytesMissingException(request.ModuleSha256);
    }

    private Task<RunResult> RunOnGuestThread(CompiledModule compiled, RunRequest request, CancellationToken cancellationToken)
    {
        // The guest thread does not inherit this flow's Activity: hand it the request's context to parent its spans.
        var parent = Activity.Current?.Context ?? default;
        return _pool.RunThenReleaseAsync<RunResult>(
            token =>
            {
                var (result, teardown) = _invoker.Invoke(compiled, request, parent, token);
                try
                {
                    _metrics.RunFinished(result);
                }
                catch
                {
                    // Nothing is handed back, so the store must not be left holding its pool slot until a GC.
                    teardown.Dispose();
                    throw;
                }

                return (result, teardown);
            },
            request.Tenant,
            cancellationToken);
    }

    private void CheckRequest(RunRequest request)
    {
        if (request.Stdin.Length > _options.MaxInputBytes)
        {
            throw new RunRequestRejectedException(
                "input_too_large", $"The input is {request.Stdin.Length} bytes; the limit is {_options.MaxInputBytes} bytes.");
        }

        CheckText(request.ProgramName, "program name", "invalid_args");
        if (request.ProgramName.Length == 0)
        {
            throw new RunRequestRejectedException("invalid_args", "The program name (argv[0]) must not be empty.");
        }

        if (request.Args.Count > _options.MaxArgs)
        {
            throw new RunRequestRejectedException(
                "invalid_args", $"{request.Args.Count} arguments were given; the limit is {_options.MaxArgs}.");
        }

        var argBytes = 0;
        foreach (var arg in request.Args)
        {
            CheckText(arg, "argument", "invalid_args");
            argBytes += Encoding.UTF8.GetByteCount(arg) + 1;
        }

        if (argBytes > _options.MaxArgBytes)
        {
            throw new RunRequestRejectedException(
                "invalid_args", $"The arguments take {argBytes} bytes; the limit is {_options.MaxArgBytes} bytes.");
        }

        if (request.Env.Count > _options.MaxEnvVars)
        {
            throw new RunRequestRejectedException(
                "invalid_env", $"{request.Env.Count} environment variables were given; the limit is {_options.MaxEnvVars}.");
        }

        var envBytes = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Env)
        {
            CheckText(name, "environment variable name", "invalid_env");
            CheckText(value, "environment variable value", "invalid_env");
            if (name.Length == 0 || name.Contains('=', StringComparison.Ordinal))
            {
                throw new RunRequestRejectedException(
                    "invalid_env", "Environment variable names must be non-empty and must not contain '='.");
            }

            if (!names.Add(name))
            {
                throw new RunRequestRejectedException("invalid_env", $"The environment variable {name} is given twice.");
            }

            envBytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 2;
        }

        if (envBytes > _options.MaxEnvBytes)
        {
            throw new RunRequestRejectedException(
                "invalid_env", $"The environment takes {envBytes} bytes; the limit is {_options.MaxEnvBytes} bytes.");
        }

        var limits = request.Limits;
        if (limits.TimeoutMs <= 0 || limits.TimeoutMs > _options.MaxTimeoutMs)
        {
            throw new RunRequestRejectedException(
                "invalid_limits", $"The timeout must be between 1 and {_options.MaxTimeoutMs} ms.");
        }

        if (limits.MemoryLimitBytes < Wasmtime.Memory.PageSize || limits.MemoryLimitBytes > _options.MaxMemoryBytes)
        {
            throw new RunRequestRejectedException(
                "invalid_limits",
                $"The memory limit must be between {Wasmtime.Memory.PageSize} and {_options.MaxMemoryBytes} bytes.");
        }

        if (limits.Fuel is { } fuel && (fuel == 0 || !_engine.FuelEnabled))
        {
            throw new RunRequestRejectedException(
                "invalid_limits",
                _engine.FuelEnabled ? "The fuel budget must be positive." : "Fuel metering is switched off on this service.");
        }
    }

    private static void CheckText(string text, string what, string code)
    {
        var article = "aeiou".Contains(what[0], StringComparison.Ordinal) ? "An" : "A";
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new RunRequestRejectedException(code, $"{article} {what} contains a NUL character.");
        }

        // WASI strings are UTF-8; a lone surrogate has no UTF-8 form.
        if (UnicodeText.HasLoneSurrogate(text))
        {
            throw new RunRequestRejectedException(code, $"{article} {what} is not valid Unicode text.");
        }
    }
}
