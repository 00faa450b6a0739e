using Microsoft.AspNetCore.Http;
using WasmWizard.Shared.Text;

namespace WasmWizard.Api.Http;

/// <summary>
/// A module's name is what the guest sees as argv[0], so it must be plain text: no path separators, no control
/// characters, no "." or "..".
/// </summary>
public static class ModuleNames
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>The name used when the client gives none at all.</summary>
    public const string Fallback = "module.wasm";

    /// <summary>Validates a name the client chose; refuses a bad one with a 400 that says what is wrong.</summary>
    public static string Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var problem = Problem(name);
        return problem is null
            ? name
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidField, "Invalid module name: " + problem);
    }

    /// <summary>A name derived from an uploaded file's name, or <see cref="Fallback"/> when that is unusable.</summary>
    public static string FromFileName(string? fileName)
    {
        var last = fileName?.Split('/', '\\').LastOrDefault();
        return last is not null && Problem(last) is null ? last : Fallback;
    }

    private static string? Problem(string name) => name switch
    {
        "" => "it is empty.",
        "." or ".." => "it may not be '.' or '..'.",
        _ when name.Length > MaxLength => $"it is longer than {MaxLength} characters.",
        _ when name.Any(char.IsControl) => "it contains control characters.",
        _ when name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) =>
            "it may not contain '/' or '\\'.",
        _ when UnicodeText.HasLoneSurrogate(name) => "it is not valid Unicode text.",
        _ => null,
    };
}
