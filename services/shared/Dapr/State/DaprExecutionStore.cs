using Dapr.Client;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// The run history in the shared Dapr state store (<c>execution:{id}</c>), for the distributed deployment.
/// </summary>
/// <remarks>
/// TODO: no index of a user's runs is kept, because the port has no listing yet; a per-user list of every run
/// would grow without bound, so history listing wants a day-bucketed index or a queryable store.
/// </remarks>
public sealed class DaprExecutionStore(DaprClient dapr, TimeProvider time) : IExecutionStore
{
    private readonly StateStoreClient _state = new(dapr, time);

    /// <inheritdoc />
    public async Task AddAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (!await _state.TryAddAsync(StateKeys.Execution(execution.Id), execution.Stored(), cancellationToken))
        {
            // The SQLite store refuses a second row with the same id too.
            throw new InvalidOperationException($"An execution with id {execution.Id} is already stored.");
        }
    }
}
