using System.Globalization;
using Microsoft.Data.Sqlite;

namespace WasmWizard.Standalone.Storage;

/// <summary>How values are written to and read from SQLite columns: ids as text, times as round-trip UTC text.</summary>
internal static class SqliteValues
{
    public static string Text(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static object TextOrNull(DateTimeOffset? value) => value is { } v ? Text(v) : DBNull.Value;

    public static DateTimeOffset Time(SqliteDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static DateTimeOffset? TimeOrNull(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    public static Guid Id(SqliteDataReader reader, int ordinal) => Guid.Parse(reader.GetString(ordinal));

    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }
}
