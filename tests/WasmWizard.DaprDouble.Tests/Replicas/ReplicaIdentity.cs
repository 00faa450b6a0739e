namespace WasmWizard.DaprDouble.Tests.Replicas;

/// <summary>Which replica an app is, registered in its services.</summary>
/// <param name="Index">The <see cref="SidecarDouble.ReplicaIndex"/> of the app's sidecar.</param>
public sealed record ReplicaIdentity(int Index);
