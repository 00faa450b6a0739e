using System.Text.Json.Nodes;

namespace WasmWizard.LoadGenerator;

/// <summary>
/// The entry point. Not top-level statements: those would declare a global <c>Program</c>, and the ratio mode
/// needs the embedded host's <c>Program</c> by that name.
/// </summary>
public static class LoadGeneratorMain
{
    public static async Task<int> Main(string[] args)
    {
        // stdout carries the JSON report alone; anything the host or the runtime prints goes to stderr.
        var stdout = Console.Out;
        Console.SetOut(Console.Error);
        JsonObject report;
        try
        {
            var options = LoadOptions.Parse(args);
            report = options.Mode switch
            {
                "ratio" => await RatioRun.RunAsync(options).ConfigureAwait(false),
                "overload" => await OverloadRun.RunAsync(options).ConfigureAwait(false),
                "runaway" => await RunawayRun.RunAsync(options).ConfigureAwait(false),
                "memory" => await MemoryRun.RunAsync(options).ConfigureAwait(false),
                _ => await HttpLoad.RunAsync(options).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException)
        {
            // A mistake on the command line: say what it was, without a stack trace.
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(LoadOptions.Usage);
            return 2;
        }

        await stdout.WriteLineAsync(report.ToJsonString(Json.Options)).ConfigureAwait(false);
        await stdout.FlushAsync().ConfigureAwait(false);
        return 0;
    }
}
