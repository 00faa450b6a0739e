using System.Diagnostics;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;
using WasmWizard.Shared.Hosting;

namespace WasmWizard.Shared.Tests.Hosting;

/// <summary>The JSON log line: one line per event whatever it holds, with the CLEF fields and every property.</summary>
public sealed class JsonLogFormatterTests
{
    [Fact]
    public void Format_MultiLineValuesAndException_OneJsonLineWithEveryField()
    {
        // Arrange
        var traceId = ActivityTraceId.CreateRandom();
        var spanId = ActivitySpanId.CreateRandom();
        var logEvent = new LogEvent(
            new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.FromHours(2)),
            LogEventLevel.Warning,
            new InvalidOperationException("first line\nsecond line"),
            new MessageTemplateParser().Parse("Module {Name} refused: {Reason}"),
            [
                new LogEventProperty("Name", new ScalarValue("a\"b")),
                new LogEventProperty("Reason", new ScalarValue("line one\nline two")),
                new LogEventProperty("@odd", new ScalarValue(1)),
                new LogEventProperty("EventId", new StructureValue(
                    [new LogEventProperty("Id", new ScalarValue(7)), new LogEventProperty("Name", new ScalarValue("X"))])),
            ],
            traceId,
            spanId);
        using var output = new StringWriter();

        // Act
        new JsonLogFormatter().Format(logEvent, output);

        // Assert
        var text = output.ToString();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text[..^1]);
        var line = JsonDocument.Parse(text).RootElement;
        Assert.Equal("2026-12-04T08:00:00.0000000Z", line.GetProperty("@t").GetString());
        Assert.Equal("Warning", line.GetProperty("@l").GetString());
        Assert.Equal("Module {Name} refused: {Reason}", line.GetProperty("@mt").GetString());
        Assert.Equal("Module a\"b refused: line one\nline two", line.GetProperty("@m").GetString());
        Assert.StartsWith("System.InvalidOperationException: first line\nsecond line", line.GetProperty("@x").GetString());
        Assert.Equal(traceId.ToHexString(), line.GetProperty("@tr").GetString());
        Assert.Equal(spanId.ToHexString(), line.GetProperty("@sp").GetString());
        Assert.Equal(1, line.GetProperty("@@odd").GetInt32());
        Assert.Equal(7, line.GetProperty("EventId").GetProperty("Id").GetInt32());
    }

    [Theory]
    [InlineData(null, typeof(JsonLogFormatter))]
    [InlineData("", typeof(JsonLogFormatter))]
    [InlineData("JSON", typeof(JsonLogFormatter))]
    [InlineData("text", typeof(Serilog.Formatting.Display.MessageTemplateTextFormatter))]
    public void CreateFormatter_KnownFormat_ThatFormatter(string? format, Type expected) =>
        Assert.IsType(expected, StructuredLogging.CreateFormatter(format));

    [Fact]
    public void CreateFormatter_UnknownFormat_RefusedNamingTheSetting()
    {
        var e = Assert.Throws<InvalidOperationException>(() => StructuredLogging.CreateFormatter("xml"));

        Assert.Contains("Logs:Format", e.Message, StringComparison.Ordinal);
    }
}
