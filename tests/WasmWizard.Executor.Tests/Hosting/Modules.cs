using System.Security.Cryptography;
using WasmWizard.Tests.Shared;

namespace WasmWizard.Executor.Tests.Hosting;

/// <summary>The modules the hosting tests run.</summary>
internal static class Modules
{
    /// <summary>The repository's example: greets, then copies stdin to stdout.</summary>
    public static byte[] Echo { get; } =
        File.ReadAllBytes(Path.Combine(RepositoryLocation.Root, "examples", "echo.wasm"));

    public const string EchoGreeting = "Hello from WebAssembly!\n";

    /// <summary>Prints argv, then the environment, each string NUL-terminated, as the guest received them.</summary>
    public static byte[] ArgsAndEnv { get; } = Wat.Compile(Wat.Command("""
        (func (export "_start")
          (drop (call $args_sizes (i32.const 16) (i32.const 20)))
          (drop (call $args_get (i32.const 1024) (i32.const 8192)))
          (call $print (i32.const 8192) (i32.load (i32.const 20)))
          (drop (call $env_sizes (i32.const 16) (i32.const 20)))
          (drop (call $env_get (i32.const 1024) (i32.const 32768)))
          (call $print (i32.const 32768) (i32.load (i32.const 20))))
        """, "(memory (export \"memory\") 1)"));

    /// <summary>Sleeps for <paramref name="milliseconds"/>, then exits 0.</summary>
    public static byte[] Sleeper(int milliseconds) => Wat.Compile(Wat.Command(
        $"(func (export \"_start\") (call $sleep (i64.const {milliseconds * 1_000_000L})))"));

    /// <summary>
    /// <see cref="Echo"/> with a custom section that makes it <paramref name="totalBytes"/> long: still the same
    /// program, but larger than a sidecar's default 4 MiB body.
    /// </summary>
    public static byte[] PaddedEcho(int totalBytes)
    {
        const string name = "padding";

        // Section id 0, size as LEB128 (always 5 bytes here, padded), then the name and the payload.
        var header = 1 + 5 + 1 + name.Length;
        var payload = totalBytes - Echo.Length - header;
        var contentSize = 1 + name.Length + payload;
        var module = new byte[totalBytes];
        Echo.CopyTo(module, 0);
        var at = Echo.Length;
        module[at++] = 0;
        for (var i = 0; i < 5; i++)
        {
            module[at++] = (byte)(((contentSize >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0));
        }

        module[at++] = (byte)name.Length;
        foreach (var c in name)
        {
            module[at++] = (byte)c;
        }

        RandomNumberGenerator.Fill(module.AsSpan(at));
        return module;
    }

    public static string Sha256(byte[] module) => Convert.ToHexStringLower(SHA256.HashData(module));
}
