namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The <c>type</c> of each problem the executor's internal endpoints answer with. The type says which exception the
/// caller rebuilds; the <c>code</c> member says why.
/// </summary>
public static class ExecutorProblemTypes
{
    /// <summary>The module was refused (a <c>ModuleRejectedException</c>; code from <c>ModuleRejectionCodes</c>).</summary>
    public const string ModuleRejected = Prefix + "module-rejected";

    /// <summary>The run was refused before it started (a <c>RunRequestRejectedException</c>).</summary>
    public const string RunRejected = Prefix + "run-rejected";

    /// <summary>No sandbox slot: code <see cref="ExecutorErrorCodes.ExecutorBusy"/> or, for a tenant over its share,
    /// <see cref="ExecutorErrorCodes.ConcurrencyLimited"/>; <c>Retry-After</c> says when to try again.</summary>
    public const string Busy = Prefix + "busy";

    /// <summary>Something the executor needs (the state store) did not answer; <c>Retry-After</c> is set.</summary>
    public const string DependencyUnavailable = Prefix + "dependency-unavailable";

    /// <summary>A run by hash found no stored bytes for the module.</summary>
    public const string ModuleNotFound = Prefix + "module-not-found";

    /// <summary>The request is malformed: not what the api sends, so a bug or a stranger.</summary>
    public const string InvalidRequest = Prefix + "invalid-request";

    /// <summary>The body is larger than the executor accepts at all.</summary>
    public const string TooLarge = Prefix + "too-large";

    /// <summary>The app token (<c>dapr-api-token</c>) is missing or wrong.</summary>
    public const string Unauthorized = Prefix + "unauthorized";

    /// <summary>Anything else; the details stay in the executor's log.</summary>
    public const string Internal = Prefix + "internal";

    private const string Prefix = "urn:wasmwizard:executor:";

    /// <summary>Whether <paramref name="type"/> is one of the executor's problem types.</summary>
    public static bool IsExecutorType(string? type) => type?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}
