using WasmWizard.Tests.Shared;

namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>One instruction of a Dockerfile, continuation lines joined.</summary>
/// <param name="Stage">The build stage it belongs to, from 1 (each FROM starts one).</param>
/// <param name="Keyword">FROM, COPY, RUN, ENV, ... in upper case.</param>
/// <param name="Arguments">The rest of the instruction.</param>
public sealed record DockerInstruction(int Stage, string Keyword, string Arguments);

/// <summary>A Dockerfile read the way docker reads its instructions (enough for the tests: no parser directives).</summary>
public sealed class Dockerfile
{
    private Dockerfile(string file, IReadOnlyList<DockerInstruction> instructions)
    {
        File = file;
        Instructions = instructions;
    }

    /// <summary>The file, relative to the repository root.</summary>
    public string File { get; }

    /// <summary>Every instruction, in order.</summary>
    public IReadOnlyList<DockerInstruction> Instructions { get; }

    /// <summary>How many stages (FROM instructions) the file has.</summary>
    public int Stages => Instructions.Count(i => i.Keyword == "FROM");

    /// <summary>The instructions of the last stage: what the image is made of.</summary>
    public IReadOnlyList<DockerInstruction> FinalStage => Instructions.Where(i => i.Stage == Stages).ToList();

    /// <summary>The environment the final stage sets (ENV key=value pairs).</summary>
    public IReadOnlyDictionary<string, string> FinalEnvironment =>
        FinalStage.Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    /// <summary>The arguments of the final stage's last instruction with <paramref name="keyword"/>, or null.</summary>
    public string? Last(string keyword) => FinalStage.LastOrDefault(i => i.Keyword == keyword)?.Arguments;

    /// <summary>The default value of a build argument (ARG name=value), or null.</summary>
    public string? ArgDefault(string name) =>
        Instructions.Where(i => i.Keyword == "ARG" && i.Arguments.StartsWith(name + "=", StringComparison.Ordinal))
            .Select(i => i.Arguments[(name.Length + 1)..])
            .FirstOrDefault();

    /// <summary>Reads <paramref name="relativePath"/>; fails the test when it is missing.</summary>
    public static Dockerfile Load(string relativePath)
    {
        var path = Path.Combine(RepositoryLocation.Root, relativePath);
        Assert.True(System.IO.File.Exists(path), $"{relativePath}: missing");
        var instructions = new List<DockerInstruction>();
        var stage = 0;
        var pending = "";
        foreach (var raw in System.IO.File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }

            line = (pending + line).Trim();
            pending = "";
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var keyword = (space < 0 ? line : line[..space]).ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new DockerInstruction(stage, keyword, space < 0 ? "" : line[(space + 1)..].Trim()));
        }

        return new Dockerfile(relativePath, instructions);
    }
}
