namespace WasmWizard.Api.Http;

/// <summary>The stable <c>code</c> values of problem responses written by the api itself.</summary>
public static class ErrorCodes
{
    /// <summary>No credentials, or credentials that do not authenticate.</summary>
    public const string Unauthorized = "unauthorized";

    /// <summary>Authenticated but not allowed.</summary>
    public const string Forbidden = "forbidden";

    /// <summary>The thing does not exist or belongs to someone else.</summary>
    public const string NotFound = "not_found";

    /// <summary>The request is malformed.</summary>
    public const string BadRequest = "bad_request";

    /// <summary>The body is larger than allowed.</summary>
    public const string PayloadTooLarge = "payload_too_large";

    /// <summary>The body has a content type the endpoint does not take.</summary>
    public const string UnsupportedMediaType = "unsupported_media_type";

    /// <summary>A JSON body could not be parsed or has a field of the wrong type.</summary>
    public const string InvalidJson = "invalid_json";

    /// <summary>A multipart body could not be parsed or breaks a limit.</summary>
    public const string InvalidMultipart = "invalid_multipart";

    /// <summary>A field is missing or has a value outside its domain.</summary>
    public const string InvalidField = "invalid_field";

    /// <summary>A query parameter is malformed or out of range.</summary>
    public const string InvalidQuery = "invalid_query";

    /// <summary>A pagination cursor that this service did not hand out.</summary>
    public const string InvalidCursor = "invalid_cursor";

    /// <summary>A run asked for more than the caller's tier allows.</summary>
    public const string LimitExceedsTier = "limit_exceeds_tier";

    /// <summary>The email is already registered.</summary>
    public const string EmailTaken = "email_taken";

    /// <summary>The input is larger than allowed.</summary>
    public const string InputTooLarge = "input_too_large";

    /// <summary>The caller's request rate limit is spent.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>The tenant already has as many runs in flight as its tier allows.</summary>
    public const string ConcurrencyLimited = "concurrency_limited";

    /// <summary>The user holds as many active API keys as allowed.</summary>
    public const string KeyLimit = "key_limit";

    /// <summary>A dependency (sidecar, state store, executor) did not answer; retry after the given time.</summary>
    public const string DependencyUnavailable = "dependency_unavailable";

    /// <summary>The tenant's storage quota (modules or bytes) is used up.</summary>
    public const string QuotaExceeded = "quota_exceeded";

    /// <summary>The executor has no free slot.</summary>
    public const string ExecutorBusy = "executor_busy";

    /// <summary>A dependency failed or a bug; the details are in the server log only.</summary>
    public const string InternalError = "internal_error";

    /// <summary>The method is not allowed on this path.</summary>
    public const string MethodNotAllowed = "method_not_allowed";

    /// <summary>An <c>Idempotency-Key</c> was used before for a different module or request body.</summary>
    public const string IdempotencyConflict = "idempotency_conflict";

    /// <summary>A request header is malformed.</summary>
    public const string InvalidHeader = "invalid_header";

    /// <summary>This host does not offer the feature (yet).</summary>
    public const string NotImplemented = "not_implemented";
}
