using Microsoft.Extensions.Logging;

namespace WasmWizard.Shared.Tests.Infrastructure;

/// <summary>One event a <see cref="ListLogger{T}"/> received.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);
