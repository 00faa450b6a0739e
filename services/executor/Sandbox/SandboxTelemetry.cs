using System.Diagnostics;

namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// The sandbox's spans, on the activity source <see cref="SourceName"/>: <c>validate</c> and <c>compile</c> when a
/// module is first seen (upload), <c>instantiate</c> and <c>run</c> for every run. They carry the module's hash and
/// the run's outcome, never stdin, arguments, environment values or module bytes.
/// </summary>
public static class SandboxTelemetry
{
    /// <summary>The activity source's name (what an OpenTelemetry <c>AddSource</c> names to collect it).</summary>
    public const string SourceName = "WasmWizard.Sandbox";

    /// <summary>Tag: the SHA-256 of the module's bytes, the executor's id of a module.</summary>
    public const string ModuleTag = "wasmwizard.module.sha256";

    /// <summary>Tag: how a run ended (<c>exited</c>, <c>trapped</c>, <c>timeout</c>, ...).</summary>
    public const string OutcomeTag = "wasmwizard.run.outcome";

    /// <summary>Tag: the exit code of a run that exited.</summary>
    public const string ExitCodeTag = "wasmwizard.run.exit_code";

    /// <summary>Tag: the machine code of a refused module.</summary>
    public const string RejectionTag = "wasmwizard.module.rejection";

    // Static so that a run with nobody listening costs one HasListeners check and no allocation.
    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Starts the span of <paramref name="phase"/> under <paramref name="parent"/>, or returns null when nobody
    /// listens. An explicit parent because runs happen on guest threads, where the request's Activity is not current.
    /// </summary>
    internal static Activity? StartPhase(SandboxPhase phase, string sha256, ActivityContext parent = default)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var activity = parent == default
            ? Source.StartActivity(phase.Name)
            : Source.StartActivity(phase.Name, ActivityKind.Internal, parent);
        activity?.SetTag(ModuleTag, sha256);
        return activity;
    }

    /// <summary>Ends a run's last span, with the run's outcome when it has one (none when the caller gave up).</summary>
    internal static void Ended(Activity? activity, string? outcome, int? exitCode)
    {
        if (activity is null)
        {
            return;
        }

        if (outcome is not null)
        {
            activity.SetTag(OutcomeTag, outcome);
            if (exitCode is { } code)
            {
                activity.SetTag(ExitCodeTag, code);
            }
        }

        activity.Dispose();
    }

    /// <summary>Marks the span of a phase that failed with <paramref name="error"/>.</summary>
    internal static void Failed(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        if (error is Shared.Contracts.ModuleRejectedException rejected)
        {
            activity.SetTag(RejectionTag, rejected.Code);
        }

        activity.SetStatus(ActivityStatusCode.Error, error.GetType().Name);
    }
}
