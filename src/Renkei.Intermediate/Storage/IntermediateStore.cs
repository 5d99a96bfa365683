using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Renkei.Infrastructure;

namespace Renkei.Intermediate.Storage;

/// <summary>A copy as the business system sent it, after validation (the store trusts it).</summary>
public sealed record CopyRecord(long AddresseeNumber, string Kind, DateOnly AsOf, long Version, string BodyJson);

/// <summary>A copy as held.</summary>
public sealed record StoredCopy(
    string HolderCode,
    long AddresseeNumber,
    string Kind,
    DateOnly AsOf,
    long Version,
    string BodyJson,
    DateTimeOffset UpdatedAt);

/// <summary>Why a copy of a batch was not written: <see cref="StoredVersion"/> is the version held (or kept in the batch).</summary>
public sealed record IgnoredWrite(int Index, bool SameVersion, long StoredVersion, bool WithinBatch);

/// <summary>What a batch write did: how many copies were written and which were ignored (same or older version).</summary>
public sealed record BatchWriteResult(int Written, IReadOnlyList<IgnoredWrite> Ignored);

/// <summary>
/// The intermediate server's own database (SQLite or PostgreSQL): copies (副本) keyed by (holder code, integrated
/// addressee number, information kind); the tokens (符号) bound to addressee numbers (<see cref="TokenStore"/>); the
/// request records that make retries idempotent; and, for a network node, its party provision records and query
/// batches. There is deliberately no column for an individual number, a name, an address, a birth date or a sex:
/// trust rule 3 holds by the schema itself.
/// Methods taking a connection and transaction run inside the caller's transaction.
/// </summary>
public sealed class IntermediateStore
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private const string DateFormat = "yyyy-MM-dd";

    public IntermediateStore(Database database)
    {
        Database = database;
        Tokens = new TokenStore(database);
        Actions = new HolderActionLog(database);
    }

    public Database Database { get; }

    /// <summary>Tokens bound to addressee numbers, and the registered token requests.</summary>
    public TokenStore Tokens { get; }

    /// <summary>What the holder's systems did here, and who for (staff, terminal, affair).</summary>
    public HolderActionLog Actions { get; }

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    /// <summary>Creates or upgrades the server's tables (<see cref="IntermediateSchema"/>); safe to call on every start.</summary>
    public void EnsureSchema() => Migrations.Apply(Database, IntermediateSchema.Tables);

    // ---------------------------------------------------------------- request records (idempotency)

    /// <summary>Request IDs with their responses, so a retried request returns the first answer.</summary>
    internal RequestLedger Requests { get; } = new("intermediate_requests");

    // ---------------------------------------------------------------- writing copies

    /// <summary>Writes a batch in its own transaction (see the overload).</summary>
    public BatchWriteResult WriteCopies(string holderCode, IReadOnlyList<CopyRecord> copies, DateTimeOffset now) =>
        Database.InTransaction((c, t) => WriteCopies(c, t, holderCode, copies, now));

    /// <summary>
    /// Stores each copy unless the same or a newer version is held. Within the batch only the highest version of a key
    /// is written (the first of equal ones); the others are ignored like stale updates. PostgreSQL: one
    /// <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE … WHERE newer</c>; SQLite: a prepared upsert per copy.
    /// </summary>
    public BatchWriteResult WriteCopies(DbConnection c, DbTransaction t, string holderCode, IReadOnlyList<CopyRecord> copies, DateTimeOffset now)
    {
        var ignored = new List<IgnoredWrite>();
        if (copies.Count == 0) return new BatchWriteResult(0, ignored);
        var keep = KeepHighestPerKey(copies, ignored);
        var at = FormatTime(now);
        var written = 0;
        var notWritten = new List<int>();
        if (IsPostgres)
        {
            var count = keep.Count;
            var numbers = new long[count];
            var kinds = new string[count];
            var asOf = new string[count];
            var versions = new long[count];
            var bodies = new string[count];
            for (var i = 0; i < count; i++)
            {
                var copy = copies[keep[i]];
                numbers[i] = copy.AddresseeNumber;
                kinds[i] = copy.Kind;
                asOf[i] = FormatDate(copy.AsOf);
                versions[i] = copy.Version;
                bodies[i] = copy.BodyJson;
            }
            var writtenKeys = new HashSet<(long, string)>();
            using (var upsert = c.Command("""
                INSERT INTO intermediate_copies (holder_code, addressee_number, kind, as_of, version, body, updated_at)
                SELECT @h, a, k, d, v, b, @at FROM unnest(@a, @k, @d, @v, @b) AS batch(a, k, d, v, b)
                ON CONFLICT (holder_code, addressee_number, kind) DO UPDATE
                    SET as_of = excluded.as_of, version = excluded.version, body = excluded.body, updated_at = excluded.updated_at
                    WHERE excluded.version > intermediate_copies.version
                RETURNING addressee_number, kind
                """, t))
            {
                upsert.With("h", holderCode).With("at", at).With("a", numbers).With("k", kinds).With("d", asOf).With("v", versions).With("b", bodies);
                using var reader = upsert.ExecuteReader();
                while (reader.Read()) writtenKeys.Add((reader.GetInt64(0), reader.GetString(1)));
            }
            written = writtenKeys.Count;
            foreach (var index in keep)
                if (!writtenKeys.Contains((copies[index].AddresseeNumber, copies[index].Kind))) notWritten.Add(index);
        }
        else
        {
            // SQLite runs in process: the native prepared statement costs a few microseconds per copy (ADO.NET's
            // per-execution parameter handling would cost more than SQLite's own work).
            using var upsert = new SqliteFastStatement((SqliteConnection)c, """
                INSERT INTO intermediate_copies (holder_code, addressee_number, kind, as_of, version, body, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (holder_code, addressee_number, kind) DO UPDATE
                    SET as_of = excluded.as_of, version = excluded.version, body = excluded.body, updated_at = excluded.updated_at
                    WHERE excluded.version > intermediate_copies.version
                """);
            upsert.Bind(1, holderCode);
            upsert.Bind(7, at);
            string? lastKind = null, lastDate = null;
            var lastAsOf = DateOnly.MinValue;
            foreach (var index in keep)
            {
                var copy = copies[index];
                upsert.Bind(2, copy.AddresseeNumber);
                if (!ReferenceEquals(copy.Kind, lastKind)) upsert.Bind(3, lastKind = copy.Kind);
                if (lastDate is null || copy.AsOf != lastAsOf) upsert.Bind(4, lastDate = FormatDate(lastAsOf = copy.AsOf));
                upsert.Bind(5, copy.Version);
                upsert.Bind(6, copy.BodyJson);
                if (upsert.Execute() == 1) written++;
                else notWritten.Add(index);
            }
        }
        if (notWritten.Count > 0)
        {
            // Rare (replays and late updates): look up what is held to say why.
            using var select = c.Command(
                "SELECT version FROM intermediate_copies WHERE holder_code = @h AND addressee_number = @a AND kind = @k", t);
            select.With("h", holderCode);
            var number = select.Parameter("a", DbType.Int64);
            var kind = select.Parameter("k", DbType.String);
            foreach (var index in notWritten)
            {
                number.Value = copies[index].AddresseeNumber;
                kind.Value = copies[index].Kind;
                var held = select.ScalarInt64();
                ignored.Add(new IgnoredWrite(index, held == copies[index].Version, held, WithinBatch: false));
            }
        }
        ignored.Sort((x, y) => x.Index.CompareTo(y.Index));
        return new BatchWriteResult(written, ignored);
    }

    /// <summary>Indexes of the copies to write: per key the highest version, the first of equals. The rest go to <paramref name="ignored"/>.</summary>
    private static List<int> KeepHighestPerKey(IReadOnlyList<CopyRecord> copies, List<IgnoredWrite> ignored)
    {
        var best = new Dictionary<(long, string), int>(copies.Count);
        var duplicates = false;
        for (var i = 0; i < copies.Count; i++)
        {
            var key = (copies[i].AddresseeNumber, copies[i].Kind);
            if (best.TryGetValue(key, out var previous))
            {
                duplicates = true;
                if (copies[i].Version > copies[previous].Version) best[key] = i;
            }
            else best[key] = i;
        }
        var keep = new List<int>(best.Count);
        if (!duplicates)
        {
            for (var i = 0; i < copies.Count; i++) keep.Add(i);
            return keep;
        }
        for (var i = 0; i < copies.Count; i++)
        {
            var winner = best[(copies[i].AddresseeNumber, copies[i].Kind)];
            if (winner == i) keep.Add(i);
            else ignored.Add(new IgnoredWrite(i, copies[winner].Version == copies[i].Version, copies[winner].Version, WithinBatch: true));
        }
        return keep;
    }

    /// <summary>Removes one copy; false when none was held.</summary>
    public bool DeleteCopy(DbConnection c, DbTransaction t, string holderCode, long addresseeNumber, string kind)
    {
        using var delete = c.Command("DELETE FROM intermediate_copies WHERE holder_code = @h AND addressee_number = @a AND kind = @k", t);
        return delete.With("h", holderCode).With("a", addresseeNumber).With("k", kind).ExecuteNonQuery() > 0;
    }

    /// <summary>The version held for a key, or null (inside the caller's transaction).</summary>
    internal long? HeldVersion(DbConnection c, DbTransaction t, string holderCode, long addresseeNumber, string kind)
    {
        using var select = c.Command(
            "SELECT version FROM intermediate_copies WHERE holder_code = @h AND addressee_number = @a AND kind = @k"
            + (IsPostgres ? " FOR UPDATE" : ""), t);
        var value = select.With("h", holderCode).With("a", addresseeNumber).With("k", kind).ExecuteScalar();
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- reading copies

    public async Task<StoredCopy?> FindAsync(string holderCode, long addresseeNumber, string kind, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command(
            $"SELECT {Columns} FROM intermediate_copies WHERE holder_code = @h AND addressee_number = @a AND kind = @k");
        select.With("h", holderCode).With("a", addresseeNumber).With("k", kind);
        return await ReadOneAsync(select, cancellationToken);
    }

    /// <summary>The copy of <paramref name="kind"/> for the person the holder knows by <paramref name="token"/> (符号), through the token's binding.</summary>
    public async Task<StoredCopy?> FindByTokenAsync(string holderCode, Renkei.Core.Numbers.Token token, string kind, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command($"""
            SELECT {Columns} FROM intermediate_copies
            WHERE holder_code = @h AND kind = @k
              AND addressee_number = (SELECT addressee_number FROM intermediate_tokens WHERE holder_code = @h AND token = @t)
            """);
        select.With("h", holderCode).With("t", token.ToInt64()).With("k", kind);
        return await ReadOneAsync(select, cancellationToken);
    }

    /// <summary>
    /// For a chunk of requests for one <paramref name="kind"/>: per token of <paramref name="tokens"/> bound to an addressee,
    /// that addressee's copy of the kind (null: none held); a token bound to no one is left out. One query on PostgreSQL;
    /// on SQLite one prepared statement run per token on one connection.
    /// </summary>
    public async Task<Dictionary<Renkei.Core.Numbers.Token, StoredCopy?>> FindByTokensAsync(string holderCode, IReadOnlyList<Renkei.Core.Numbers.Token> tokens,
        string kind, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<Renkei.Core.Numbers.Token, StoredCopy?>(tokens.Count);
        if (tokens.Count == 0) return found;
        await using var c = await Database.OpenAsync(cancellationToken);
        const string byToken = """
            SELECT t.token, c.holder_code, c.addressee_number, c.kind, c.as_of, c.version, c.body, c.updated_at
            FROM intermediate_tokens t
            LEFT JOIN intermediate_copies c ON c.holder_code = t.holder_code AND c.addressee_number = t.addressee_number AND c.kind = @k
            WHERE t.holder_code = @h AND t.token
            """;
        using var select = c.Command(byToken + (IsPostgres ? " = ANY(@t)" : " = @t"));
        select.With("h", holderCode).With("k", kind);
        if (IsPostgres)
        {
            select.With("t", tokens.Select(t => t.ToInt64()).ToArray());
            await ReadByTokenAsync(select, found, cancellationToken);
            return found;
        }
        var token = select.Parameter("t", DbType.Int64);
        foreach (var one in tokens)
        {
            token.Value = one.ToInt64();
            await ReadByTokenAsync(select, found, cancellationToken);
        }
        return found;
    }

    private static async Task ReadByTokenAsync(DbCommand select, Dictionary<Renkei.Core.Numbers.Token, StoredCopy?> found, CancellationToken cancellationToken)
    {
        await using var reader = await select.ReaderAsync(cancellationToken);
        while (await reader.ReadRowAsync(cancellationToken))
            found[Renkei.Core.Numbers.Token.FromInt64(reader.GetInt64(0))] = reader.IsDBNull(1) ? null : ReadCopy(reader, 1);
    }

    public long CountCopies(string holderCode)
    {
        using var c = Database.Open();
        using var count = c.Command("SELECT COUNT(*) FROM intermediate_copies WHERE holder_code = @h");
        return count.With("h", holderCode).ScalarInt64();
    }

    public long CountRequests()
    {
        using var c = Database.Open();
        using var count = c.Command("SELECT COUNT(*) FROM intermediate_requests");
        return count.ScalarInt64();
    }

    private const string Columns = "holder_code, addressee_number, kind, as_of, version, body, updated_at";

    private static async ValueTask<StoredCopy?> ReadOneAsync(DbCommand select, CancellationToken cancellationToken)
    {
        await using var reader = await select.ReaderAsync(cancellationToken);
        return await reader.ReadRowAsync(cancellationToken) ? ReadCopy(reader, 0) : null;
    }

    /// <summary>The copy in the <see cref="Columns"/> that start at column <paramref name="first"/>.</summary>
    private static StoredCopy ReadCopy(DbDataReader reader, int first) =>
        new(reader.GetString(first), reader.GetInt64(first + 1), reader.GetString(first + 2),
            DateOnly.ParseExact(reader.GetString(first + 3), DateFormat, CultureInfo.InvariantCulture), reader.GetInt64(first + 4), reader.GetString(first + 5),
            DateTimeOffset.ParseExact(reader.GetString(first + 6), TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);
}
