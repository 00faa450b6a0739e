using System.Net;
using System.Net.Http.Headers;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>
/// A request body that sends its first bytes and then waits until <see cref="Release"/>: a client caught
/// mid-upload, to see what the server holds (and refuses) while a body is still arriving.
/// </summary>
internal sealed class StalledContent : HttpContent
{
    private readonly byte[] _body;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StalledContent(byte[] body, MediaTypeHeaderValue? contentType)
    {
        _body = body;
        Headers.ContentType = contentType;
    }

    /// <summary>The bytes and content type of <paramref name="content"/>, sent with a stall in the middle.</summary>
    public static async Task<StalledContent> FromAsync(HttpContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new StalledContent(await content.ReadAsByteArrayAsync(), content.Headers.ContentType);
    }

    /// <summary>Lets the rest of the body go.</summary>
    public void Release() => _released.TrySetResult();

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        var half = _body.Length / 2;
        await stream.WriteAsync(_body.AsMemory(0, half));
        await stream.FlushAsync();
        await _released.Task;
        await stream.WriteAsync(_body.AsMemory(half));
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
