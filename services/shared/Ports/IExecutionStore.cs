namespace WasmWizard.Shared.Ports;

/// <summary>The history of finished runs.</summary>
public interface IExecutionStore
{
    /// <summary>Records a finished run.</summary>
    Task AddAsync(ExecutionRecord execution, CancellationToken cancellationToken);
}
