using System.Data.Common;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Tokens;

/// <summary>How many of the ward's addressees hold a token, and how many J-LIS refused (last answer).</summary>
public sealed record TokenHoldingCounts(long Held, long Refused);

/// <summary>
/// What the ward records about its tokens (符号), in its own database: which integrated addressee numbers hold a token at
/// the ward's intermediate server (the token itself stays there: the ward never sees it), and for whom J-LIS last refused
/// one (with J-LIS's code and reason, never the number). Also the table of <see cref="TokenAcquisitionJob"/>'s chunks.
/// </summary>
public sealed class TokenHoldings
{
    public TokenHoldings(Database database)
    {
        Database = database ?? throw new ArgumentNullException(nameof(database));
        Migrations.Apply(Database, MunicipalitySchema.Tables);
    }

    public Database Database { get; }

    /// <summary>Whether the addressee holds a token at the ward's intermediate server (as far as the ward has recorded).</summary>
    public bool Holds(long addresseeNumber)
    {
        using var connection = Database.Open();
        return connection.Command("SELECT COUNT(*) FROM token_holdings WHERE addressee_number = @a").With("@a", addresseeNumber).ScalarInt64() > 0;
    }

    public TokenHoldingCounts Counts()
    {
        using var connection = Database.Open();
        return new TokenHoldingCounts(
            connection.Command("SELECT COUNT(*) FROM token_holdings").ScalarInt64(),
            connection.Command("SELECT COUNT(*) FROM token_refusals").ScalarInt64());
    }

    /// <summary>J-LIS's last refusal per addressee, in addressee order (at most <paramref name="limit"/>).</summary>
    public IReadOnlyList<RefusedSubject> Refusals(int limit = 10_000)
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT addressee_number, code, reason FROM token_refusals ORDER BY addressee_number LIMIT @limit")
            .With("@limit", Math.Max(0, limit));
        using var reader = command.ExecuteReader();
        var list = new List<RefusedSubject>();
        while (reader.Read()) list.Add(new RefusedSubject(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        return list;
    }

    /// <summary>Records that the addressee holds a token (and clears an earlier refusal), in its own transaction.</summary>
    public void RecordHeld(long addresseeNumber, string source) =>
        Database.InTransaction((c, t) => RecordHeld(c, t, [addresseeNumber], source));

    public void RecordRefused(RefusedSubject refusal) =>
        Database.InTransaction((c, t) => RecordRefused(c, t, [refusal]));

    internal static void RecordHeld(DbConnection c, DbTransaction t, IReadOnlyCollection<long> addressees, string source)
    {
        if (addressees.Count == 0) return;
        var now = ResidentRegister.Now();
        if (c is Npgsql.NpgsqlConnection)
        {
            // One round trip per statement for the whole chunk.
            var array = addressees as long[] ?? addressees.ToArray();
            c.Command("""
                INSERT INTO token_holdings (addressee_number, source, acquired_at) SELECT a, @s, @at FROM unnest(@list) AS chunk(a)
                ON CONFLICT (addressee_number) DO NOTHING
                """, t).With("@s", source).With("@at", now).With("@list", array).ExecuteNonQuery();
            c.Command("DELETE FROM token_refusals WHERE addressee_number = ANY(@list)", t).With("@list", array).ExecuteNonQuery();
            return;
        }
        using (var insert = c.Command(
            "INSERT INTO token_holdings (addressee_number, source, acquired_at) VALUES (@a, @s, @at) ON CONFLICT (addressee_number) DO NOTHING", t))
        {
            var a = insert.Parameter("@a", System.Data.DbType.Int64);
            insert.With("@s", source).With("@at", now);
            foreach (var addressee in addressees)
            {
                a.Value = addressee;
                insert.ExecuteNonQuery();
            }
        }
        using var clear = c.Command("DELETE FROM token_refusals WHERE addressee_number = @a", t);
        var cleared = clear.Parameter("@a", System.Data.DbType.Int64);
        foreach (var addressee in addressees)
        {
            cleared.Value = addressee;
            clear.ExecuteNonQuery();
        }
    }

    internal static void RecordRefused(DbConnection c, DbTransaction t, IReadOnlyCollection<RefusedSubject> refusals)
    {
        if (refusals.Count == 0) return;
        using var upsert = c.Command("""
            INSERT INTO token_refusals (addressee_number, code, reason, refused_at)
            SELECT @a, @c, @r, @at WHERE NOT EXISTS (SELECT 1 FROM token_holdings WHERE addressee_number = @a)
            ON CONFLICT (addressee_number) DO UPDATE SET code = @c, reason = @r, refused_at = @at
            """, t);
        var a = upsert.Parameter("@a", System.Data.DbType.Int64);
        var code = upsert.Parameter("@c", System.Data.DbType.String);
        var reason = upsert.Parameter("@r", System.Data.DbType.String);
        upsert.Parameter("@at", System.Data.DbType.String).Value = ResidentRegister.Now();
        foreach (var refusal in refusals)
        {
            a.Value = refusal.AddresseeNumber;
            code.Value = refusal.Code;
            reason.Value = refusal.Reason;
            upsert.ExecuteNonQuery();
        }
    }
}
