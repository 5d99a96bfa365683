using Renkei.Core.Audit;
using Renkei.Infrastructure;

namespace Renkei.TestSupport;

/// <summary>What an administrator with database access could do to a tamper-evident log (AuditLogStore): drop the append-only guards, then edit rows.</summary>
public static class Tamper
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

    /// <summary>
    /// Replaces the entries from <paramref name="fromSequence"/> on with <paramref name="entries"/> (times and payloads),
    /// linked and hashed with the log's own algorithm from the entry before: the chain is consistent again, so only the
    /// signed checkpoints can tell.
    /// </summary>
    public static void RewriteFrom(Database database, string table, IReadOnlyList<AuditEntry> original, long fromSequence,
        IEnumerable<(DateTimeOffset At, byte[] Payload)> entries)
    {
        DropGuards(database, table);
        Sql(database, $"DELETE FROM {table} WHERE sequence >= {fromSequence}");
        var previous = fromSequence == 1 ? new byte[AuditHash.Size] : original.Single(e => e.Sequence == fromSequence - 1).Hash;
        var sequence = fromSequence;
        foreach (var (at, payload) in entries)
        {
            var recordedAt = AuditTime.ToMicros(at); // each entry keeps its own time
            var hash = AuditHash.ComputeEntryHash(sequence, recordedAt, previous, payload);
            Sql(database, $"INSERT INTO {table} (sequence, recorded_at, payload, prev_hash, hash) VALUES (@s, @r, @p, @ph, @h)",
                ("@s", sequence), ("@r", recordedAt), ("@p", payload), ("@ph", previous), ("@h", hash));
            previous = hash;
            sequence++;
        }
    }

    /// <summary>Exchanges two rows' places by renumbering them (content, links and hashes move with the rows).</summary>
    public static void SwapSequences(Database database, string table, long a, long b)
    {
        Sql(database, $"UPDATE {table} SET sequence = -1 WHERE sequence = {a}");
        Sql(database, $"UPDATE {table} SET sequence = {a} WHERE sequence = {b}");
        Sql(database, $"UPDATE {table} SET sequence = {b} WHERE sequence = -1");
    }
}
