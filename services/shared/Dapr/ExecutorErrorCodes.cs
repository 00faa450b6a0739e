namespace WasmWizard.Shared.Dapr;

/// <summary>
/// The <c>code</c> of executor problems that are not module or run refusals (those carry the refusal's own code).
/// </summary>
public static class ExecutorErrorCodes
{
    /// <summary>Every sandbox slot is busy.</summary>
    public const string ExecutorBusy = "executor_busy";

    /// <summary>The tenant already holds its share of the sandbox slots.</summary>
    public const string ConcurrencyLimited = "concurrency_limited";

    /// <summary>A dependency of the executor did not answer.</summary>
    public const string DependencyUnavailable = "dependency_unavailable";

    /// <summary>No bytes are stored for the module a run names.</summary>
    public const string ModuleNotFound = "module_not_found";

    /// <summary>The request is malformed.</summary>
    public const string InvalidRequest = "invalid_request";

    /// <summary>The request has a content type the endpoint does not take.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>The body is larger than the executor accepts at all.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>The app token is missing or wrong.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>The route or method does not exist.</summary>
    public const string NotFound = "not_found";

    /// <summary>A bug or an unexpected failure.</summary>
    public const string InternalError = "internal_error";
}
