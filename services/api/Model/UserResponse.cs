using WasmWizard.Shared.Ports;

namespace WasmWizard.Api.Model;

/// <summary>A user as the admin endpoints show it.</summary>
public sealed record UserResponse(Guid Id, string Email, string Tier, bool IsAdmin, DateTimeOffset CreatedAt)
{
    /// <summary>Maps a stored user.</summary>
    public static UserResponse From(UserRecord user) => new(user.Id, user.Email, user.Tier, user.IsAdmin, user.CreatedAt);
}
