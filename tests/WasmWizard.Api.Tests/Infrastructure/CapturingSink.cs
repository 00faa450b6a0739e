using Serilog.Core;
using Serilog.Events;

namespace WasmWizard.Api.Tests.Infrastructure;

/// <summary>Everything the host logs, rendered as text with its properties and exceptions.</summary>
public sealed class CapturingSink : ILogEventSink
{
    private readonly List<string> _lines = [];

    public string Text
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        using var writer = new StringWriter();
        logEvent.RenderMessage(writer);
        foreach (var (name, value) in logEvent.Properties)
        {
            writer.Write($" {name}={value}");
        }

        writer.Write(logEvent.Exception?.ToString());
        lock (_lines)
        {
            _lines.Add(writer.ToString());
        }
    }
}
