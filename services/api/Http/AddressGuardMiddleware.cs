using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace WasmWizard.Api.Http;

/// <summary>
/// Runs before authentication: an address that has spent its budget of failed credentials is refused any further
/// credential until the budget refills, so a guesser cannot tell a right guess from a wrong one at speed.
/// </summary>
public sealed class AddressGuardMiddleware(RequestDelegate next, AddressBudget budget, IProblemDetailsService problems)
{
    /// <summary>Refuses or hands the request on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var partition = AddressBudget.PartitionOf(context.Connection.RemoteIpAddress);
        if (context.Request.Headers.Authorization.Count > 0
            && !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase)
            && budget.IsSpent(partition))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = ApiProblems.Details(
                    StatusCodes.Status429TooManyRequests,
                    ErrorCodes.RateLimited,
                    string.Create(CultureInfo.InvariantCulture, $"Too many failed credentials from this address; retry in 1 s.")),
            });
            return;
        }

        await next(context);
    }
}
