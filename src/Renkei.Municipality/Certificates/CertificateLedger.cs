using System.Data.Common;
using System.Globalization;
using Renkei.Documents;
using Renkei.Infrastructure;

namespace Renkei.Municipality.Certificates;

/// <summary>Who asked for a certificate at the counter (請求者).</summary>
public enum CertificateRequester
{
    /// <summary>本人.</summary>
    Self,
    /// <summary>同一世帯の者.</summary>
    HouseholdMember,
    /// <summary>代理人（委任状あり）.</summary>
    Agent,
}

public static class CertificateRequesters
{
    public static string Code(this CertificateRequester requester) => requester switch
    {
        CertificateRequester.Self => "self",
        CertificateRequester.HouseholdMember => "household-member",
        CertificateRequester.Agent => "agent",
        _ => throw new ArgumentOutOfRangeException(nameof(requester)),
    };

    public static string ToJapanese(this CertificateRequester requester) => requester switch
    {
        CertificateRequester.Self => "本人",
        CertificateRequester.HouseholdMember => "同一世帯の者",
        CertificateRequester.Agent => "代理人",
        _ => throw new ArgumentOutOfRangeException(nameof(requester)),
    };

    public static bool TryParse(string? code, out CertificateRequester requester)
    {
        foreach (var candidate in Enum.GetValues<CertificateRequester>())
            if (string.Equals(candidate.Code(), code?.Trim(), StringComparison.Ordinal))
            {
                requester = candidate;
                return true;
            }
        requester = default;
        return false;
    }
}

/// <summary>
/// One issuance in the ledger (交付記録): what kind, for whom (register id), when, by whom, at which terminal, in which affair,
/// the requester, the copies and the fee, and the options chosen (e.g. household, relationship, number) — never the content.
/// </summary>
public sealed record CertificateIssuance(long Id, CertificateKind Kind, long ResidentId, DateTimeOffset IssuedAt, DateOnly IssuedOn, string StaffId,
    string Terminal, string? Affair, CertificateRequester Requester, int Copies, long FeeYen, string Options);

/// <summary>The ward's certificate issuance ledger (table <c>certificate_issuances</c>); the entry's id is the certificate's serial.</summary>
public sealed class CertificateLedger
{
    private readonly Database _database;

    public CertificateLedger(Database database)
    {
        _database = database;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    /// <summary>
    /// Records an issuance and, in the same transaction, produces what is handed over from its serial (the entry's id):
    /// when <paramref name="produce"/> throws, nothing is recorded.
    /// </summary>
    public T Record<T>(CertificateIssuance issuance, Func<long, T> produce)
    {
        ArgumentNullException.ThrowIfNull(issuance);
        return _database.InTransaction((connection, transaction) =>
        {
            var id = Insert(connection, transaction, issuance);
            return produce(id);
        });
    }

    /// <summary>The issuances for a person, oldest first.</summary>
    public IReadOnlyList<CertificateIssuance> ForResident(long residentId)
    {
        using var connection = _database.Open();
        using var select = connection.Command("SELECT id, kind, resident_id, issued_at, issued_on, staff_id, terminal, affair, requester, copies, fee_yen, options "
            + "FROM certificate_issuances WHERE resident_id = @r ORDER BY id").With("@r", residentId);
        using var reader = select.ExecuteReader();
        var list = new List<CertificateIssuance>();
        while (reader.Read())
        {
            CertificateKinds.TryParse(reader.GetString(1), out var kind);
            CertificateRequesters.TryParse(reader.GetString(8), out var requester);
            list.Add(new CertificateIssuance(reader.GetInt64(0), kind, reader.GetInt64(2),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture), DateOnly.ParseExact(reader.GetString(4), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                reader.GetString(5), reader.GetString(6), reader.NullableString(7), requester, reader.GetInt32(9), reader.GetInt64(10), reader.GetString(11)));
        }
        return list;
    }

    private static long Insert(DbConnection connection, DbTransaction transaction, CertificateIssuance i) =>
        connection.Command("INSERT INTO certificate_issuances (kind, resident_id, issued_at, issued_on, staff_id, terminal, affair, requester, copies, fee_yen, options) "
            + "VALUES (@k, @r, @at, @on, @s, @t, @a, @rq, @c, @f, @o) RETURNING id", transaction)
            .With("@k", i.Kind.Code()).With("@r", i.ResidentId).With("@at", i.IssuedAt.ToString("O", CultureInfo.InvariantCulture))
            .With("@on", i.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).With("@s", i.StaffId).With("@t", i.Terminal).With("@a", i.Affair)
            .With("@rq", i.Requester.Code()).With("@c", i.Copies).With("@f", i.FeeYen).With("@o", i.Options).ScalarInt64();
}
