using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace WasmWizard.Tests.Shared;

/// <summary>
/// What a host writes to stdout, kept in memory: every event, formatted by the host's own formatter (the one
/// <c>Logs:Format</c> chose), beside the console sink. One capture may serve several hosts.
/// </summary>
public sealed class LogCapture
{
    private readonly List<string> _lines = [];

    /// <summary>The formatted events, in the order they were written.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Everything written, as one string.</summary>
    public string Text => string.Concat(Lines);

    /// <summary>Each line parsed as JSON; fails the test, naming the line, if one is not a JSON object.</summary>
    public IReadOnlyList<JsonElement> JsonLines()
    {
        var parsed = new List<JsonElement>();
        foreach (var line in Lines)
        {
            Assert.EndsWith("\n", line, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', line[..^1]);
            try
            {
                using var document = JsonDocument.Parse(line);
                Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
                parsed.Add(document.RootElement.Clone());
            }
            catch (JsonException e)
            {
                Assert.Fail($"A log line is not JSON ({e.Message}): {line}");
            }
        }

        return parsed;
    }

    /// <summary>Adds the capture to a host's services.</summary>
    public void AddTo(IServiceCollection services) =>
        services.AddSingleton<ILogEventSink>(sp => new Sink(this, sp.GetRequiredService<ITextFormatter>()));

    private sealed class Sink(LogCapture capture, ITextFormatter formatter) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            using var writer = new StringWriter();
            formatter.Format(logEvent, writer);
            lock (capture._lines)
            {
                capture._lines.Add(writer.ToString());
            }
        }
    }
}
