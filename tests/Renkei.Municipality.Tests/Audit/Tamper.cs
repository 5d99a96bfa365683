using Renkei.Infrastructure;

namespace Renkei.Municipality.Tests.Audit;

/// <summary>What an administrator with database access could do to a log: drop the append-only guards, then edit rows.</summary>
internal static class Tamper
{
    public static void DropGuards(Database database, string table)
    {
        using var connection = database.Open();
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            connection.Execute($"DROP TRIGGER IF EXISTS {table}_no_update");
            connection.Execute($"DROP TRIGGER IF EXISTS {table}_no_delete");
        }
        else
        {
            connection.Execute($"DROP TRIGGER IF EXISTS {table}_append_only ON {table}");
        }
    }

    public static int Sql(Database database, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = connection.Command(sql);
        foreach (var (name, value) in parameters) command.With(name, value);
        return command.ExecuteNonQuery();
    }

    /// <summary>Exchanges two rows' places by renumbering them (content, links and hashes move with the rows).</summary>
    public static void SwapSequences(Database database, string table, long a, long b)
    {
        Sql(database, $"UPDATE {table} SET sequence = -1 WHERE sequence = {a}");
        Sql(database, $"UPDATE {table} SET sequence = {a} WHERE sequence = {b}");
        Sql(database, $"UPDATE {table} SET sequence = {b} WHERE sequence = -1");
    }
}
