using WasmWizard.Api.Auth;

namespace WasmWizard.Api.Bootstrap;

/// <summary>
/// <c>--print-new-admin-key</c>: prints a newly generated API key and exits without starting the service, so an
/// operator can fill the secret behind <c>Api:AdminApiKey</c> with a key the api accepts. Standard output is the
/// point of the command; nothing is logged.
/// </summary>
public static class AdminKeyCommand
{
    /// <summary>The command-line switch.</summary>
    public const string Switch = "--print-new-admin-key";

    /// <summary>Prints a new key to <paramref name="output"/> when <paramref name="args"/> ask for one.</summary>
    public static bool TryRun(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (!args.Contains(Switch, StringComparer.Ordinal))
        {
            return false;
        }

        output.WriteLine(ApiKeys.Generate());
        return true;
    }
}
