namespace WasmWizard.Distributed.Tests.Infrastructure;

/// <summary>
/// The <see cref="DistributedComposition"/> as an operator should run it: every sidecar with the same
/// <c>DAPR_API_TOKEN</c> and each app with its own <c>APP_API_TOKEN</c>, set on the sidecar and the app alike.
/// </summary>
public sealed class SecuredDistributedComposition : DistributedComposition
{
    /// <summary>A composition with fresh random tokens.</summary>
    public SecuredDistributedComposition()
        : base(new SidecarTokens())
    {
    }
}
