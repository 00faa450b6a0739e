namespace WasmWizard.Api.Model;

/// <summary>The caller's API keys.</summary>
public sealed record KeyListResponse(IReadOnlyList<KeyResponse> Keys);
