using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace WasmWizard.Shared.Hosting;

/// <summary>
/// Writes each event as one JSON object on one line, in the compact log event format (CLEF) that Seq, Loki's
/// <c>json</c> stage and Serilog's own readers understand: <c>@t</c> timestamp (UTC), <c>@l</c> level,
/// <c>@mt</c> message template, <c>@m</c> rendered message, <c>@x</c> exception, <c>@tr</c>/<c>@sp</c> the W3C
/// trace and span ids, then every property (EventId, RequestId, TenantId, Service, SourceContext...) at the top
/// level.
/// </summary>
public sealed class JsonLogFormatter : ITextFormatter
{
    private static readonly JsonValueFormatter Values = new(typeTagName: "$type");

    // Strings as they are ("l"), not in quotes: the rendered message is for people; the template keeps the structure.
    private static readonly MessageTemplateTextFormatter Message = new("{Message:l}", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public void Format(LogEvent logEvent, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        ArgumentNullException.ThrowIfNull(output);

        output.Write("{\"@t\":\"");
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        // Always written, Information included: a reader should not have to know CLEF's default to filter on it.
        output.Write("\",\"@l\":\"");
        output.Write(logEvent.Level.ToString());
        output.Write("\",\"@mt\":");
        JsonValueFormatter.WriteQuotedJsonString(logEvent.MessageTemplate.Text, output);
        output.Write(",\"@m\":");
        using (var message = new StringWriter(CultureInfo.InvariantCulture))
        {
            Message.Format(logEvent, message);
            JsonValueFormatter.WriteQuotedJsonString(message.ToString(), output);
        }

        if (logEvent.Exception is not null)
        {
            output.Write(",\"@x\":");
            JsonValueFormatter.WriteQuotedJsonString(logEvent.Exception.ToString(), output);
        }

        if (logEvent.TraceId is { } traceId)
        {
            output.Write(",\"@tr\":\"");
            output.Write(traceId.ToHexString());
            output.Write('"');
        }

        if (logEvent.SpanId is { } spanId)
        {
            output.Write(",\"@sp\":\"");
            output.Write(spanId.ToHexString());
            output.Write('"');
        }

        foreach (var (name, value) in logEvent.Properties)
        {
            output.Write(',');
            // CLEF keeps names starting with '@' for itself; a property of that name is escaped by doubling it.
            JsonValueFormatter.WriteQuotedJsonString(name.StartsWith('@') ? "@" + name : name, output);
            output.Write(':');
            Values.Format(value, output);
        }

        output.Write('}');
        output.Write('\n');
    }
}
