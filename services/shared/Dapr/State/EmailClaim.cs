namespace WasmWizard.Shared.Dapr.State;

/// <summary>Which user holds an email address (<c>user-email:{sha256 of the lower-cased address}</c>).</summary>
/// <param name="UserId">The holder.</param>
internal sealed record EmailClaim(Guid UserId);
