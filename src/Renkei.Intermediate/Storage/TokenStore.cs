using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;

namespace Renkei.Intermediate.Storage;

/// <summary>What a delivered token did to the binding of one addressee.</summary>
public enum BindOutcome
{
    /// <summary>The addressee had no token; now it has this one.</summary>
    Bound,
    /// <summary>The addressee already had this very token (a re-delivery).</summary>
    AlreadyBound,
    /// <summary>Not bound: the addressee has another token, or this token belongs to another addressee.</summary>
    Conflict,
}

/// <summary>A registered token request: its position and addressee, and whether the token arrived.</summary>
public sealed record PendingToken(int Index, long AddresseeNumber, string State);

/// <summary>Token counts of a holder (see <see cref="TokenStore.Counts"/>).</summary>
public sealed record TokenCounts(long WithToken, long Pending, long Conflicts);

/// <summary>
/// The intermediate server's token tables (符号管理), in its own database:
/// <code>
/// intermediate_tokens          (holder_code, addressee_number PK, token UNIQUE per holder, bound_at)   one token per addressee
/// intermediate_token_requests  (request_id, item_index PK, holder_code, addressee_number, is_batch, state, registered_at)
/// </code>
/// A request row is what the holder registered before asking J-LIS (処理通番 → addressee); the network delivers the token
/// under the same id and index. States: <c>pending</c>, <c>bound</c>, <c>conflict</c>. The token is stored as its
/// 16-digit value; no number and no basic fact is stored.
/// </summary>
public sealed class TokenStore(Database database)
{
    public const string Pending = "pending";
    public const string Bound = "bound";
    public const string Conflict = "conflict";

    public Database Database { get; } = database;

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    // ---------------------------------------------------------------- registering requests

    /// <summary>Registers positions 0 … n−1 of a request (inside the caller's transaction, which also claims the request id).</summary>
    public void Register(DbConnection c, DbTransaction t, string holderCode, Guid requestId, bool batch, IReadOnlyList<long> addressees, DateTimeOffset now)
    {
        var id = requestId.ToString("D");
        var at = IntermediateStore.FormatTime(now);
        if (IsPostgres)
        {
            using var insert = c.Command("""
                INSERT INTO intermediate_token_requests (request_id, item_index, holder_code, addressee_number, is_batch, state, registered_at)
                SELECT @r, CAST(i AS INTEGER) - 1, @h, a, @b, @s, @at FROM unnest(@a) WITH ORDINALITY AS u(a, i)
                """, t);
            insert.With("r", id).With("h", holderCode).With("b", batch ? 1 : 0).With("s", Pending).With("at", at).With("a", addressees.ToArray());
            insert.ExecuteNonQuery();
            return;
        }
        using var row = new SqliteFastStatement((SqliteConnection)c, """
            INSERT INTO intermediate_token_requests (request_id, item_index, holder_code, addressee_number, is_batch, state, registered_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """);
        row.Bind(1, id);
        row.Bind(3, holderCode);
        row.Bind(5, batch ? 1 : 0);
        row.Bind(6, Pending);
        row.Bind(7, at);
        for (var i = 0; i < addressees.Count; i++)
        {
            row.Bind(2, i);
            row.Bind(4, addressees[i]);
            row.Execute();
        }
    }

    /// <summary>The registered positions of a request, in index order; empty when the id is unknown (or of the other kind).</summary>
    public List<PendingToken> Requested(DbConnection c, DbTransaction? t, Guid requestId, bool batch)
    {
        using var select = c.Command("""
            SELECT item_index, addressee_number, state FROM intermediate_token_requests
            WHERE request_id = @r AND is_batch = @b ORDER BY item_index
            """ + (IsPostgres && t is not null ? " FOR UPDATE" : ""), t);
        select.With("r", requestId.ToString("D")).With("b", batch ? 1 : 0);
        using var reader = select.ExecuteReader();
        var rows = new List<PendingToken>();
        while (reader.Read()) rows.Add(new PendingToken(reader.GetInt32(0), reader.GetInt64(1), reader.GetString(2)));
        return rows;
    }

