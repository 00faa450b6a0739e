namespace WasmWizard.Shared.Ports;

/// <summary>What <see cref="IIdentityStore.EnsureUserAsync"/> had to do.</summary>
public enum EnsuredUser
{
    /// <summary>The user existed with this tier.</summary>
    Unchanged,

    /// <summary>The user was created.</summary>
    Created,

    /// <summary>The user existed with another tier, now replaced.</summary>
    TierChanged,
}
