using System.Globalization;
using System.Text.Json;
using Wasmtime;
using WasmWizard.Executor.Sandbox;
using WasmWizard.Shared.Contracts;

namespace WasmWizard.Compiler;

/// <summary>
/// The executor's compiler process: module bytes on stdin, an artifact written to --output, one line of JSON on
/// stdout. It exists so that a module that is expensive to compile costs a process that can be killed, not the
/// executor. See IsolatedCompiler for the other side.
/// </summary>
internal static class CompilerProgram
{
    public static int Main(string[] args)
    {
        string? output = null;
        long memoryLimit = 0;
        SandboxOptions? settings = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--output":
                    output = args[i + 1];
                    break;
                case "--memory-limit-bytes":
                    memoryLimit = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--settings":
                    settings = JsonSerializer.Deserialize<SandboxOptions>(args[i + 1]);
                    break;
            }
        }

        if (output is null || settings is null || memoryLimit <= 0)
        {
            Console.Error.WriteLine("usage: WasmWizard.Compiler --output <artifact> --memory-limit-bytes <n> --settings <json>");
            return 2;
        }

        ResourceLimits.Apply(memoryLimit);

        using var input = new MemoryStream();
        Console.OpenStandardInput().CopyTo(input);

        string answer;
        try
        {
            // No pooling allocator here: its reservations would count against the memory ceiling, and artifacts do
            // not depend on it. The executor's pooled engine checks, when it loads the artifact, that it fits.
            settings.UsePoolingAllocator = false;
            using var config = EngineConfiguration.Create(settings, poolSlots: 1);
            using var engine = new Engine(config);
            ModuleCompiler.CompileToArtifact(engine, settings, input.ToArray(), output);
            answer = JsonSerializer.Serialize(new CompilerAnswer(true, null, null));
        }
        catch (ModuleRejectedException e)
        {
            answer = JsonSerializer.Serialize(new CompilerAnswer(false, e.Code, e.Message));
        }

        Console.Out.WriteLine(answer);
        return 0;
    }
}
