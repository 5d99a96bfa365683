using System.Data.Common;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;

namespace Renkei.Intermediate.Storage;

/// <summary>
/// What the holder's own systems did at their intermediate server, and who for (trust rule: the holder's systems act bound
/// to a staff member, terminal and affair): one row per copy change (<c>copy-upsert</c>, <c>copy-delete</c>,
/// <c>copy-batch</c>, <c>copy-stream</c> per committed batch), read of a copy (<c>provision</c>), token registration
/// (<c>token-pending</c>, <c>token-batch</c>), batch query (<c>query-batch</c>, whose items are recorded later under this
/// actor) and notice (<c>notice</c>). A row is written in the transaction of the change it describes, so the two commit
/// together or not at all; a replayed request writes nothing again.
/// <paramref name="Items"/> counts the copies, addressees or items the action covered.
/// </summary>
public sealed record HolderAction(
    long Sequence,
    DateTimeOffset RecordedAt,
    Guid? RequestId,
    string Operation,
    string Staff,
    string Terminal,
    string Affair,
    long? AddresseeNumber,
    string? Kind,
    long Items);

/// <summary>
/// The table of <see cref="HolderAction"/>s in the intermediate server's own database (SQLite or PostgreSQL):
/// <code>
/// intermediate_holder_actions (sequence PK, recorded_at, request_id, operation, staff, terminal, affair, addressee_number, kind, items)
/// </code>
/// It names addressees by integrated addressee number only, like the rest of the server's tables. The table is the
/// intermediate schema's script 0002 (<see cref="IntermediateSchema"/>).
/// </summary>
public sealed class HolderActionLog(Database database)
{
    public const string CopyUpsert = "copy-upsert";
    public const string CopyDelete = "copy-delete";
    public const string CopyBatch = "copy-batch";
    public const string CopyStream = "copy-stream";
    public const string Provision = "provision";
    public const string TokenPending = "token-pending";
    public const string TokenBatch = "token-batch";
    public const string QueryBatch = "query-batch";
    public const string Notice = "notice";

    public Database Database { get; } = database;

    /// <summary>Appends one action inside the caller's transaction (the change's own).</summary>
    public void Append(DbConnection c, DbTransaction t, Guid? requestId, string operation, Actor actor, DateTimeOffset now,
        long? addresseeNumber = null, string? kind = null, long items = 1)
    {
        using var insert = InsertCommand(c, t, requestId, operation, actor, now, addresseeNumber, kind, items);
        insert.ExecuteNonQuery();
    }

    /// <summary><see cref="Append(DbConnection, DbTransaction, Guid?, string, Actor, DateTimeOffset, long?, string?, long)"/> for request paths.</summary>
    public async ValueTask AppendAsync(DbConnection c, DbTransaction t, Guid? requestId, string operation, Actor actor, DateTimeOffset now,
        long? addresseeNumber = null, string? kind = null, long items = 1, CancellationToken cancellationToken = default)
    {
        using var insert = InsertCommand(c, t, requestId, operation, actor, now, addresseeNumber, kind, items);
        await insert.ExecuteAsync(cancellationToken);
    }

    /// <summary>Appends one action in its own transaction (one statement: no explicit transaction needed).</summary>
    public async Task AppendAsync(Guid? requestId, string operation, Actor actor, DateTimeOffset now, long? addresseeNumber = null, string? kind = null,
        long items = 1, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var insert = InsertCommand(c, null, requestId, operation, actor, now, addresseeNumber, kind, items);
        await insert.ExecuteAsync(cancellationToken);
    }

    private static DbCommand InsertCommand(DbConnection c, DbTransaction? t, Guid? requestId, string operation, Actor actor, DateTimeOffset now,
        long? addresseeNumber, string? kind, long items)
    {
        var insert = c.Command("""
            INSERT INTO intermediate_holder_actions (recorded_at, request_id, operation, staff, terminal, affair, addressee_number, kind, items)
            VALUES (@at, @r, @o, @s, @t, @a, @n, @k, @i)
            """, t);
        insert.With("at", IntermediateStore.FormatTime(now)).With("r", requestId?.ToString("D")).With("o", operation)
            .With("s", actor.Staff).With("t", actor.Terminal).With("a", actor.Affair)
            .With("n", addresseeNumber).With("k", kind).With("i", items);
        return insert;
    }

    /// <summary>Actions after <paramref name="afterSequence"/>, oldest first, at most <paramref name="limit"/>.</summary>
    public List<HolderAction> Read(long afterSequence = 0, int limit = 1000)
    {
        using var c = Database.Open();
        using var select = c.Command($"""
            SELECT {Columns} FROM intermediate_holder_actions WHERE sequence > @after ORDER BY sequence LIMIT @limit
            """);
        return ReadAll(select.With("after", afterSequence).With("limit", limit));
    }

    /// <summary>The actions recorded under <paramref name="requestId"/> (a batch query's actor, for its items), oldest first.</summary>
    public async Task<List<HolderAction>> OfRequestAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command($"SELECT {Columns} FROM intermediate_holder_actions WHERE request_id = @r ORDER BY sequence");
        await using var reader = await select.With("r", requestId.ToString("D")).ReaderAsync(cancellationToken);
        var actions = new List<HolderAction>();
        while (await reader.ReadRowAsync(cancellationToken)) actions.Add(ReadAction(reader));
        return actions;
    }

    private const string Columns = "sequence, recorded_at, request_id, operation, staff, terminal, affair, addressee_number, kind, items";

    private static List<HolderAction> ReadAll(DbCommand select)
    {
        using var reader = select.ExecuteReader();
        var actions = new List<HolderAction>();
        while (reader.Read()) actions.Add(ReadAction(reader));
        return actions;
    }

    private static HolderAction ReadAction(DbDataReader reader) =>
        new(reader.GetInt64(0), IntermediateStore.ParseTime(reader.GetString(1)),
            reader.IsDBNull(2) ? null : Guid.Parse(reader.GetString(2)), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetInt64(7), reader.IsDBNull(8) ? null : reader.GetString(8), reader.GetInt64(9));
}
