namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Collects what a guest writes to one stream, up to a cap. Writes past the cap are dropped (the guest still
/// sees them succeed, so it does not spin retrying) and the buffer remembers it was truncated.
/// </summary>
internal sealed class OutputBuffer(int capacity)
{
    private readonly Lock _lock = new();
    private readonly MemoryStream _bytes = new();
    private bool _truncated;

    /// <summary>Whether the guest wrote more than the cap.</summary>
    public bool Truncated
    {
        get
        {
            lock (_lock)
            {
                return _truncated;
            }
        }
    }

    /// <summary>Appends what fits under the cap. Wasmtime calls this from its own thread.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_lock)
        {
            var room = capacity - (int)_bytes.Length;
            if (data.Length > room)
            {
                _truncated = true;
                data = data[..Math.Max(room, 0)];
            }

            _bytes.Write(data);
        }
    }

    /// <summary>A copy of what was kept.</summary>
    public byte[] ToArray()
    {
        lock (_lock)
        {
            return _bytes.ToArray();
        }
    }
}
