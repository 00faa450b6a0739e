namespace WasmWizard.Shared.Dapr.State;

/// <summary>How one optimistic read-decide-write pass ended: with an answer, or beaten by another writer.</summary>
internal readonly record struct Attempt<T>(bool Conflict, T Value)
{
    public static Attempt<T> Retry => new(true, default!);

    public static Attempt<T> Done(T value) => new(false, value);
}
