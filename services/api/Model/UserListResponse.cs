namespace WasmWizard.Api.Model;

/// <summary>One page of users.</summary>
public sealed record UserListResponse(IReadOnlyList<UserResponse> Users, int Page, int Limit, long Total, bool HasNext);
