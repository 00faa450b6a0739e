namespace WasmWizard.Executor.Hosting;

/// <summary>Reads request bodies and parts into memory, each within a limit.</summary>
internal static class RequestBodies
{
    /// <summary>
    /// Reads <paramref name="body"/> to its end. Past <paramref name="limit"/> it throws what
    /// <paramref name="tooLarge"/> makes; with no limit, the server's own body limit is what bounds it.
    /// </summary>
    public static async Task<byte[]> ReadAllAsync(
        Stream body, long? limit, Func<Exception> tooLarge, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw tooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
