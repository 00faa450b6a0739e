using Microsoft.IdentityModel.Tokens;

namespace WasmWizard.Api.Auth;

/// <summary>Why a credential did not authenticate, in words that reveal nothing of the credential itself.</summary>
public static class AuthFailureReason
{
    private const string ItemKey = "ww:auth-failure";

    /// <summary>Notes why this request's credential failed, for the audit record.</summary>
    public static void Remember(Microsoft.AspNetCore.Http.HttpContext context, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[ItemKey] = reason;
    }

    /// <summary>Why this request's credential failed, if a handler said so.</summary>
    public static string Recall(Microsoft.AspNetCore.Http.HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items.TryGetValue(ItemKey, out var reason) && reason is string text ? text : "The credential is not valid.";
    }

    /// <summary>A short reason for <paramref name="failure"/>.</summary>
    public static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "The token has expired.",
        SecurityTokenInvalidAudienceException => "The token is not meant for this service (audience).",
        SecurityTokenInvalidIssuerException => "The token comes from an issuer this service does not trust.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "The token's signature does not verify.",
        SecurityTokenException => "The bearer token is not valid.",
        null => "A valid API key or bearer token is required: send Authorization: Bearer ww_... or a JWT.",
        _ => failure.Message.StartsWith("The ", StringComparison.Ordinal) ? failure.Message : "The credential is not valid.",
    };
}
