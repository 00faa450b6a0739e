using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WasmWizard.Audit.Storage.Migrations;

/// <summary>One schema script, embedded in this assembly as <c>NNNN_name.sql</c>.</summary>
/// <param name="Version">Its number: scripts apply in ascending order, each once.</param>
/// <param name="Name">Its file name.</param>
/// <param name="Sql">Its text.</param>
public sealed record PostgresMigration(int Version, string Name, string Sql)
{
    private const string ResourcePrefix = "WasmWizard.Audit.Migrations.";

    /// <summary>The script's SHA-256 (hex), kept when applied, so an applied script edited afterwards is noticed.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    /// <summary>Every embedded script, in version order.</summary>
    public static IReadOnlyList<PostgresMigration> Embedded { get; } = LoadEmbedded();

    private static List<PostgresMigration> LoadEmbedded()
    {
        var assembly = typeof(PostgresMigration).Assembly;
        var scripts = new List<PostgresMigration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[ResourcePrefix.Length..];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore < 1
                || !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"The migration {name} does not start with its number (0001_…).");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            scripts.Add(new PostgresMigration(version, name, reader.ReadToEnd()));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < scripts.Count; i++)
        {
            if (scripts[i].Version == scripts[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations share version {scripts[i].Version}.");
            }
        }

        return scripts;
    }
}
