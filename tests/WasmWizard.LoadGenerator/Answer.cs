namespace WasmWizard.LoadGenerator;

/// <summary>What an HTTP answer said: its status, and whether it carried <c>Retry-After</c>.</summary>
public readonly record struct Answer(int Status, bool RetryAfter);
