using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Renkei.Infrastructure;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Addressee;

/// <summary>
/// Counters that hand out serials (addressee numbers, each business system's person IDs) in blocks. The row is updated
/// with RETURNING, which locks it on PostgreSQL and runs under SQLite's single writer, so concurrent callers never get
/// the same serial.
/// </summary>
internal static class Serials
{
    /// <summary>Reserves <paramref name="count"/> serials and returns the first; the first serial ever handed out is 1.</summary>
    public static long Take(DbConnection connection, DbTransaction transaction, string table, string name, long count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count));
        connection.Command($"INSERT INTO {table} (name, next_value) VALUES (@name, 1) ON CONFLICT (name) DO NOTHING", transaction)
            .With("@name", name).ExecuteNonQuery();
        return connection.Command($"UPDATE {table} SET next_value = next_value + @count WHERE name = @name RETURNING next_value - @count", transaction)
            .With("@name", name).With("@count", count).ScalarInt64();
    }
}

/// <summary>
/// Bulk row insertion on the connection's current transaction: SQLite's native prepared statement, PostgreSQL's binary
/// COPY. Values are <see cref="long"/>, <see cref="int"/> (stored as BIGINT), <see cref="string"/> or null, so every
/// integer column written through here is BIGINT and every text column TEXT.
/// </summary>
internal sealed class BulkInsert : IDisposable
{
    private readonly SqliteFastStatement? _sqlite;
    private readonly NpgsqlBinaryImporter? _copy;
    private readonly int _columns;
    private bool _completed;

    private BulkInsert(SqliteFastStatement? sqlite, NpgsqlBinaryImporter? copy, int columns)
    {
        _sqlite = sqlite;
        _copy = copy;
        _columns = columns;
    }

    public long Rows { get; private set; }

    public static BulkInsert Begin(DbConnection connection, string table, params string[] columns)
    {
        var list = string.Join(", ", columns);
        if (connection is SqliteConnection sqlite)
        {
            var placeholders = string.Join(", ", Enumerable.Range(1, columns.Length).Select(i => "?" + i.ToString(CultureInfo.InvariantCulture)));
            return new BulkInsert(new SqliteFastStatement(sqlite, $"INSERT INTO {table} ({list}) VALUES ({placeholders})"), null, columns.Length);
        }
        var copy = ((NpgsqlConnection)connection).BeginBinaryImport($"COPY {table} ({list}) FROM STDIN (FORMAT BINARY)");
        return new BulkInsert(null, copy, columns.Length);
    }

    public void Row(params object?[] values)
    {
        if (values.Length != _columns) throw new ArgumentException($"expected {_columns} values, got {values.Length}", nameof(values));
        if (_sqlite is not null)
        {
            for (var i = 0; i < values.Length; i++)
            {
                switch (values[i])
                {
                    case null: _sqlite.BindNull(i + 1); break;
                    case long l: _sqlite.Bind(i + 1, l); break;
                    case int n: _sqlite.Bind(i + 1, n); break;
                    case string s: _sqlite.Bind(i + 1, s); break;
                    default: throw new ArgumentException("bulk values are long, int, string or null", nameof(values));
                }
            }
            _sqlite.Execute();
        }
        else
        {
            _copy!.StartRow();
            foreach (var value in values)
            {
                switch (value)
                {
                    case null: _copy.WriteNull(); break;
                    case long l: _copy.Write(l, NpgsqlDbType.Bigint); break;
                    case int n: _copy.Write((long)n, NpgsqlDbType.Bigint); break;
                    case string s: _copy.Write(s, NpgsqlDbType.Text); break;
                    default: throw new ArgumentException("bulk values are long, int, string or null", nameof(values));
                }
            }
        }
        Rows++;
    }

    /// <summary>Finishes the rows (PostgreSQL sends them now); without it nothing is written.</summary>
    public void Complete()
    {
        if (_completed) return;
        _copy?.Complete();
        _completed = true;
    }

    public void Dispose()
    {
        _sqlite?.Dispose();
        _copy?.Dispose();
    }
}

internal static class Dates
{
    public static string Format(DateOnly date) => ResidentRegister.FormatDate(date);
    public static DateOnly Parse(string text) => ResidentRegister.ParseDate(text);
    public static DateOnly? ParseNullable(string? text) => text is null ? null : ResidentRegister.ParseDate(text);
    public static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Age in whole years on <paramref name="day"/> (a birthday counts from the day itself).</summary>
    public static int Age(DateOnly birth, DateOnly day)
    {
        var age = day.Year - birth.Year;
        if (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day)) age--;
        return age;
    }
}
