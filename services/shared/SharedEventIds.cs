namespace WasmWizard.Shared;

/// <summary>
/// Event ids of the shared library's log events, banded by area (9000s: hosting, 9100s: rate limiting and the sidecar,
/// 9120s: the executor client).
/// </summary>
internal static class SharedEventIds
{
    public const int RequestFinished = 9001;
    public const int HostFailed = 9002;

    public const int RateLimitActorTimedOut = 9101;
    public const int RateLimitActorFailed = 9102;
    public const int WaitingForSidecar = 9110;
    public const int SidecarReady = 9111;
    public const int SidecarTokenMissing = 9112;
    public const int ExecutorRequestTooLargeForSidecar = 9121;
}
