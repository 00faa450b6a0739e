using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace WasmWizard.Api.Http;

/// <summary>
/// Builds RFC 9457 problem details carrying the two members every client of this api reads: <c>error</c>
/// (the message earlier clients show) and <c>code</c> (stable, for programs).
/// </summary>
public static class ApiProblems
{
    /// <summary>A problem result with the given status, code and message.</summary>
    public static ProblemHttpResult Create(int status, string code, string message) =>
        TypedResults.Problem(Details(status, code, message));

    /// <summary>The problem body itself.</summary>
    public static ProblemDetails Details(int status, string code, string message) => new()
    {
        Status = status,
        Title = ReasonPhrases.GetReasonPhrase(status),
        Detail = message,
        Extensions =
        {
            ["error"] = message,
            ["code"] = code,
        },
    };

    /// <summary>The default code of a status when nothing more specific is known.</summary>
    public static string DefaultCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ErrorCodes.BadRequest,
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        >= 500 => ErrorCodes.InternalError,
        _ => "http_" + status,
    };
}
