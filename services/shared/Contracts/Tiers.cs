namespace WasmWizard.Shared.Contracts;

/// <summary>The subscription tiers a user can have. Each tier caps what one run may use.</summary>
public static class Tiers
{
    /// <summary>The entry tier.</summary>
    public const string Free = "free";

    /// <summary>The first paid tier.</summary>
    public const string Basic = "basic";

    /// <summary>The professional tier.</summary>
    public const string Pro = "pro";

    /// <summary>The highest tier.</summary>
    public const string Enterprise = "enterprise";

    /// <summary>Every tier, from lowest to highest.</summary>
    public static IReadOnlyList<string> All { get; } = [Free, Basic, Pro, Enterprise];

    /// <summary>Whether <paramref name="tier"/> names a known tier (exact, lower case).</summary>
    public static bool IsKnown(string? tier) => tier is not null && All.Contains(tier, StringComparer.Ordinal);
}