    /// <summary>Sets the state of request positions (inside the caller's transaction).</summary>
    public void SetStates(DbConnection c, DbTransaction t, Guid requestId, IReadOnlyList<(int Index, string State)> states)
    {
        if (states.Count == 0) return;
        var id = requestId.ToString("D");
        if (IsPostgres)
        {
            using var update = c.Command("""
                UPDATE intermediate_token_requests SET state = u.s
                FROM unnest(@i, @s) AS u(i, s) WHERE request_id = @r AND item_index = u.i
                """, t);
            update.With("r", id).With("i", states.Select(s => s.Index).ToArray()).With("s", states.Select(s => s.State).ToArray());
            update.ExecuteNonQuery();
            return;
        }
        using var row = new SqliteFastStatement((SqliteConnection)c, "UPDATE intermediate_token_requests SET state = ?1 WHERE request_id = ?2 AND item_index = ?3");
        row.Bind(2, id);
        foreach (var (index, state) in states)
        {
            row.Bind(1, state);
            row.Bind(3, index);
            row.Execute();
        }
    }

    // ---------------------------------------------------------------- binding

    /// <summary>
    /// Binds each (addressee, token) unless the addressee already has a token or the token is already bound (inside the
    /// caller's transaction). One result per input, in order; within the input the first binding of an addressee or a
    /// token wins.
    /// </summary>
    public BindOutcome[] Bind(DbConnection c, DbTransaction t, string holderCode, IReadOnlyList<(long AddresseeNumber, Token Token)> bindings, DateTimeOffset now)
    {
        var outcomes = new BindOutcome[bindings.Count];
        if (bindings.Count == 0) return outcomes;
        var at = IntermediateStore.FormatTime(now);
        var inserted = new HashSet<long>();
        if (IsPostgres)
        {
            // ON CONFLICT DO NOTHING without a target covers both the addressee key and the unique token.
            using var insert = c.Command("""
                INSERT INTO intermediate_tokens (holder_code, addressee_number, token, bound_at)
                SELECT @h, a, k, @at FROM unnest(@a, @k) AS u(a, k)
                ON CONFLICT DO NOTHING RETURNING addressee_number
                """, t);
            insert.With("h", holderCode).With("at", at)
                .With("a", bindings.Select(b => b.AddresseeNumber).ToArray())
                .With("k", bindings.Select(b => b.Token.ToInt64()).ToArray());
            using var reader = insert.ExecuteReader();
            while (reader.Read()) inserted.Add(reader.GetInt64(0));
        }
        else
        {
            using var insert = new SqliteFastStatement((SqliteConnection)c, """
                INSERT INTO intermediate_tokens (holder_code, addressee_number, token, bound_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING
                """);
            insert.Bind(1, holderCode);
            insert.Bind(4, at);
            foreach (var (addressee, token) in bindings)
            {
                insert.Bind(2, addressee);
                insert.Bind(3, token.ToInt64());
                if (insert.Execute() == 1) inserted.Add(addressee);
            }
        }
        // What each addressee holds now decides: its token is this position's (bound here, or earlier) or another.
        var held = TokensOf(c, t, holderCode, bindings.Select(b => b.AddresseeNumber).Distinct().ToList());
        for (var i = 0; i < bindings.Count; i++)
        {
            var (addressee, token) = bindings[i];
            outcomes[i] = !held.TryGetValue(addressee, out var existing) || existing != token ? BindOutcome.Conflict
                : inserted.Remove(addressee) ? BindOutcome.Bound
                : BindOutcome.AlreadyBound;
        }
        return outcomes;
    }

    /// <summary>The tokens of the given addressees that have one.</summary>
    public Dictionary<long, Token> TokensOf(DbConnection c, DbTransaction? t, string holderCode, IReadOnlyList<long> addressees)
    {
        var found = new Dictionary<long, Token>();
        if (addressees.Count == 0) return found;
        if (IsPostgres)
        {
            using var select = c.Command("SELECT addressee_number, token FROM intermediate_tokens WHERE holder_code = @h AND addressee_number = ANY(@a)", t);
            using var reader = select.With("h", holderCode).With("a", addressees.ToArray()).ExecuteReader();
            while (reader.Read()) found[reader.GetInt64(0)] = Token.FromInt64(reader.GetInt64(1));
            return found;
        }
        using var one = c.Command("SELECT token FROM intermediate_tokens WHERE holder_code = @h AND addressee_number = @a", t);
        one.With("h", holderCode);
        var parameter = one.Parameter("a", System.Data.DbType.Int64);
        foreach (var addressee in addressees)
        {
            parameter.Value = addressee;
            if (one.ExecuteScalar() is { } value and not DBNull) found[addressee] = Token.FromInt64(Convert.ToInt64(value, CultureInfo.InvariantCulture));
        }
        return found;
    }

