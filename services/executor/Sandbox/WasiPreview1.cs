using System.Collections.Frozen;
using Wasmtime;

namespace WasmWizard.Executor.Sandbox;

/// <summary>The functions of <c>wasi_snapshot_preview1</c> and their core WebAssembly signatures.</summary>
internal static class WasiPreview1
{
    public const string ModuleName = "wasi_snapshot_preview1";

    private const ValueKind I32 = ValueKind.Int32;
    private const ValueKind I64 = ValueKind.Int64;

    /// <summary>Name to (parameters, results).</summary>
    public static FrozenDictionary<string, (ValueKind[] Parameters, ValueKind[] Results)> Functions { get; } =
        new Dictionary<string, (ValueKind[], ValueKind[])>
        {
            ["args_get"] = ([I32, I32], [I32]),
            ["args_sizes_get"] = ([I32, I32], [I32]),
            ["environ_get"] = ([I32, I32], [I32]),
            ["environ_sizes_get"] = ([I32, I32], [I32]),
            ["clock_res_get"] = ([I32, I32], [I32]),
            ["clock_time_get"] = ([I32, I64, I32], [I32]),
            ["fd_advise"] = ([I32, I64, I64, I32], [I32]),
            ["fd_allocate"] = ([I32, I64, I64], [I32]),
            ["fd_close"] = ([I32], [I32]),
            ["fd_datasync"] = ([I32], [I32]),
            ["fd_fdstat_get"] = ([I32, I32], [I32]),
            ["fd_fdstat_set_flags"] = ([I32, I32], [I32]),
            ["fd_fdstat_set_rights"] = ([I32, I64, I64], [I32]),
            ["fd_filestat_get"] = ([I32, I32], [I32]),
            ["fd_filestat_set_size"] = ([I32, I64], [I32]),
            ["fd_filestat_set_times"] = ([I32, I64, I64, I32], [I32]),
            ["fd_pread"] = ([I32, I32, I32, I64, I32], [I32]),
            ["fd_prestat_get"] = ([I32, I32], [I32]),
            ["fd_prestat_dir_name"] = ([I32, I32, I32], [I32]),
            ["fd_pwrite"] = ([I32, I32, I32, I64, I32], [I32]),
            ["fd_read"] = ([I32, I32, I32, I32], [I32]),
            ["fd_readdir"] = ([I32, I32, I32, I64, I32], [I32]),
            ["fd_renumber"] = ([I32, I32], [I32]),
            ["fd_seek"] = ([I32, I64, I32, I32], [I32]),
            ["fd_sync"] = ([I32], [I32]),
            ["fd_tell"] = ([I32, I32], [I32]),
            ["fd_write"] = ([I32, I32, I32, I32], [I32]),
            ["path_create_directory"] = ([I32, I32, I32], [I32]),
            ["path_filestat_get"] = ([I32, I32, I32, I32, I32], [I32]),
            ["path_filestat_set_times"] = ([I32, I32, I32, I32, I64, I64, I32], [I32]),
            ["path_link"] = ([I32, I32, I32, I32, I32, I32, I32], [I32]),
            ["path_open"] = ([I32, I32, I32, I32, I32, I64, I64, I32, I32], [I32]),
            ["path_readlink"] = ([I32, I32, I32, I32, I32, I32], [I32]),
            ["path_remove_directory"] = ([I32, I32, I32], [I32]),
            ["path_rename"] = ([I32, I32, I32, I32, I32, I32], [I32]),
            ["path_symlink"] = ([I32, I32, I32, I32, I32], [I32]),
            ["path_unlink_file"] = ([I32, I32, I32], [I32]),
            ["poll_oneoff"] = ([I32, I32, I32, I32], [I32]),
            ["proc_exit"] = ([I32], []),
            ["proc_raise"] = ([I32], [I32]),
            ["sched_yield"] = ([], [I32]),
            ["random_get"] = ([I32, I32], [I32]),
            ["sock_accept"] = ([I32, I32, I32], [I32]),
            ["sock_recv"] = ([I32, I32, I32, I32, I32, I32], [I32]),
            ["sock_send"] = ([I32, I32, I32, I32, I32], [I32]),
            ["sock_shutdown"] = ([I32, I32], [I32]),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Formats a signature the way WebAssembly text does, e.g. <c>(i32, i64) -> i32</c>.</summary>
    public static string Describe(IReadOnlyList<ValueKind> parameters, IReadOnlyList<ValueKind> results)
    {
        var resultText = results.Count switch
        {
            0 => "()",
            1 => Name(results[0]),
            _ => "(" + string.Join(", ", results.Select(Name)) + ")",
        };
        return "(" + string.Join(", ", parameters.Select(Name)) + ") -> " + resultText;
    }

    private static string Name(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => "i32",
        ValueKind.Int64 => "i64",
        ValueKind.Float32 => "f32",
        ValueKind.Float64 => "f64",
        ValueKind.V128 => "v128",
        ValueKind.FuncRef => "funcref",
        ValueKind.ExternRef => "externref",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
