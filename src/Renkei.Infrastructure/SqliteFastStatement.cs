using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Renkei.Infrastructure;

/// <summary>
/// A prepared SQLite statement driven through the native API, for the bulk loops only (import, number
/// assignment, J-LIS designations): it skips ADO.NET's per-execution parameter lookup and allocations, which otherwise cost
/// more than SQLite's own work. It runs on the connection's current transaction.
/// Errors carry SQLite's message, which names constraints and columns but never values.
/// </summary>
public sealed class SqliteFastStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private sqlite3_stmt? _statement;

    public SqliteFastStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement);
        if (rc != raw.SQLITE_OK) throw new SqliteException("could not prepare a bulk statement: " + raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), rc);
        _statement = statement;
    }

    private sqlite3_stmt Statement => _statement ?? throw new ObjectDisposedException(nameof(SqliteFastStatement));

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(Statement, index, value));
    public void Bind(int index, string? value) => Check(value is null ? raw.sqlite3_bind_null(Statement, index) : raw.sqlite3_bind_text16(Statement, index, value));
    public void BindNull(int index) => Check(raw.sqlite3_bind_null(Statement, index));

    /// <summary>Runs the statement and returns how many rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(Statement);
        try
        {
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
                throw new SqliteException("bulk statement failed: " + raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
            return raw.sqlite3_changes(_connection.Handle);
        }
        finally
        {
            raw.sqlite3_reset(Statement);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) throw new SqliteException("could not bind a bulk parameter: " + raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);
    }

    public void Dispose()
    {
        if (_statement is null) return;
        raw.sqlite3_finalize(_statement);
        _statement = null;
    }
}