    /// <summary><see cref="TokensOf(DbConnection, DbTransaction?, string, IReadOnlyList{long})"/> for request paths, on its own connection.</summary>
    public async Task<Dictionary<long, Token>> TokensOfAsync(string holderCode, IReadOnlyList<long> addressees, CancellationToken cancellationToken = default)
    {
        var found = new Dictionary<long, Token>();
        if (addressees.Count == 0) return found;
        await using var c = await Database.OpenAsync(cancellationToken);
        if (IsPostgres)
        {
            using var select = c.Command("SELECT addressee_number, token FROM intermediate_tokens WHERE holder_code = @h AND addressee_number = ANY(@a)");
            await using var reader = await select.With("h", holderCode).With("a", addressees.ToArray()).ReaderAsync(cancellationToken);
            while (await reader.ReadRowAsync(cancellationToken)) found[reader.GetInt64(0)] = Token.FromInt64(reader.GetInt64(1));
            return found;
        }
        return TokensOf(c, null, holderCode, addressees);
    }

    public async Task<Token?> TokenOfAsync(string holderCode, long addressee, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("SELECT token FROM intermediate_tokens WHERE holder_code = @h AND addressee_number = @a");
        var value = await select.With("h", holderCode).With("a", addressee).ScalarAsync(cancellationToken);
        return value is null or DBNull ? null : Token.FromInt64(Convert.ToInt64(value, CultureInfo.InvariantCulture));
    }

    /// <summary>The addressee a token is bound to, or null.</summary>
    public async Task<long?> AddresseeOfAsync(string holderCode, Token token, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("SELECT addressee_number FROM intermediate_tokens WHERE holder_code = @h AND token = @k");
        var value = await select.With("h", holderCode).With("k", token.ToInt64()).ScalarAsync(cancellationToken);
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    // ---------------------------------------------------------------- status

    /// <summary>
    /// Addressees with a token; addressees with a registered request still waiting and no token; addressees whose
    /// delivery conflicted and who still have no token of their own.
    /// </summary>
    public async Task<TokenCounts> CountsAsync(string holderCode, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var withToken = c.Command("SELECT COUNT(*) FROM intermediate_tokens WHERE holder_code = @h");
        var bound = await withToken.With("h", holderCode).ScalarInt64Async(cancellationToken);
        return new TokenCounts(bound, await CountWithoutTokenAsync(c, holderCode, Pending, cancellationToken),
            await CountWithoutTokenAsync(c, holderCode, Conflict, cancellationToken));
    }

    private static async ValueTask<long> CountWithoutTokenAsync(DbConnection c, string holderCode, string state, CancellationToken cancellationToken)
    {
        using var count = c.Command("""
            SELECT COUNT(DISTINCT r.addressee_number) FROM intermediate_token_requests r
            WHERE r.holder_code = @h AND r.state = @s
              AND NOT EXISTS (SELECT 1 FROM intermediate_tokens k WHERE k.holder_code = r.holder_code AND k.addressee_number = r.addressee_number)
            """);
        return await count.With("h", holderCode).With("s", state).ScalarInt64Async(cancellationToken);
    }

    /// <summary>The addressees among <paramref name="addressees"/> with a request still pending.</summary>
    public async Task<HashSet<long>> WithPendingRequestAsync(string holderCode, IReadOnlyList<long> addressees, CancellationToken cancellationToken = default)
    {
        var found = new HashSet<long>();
        if (addressees.Count == 0) return found;
        await using var c = await Database.OpenAsync(cancellationToken);
        if (IsPostgres)
        {
            using var select = c.Command("""
                SELECT DISTINCT addressee_number FROM intermediate_token_requests WHERE holder_code = @h AND state = @s AND addressee_number = ANY(@a)
                """);
            await using var reader = await select.With("h", holderCode).With("s", Pending).With("a", addressees.ToArray()).ReaderAsync(cancellationToken);
            while (await reader.ReadRowAsync(cancellationToken)) found.Add(reader.GetInt64(0));
            return found;
        }
        using var one = c.Command("SELECT 1 FROM intermediate_token_requests WHERE holder_code = @h AND state = @s AND addressee_number = @a LIMIT 1");
        one.With("h", holderCode).With("s", Pending);
        var parameter = one.Parameter("a", System.Data.DbType.Int64);
        foreach (var addressee in addressees)
        {
            parameter.Value = addressee;
            if (one.ExecuteScalar() is not null and not DBNull) found.Add(addressee);
        }
        return found;
    }
}
