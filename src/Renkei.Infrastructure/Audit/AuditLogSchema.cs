using System.Collections.Concurrent;
using System.Data.Common;

namespace Renkei.Infrastructure.Audit;

/// <summary>
/// The schema of one <see cref="AuditLogStore"/>: its two tables and append-only triggers (Schema/NNNN-audit-log.*.sql in
/// this assembly), journaled in <c>schema_journal_audit_log</c> under the log's table name, so each log in a database has
/// its own versions and a change to the audit log's shape is one script for every institution's logs.
/// </summary>
public static class AuditLogSchema
{
    public const string ComponentName = "audit-log";

    private static readonly ConcurrentDictionary<string, SchemaComponent> Logs = new();

    /// <summary>The component of the log in table <paramref name="tableName"/> (checked by <see cref="AuditLogStore"/>).</summary>
    public static SchemaComponent For(string tableName) => Logs.GetOrAdd(tableName, table => new SchemaComponent(ComponentName, typeof(AuditLogSchema).Assembly)
    {
        Instance = table,
        Variables = new Dictionary<string, string> { ["log"] = table },
        Adopt = database => AddCoverageColumns(database, table + "_checkpoints"),
    });

    /// <summary>
    /// Adds the coverage columns to a checkpoint table made before they existed (its rows keep null: no coverage), as the
    /// releases before versioned migrations did on every start; script 0001 expects them.
    /// </summary>
    private static void AddCoverageColumns(Database database, string checkpointTable) => database.InTransaction((connection, transaction) =>
    {
        var sql = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = 'covered_hashes'"
            : "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table AND column_name = 'covered_hashes'";
        using (var columns = connection.Command(sql, transaction).With("@table", checkpointTable))
            if (columns.ScalarInt64() > 0 || !TableExists(connection, transaction, database, checkpointTable)) return;
        connection.Execute($"ALTER TABLE {checkpointTable} ADD COLUMN covered_hashes {database.BytesType} NULL", transaction);
        connection.Execute($"ALTER TABLE {checkpointTable} ADD COLUMN coverage_signature {database.BytesType} NULL", transaction);
    });

    private static bool TableExists(DbConnection connection, DbTransaction transaction, Database database, string table)
    {
        var sql = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @table"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @table";
        using var command = connection.Command(sql, transaction).With("@table", table);
        return command.ScalarInt64() > 0;
    }
}
