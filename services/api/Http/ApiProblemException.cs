namespace WasmWizard.Api.Http;

/// <summary>A request the api refuses; becomes a problem-details response with this status and code.</summary>
public sealed class ApiProblemException(int status, string code, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public int Status => status;

    /// <summary>A stable machine-readable reason.</summary>
    public string Code => code;
}
