using System.Text;

namespace WasmWizard.DaprDouble.State;

/// <summary>One stored value and the ETag the store gave it.</summary>
/// <param name="Value">The bytes as the app sent them (JSON from the .NET SDK).</param>
/// <param name="ETag">The version, which changes on every write.</param>
public sealed record StateEntry(ReadOnlyMemory<byte> Value, string ETag)
{
    /// <summary>The value decoded as UTF-8, handy for JSON values.</summary>
    public string ValueAsString() => Encoding.UTF8.GetString(Value.Span);
}
