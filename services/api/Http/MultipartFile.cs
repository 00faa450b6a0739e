namespace WasmWizard.Api.Http;

/// <summary>A file part of a multipart body.</summary>
/// <param name="Name">The form field name.</param>
/// <param name="FileName">The file name the client gave, or null.</param>
/// <param name="Content">The bytes.</param>
public sealed record MultipartFile(string Name, string? FileName, byte[] Content);
