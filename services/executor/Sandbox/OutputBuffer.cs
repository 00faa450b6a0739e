namespace WasmWizard.Executor.Sandbox;

/// <summary>
/// Collects what a guest writes to one stream, up to a cap. Writes past the cap are dropped (the guest still
/// sees them succeed, so it does not spin retrying) and the buffer remembers it was truncated. Only the guest
/// thread writes and then reads it, so it takes no lock; it grows by doubling, since guests write a line at a time.
/// </summary>
internal sealed class OutputBuffer(int capacity)
{
    private const int FirstSize = 256;

    private byte[] _bytes = [];
    private int _length;

    /// <summary>Whether the guest wrote more than the cap.</summary>
    public bool Truncated { get; private set; }

    /// <summary>Appends what fits under the cap.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        var room = capacity - _length;
        if (data.Length > room)
        {
            Truncated = true;
            data = data[..room];
        }

        if (data.IsEmpty)
        {
            return;
        }

        var needed = _length + data.Length;
        if (needed > _bytes.Length)
        {
            var size = Math.Max(needed, Math.Max(FirstSize, _bytes.Length * 2L));
            Array.Resize(ref _bytes, (int)Math.Min(size, capacity));
        }

        data.CopyTo(_bytes.AsSpan(_length));
        _length = needed;
    }

    /// <summary>A copy of what was kept.</summary>
    public byte[] ToArray() => _bytes.AsSpan(0, _length).ToArray();
}
