namespace WasmWizard.Api.Http;

/// <summary>A multipart body read into memory under limits: file parts as bytes, other parts as text.</summary>
public sealed class MultipartForm
{
    private readonly Dictionary<string, MultipartFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _fields = new(StringComparer.Ordinal);

    /// <summary>The file part named <paramref name="name"/>, if any.</summary>
    public MultipartFile? File(string name) => _files.GetValueOrDefault(name);

    /// <summary>The text part named <paramref name="name"/>, if any.</summary>
    public string? Field(string name) => _fields.GetValueOrDefault(name);

    /// <summary>
    /// The text of part <paramref name="name"/>, whether sent as text or as a file (<c>curl -F args=@args.json</c>),
    /// or null. A file part that is not UTF-8 is refused.
    /// </summary>
    public string? Text(string name)
    {
        if (_fields.TryGetValue(name, out var text))
        {
            return text;
        }

        return _files.TryGetValue(name, out var file) ? MultipartFormReader.DecodeText(file.Content, name) : null;
    }

    /// <summary>The bytes of part <paramref name="name"/>, whether sent as a file or as text.</summary>
    public byte[]? Bytes(string name) =>
        _files.TryGetValue(name, out var file) ? file.Content
        : _fields.TryGetValue(name, out var text) ? System.Text.Encoding.UTF8.GetBytes(text)
        : null;

    internal bool Contains(string name) => _files.ContainsKey(name) || _fields.ContainsKey(name);

    internal void Add(MultipartFile file) => _files.Add(file.Name, file);

    internal void Add(string name, string value) => _fields.Add(name, value);
}
