namespace WasmWizard.Api.Model;

/// <summary>One page of modules, in the shape the earlier service's clients read.</summary>
public sealed record ModuleListResponse(IReadOnlyList<ModuleResponse> Modules, int Page, int Limit, long Total, bool HasNext);
