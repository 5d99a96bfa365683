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
    string Terminal, string? Affair, CertificateRequester Requester, int Copies, long FeeYen, string Options)
{
    /// <summary>Where it was issued: at the counter (the default), or at a kiosk (then <see cref="TransactionId"/> and <see cref="PaidYen"/> are set and <see cref="Terminal"/> is the kiosk).</summary>
    public CertificateChannel Channel { get; init; } = CertificateChannel.Counter;

    /// <summary>The kiosk transaction (unique in the ledger).</summary>
    public Guid? TransactionId { get; init; }

    /// <summary>What the resident put into the kiosk (at least the fee; the change is the kiosk's).</summary>
    public long? PaidYen { get; init; }

    /// <summary>When the kiosk issuance was voided (not printed or not paid): not counted as issued, no fee.</summary>
    public DateTimeOffset? VoidedAt { get; init; }

    /// <summary>Why it was voided (print-failed, payment-failed, cancelled).</summary>
    public string? VoidReason { get; init; }
}

/// <summary>Where a certificate was issued (交付の経路).</summary>
public enum CertificateChannel
{
    /// <summary>窓口.</summary>
    Counter,
    /// <summary>コンビニ交付（キオスク端末）.</summary>
    Kiosk,
}

public static class CertificateChannels
{
    public static string Code(this CertificateChannel channel) => channel == CertificateChannel.Kiosk ? "kiosk" : "counter";

    public static string ToJapanese(this CertificateChannel channel) => channel == CertificateChannel.Kiosk ? "コンビニ交付" : "窓口";

    public static CertificateChannel Parse(string code) => code == "kiosk" ? CertificateChannel.Kiosk : CertificateChannel.Counter;
}

/// <summary>A kiosk transaction as the issuance server records it: its id, a fingerprint of the request (never its content) and what was paid.</summary>
public sealed record KioskTransaction(Guid TransactionId, string Fingerprint, long PaidYen);

/// <summary>Certificates issued in one month of one kind through one channel, voided ones excluded: ledger entries, copies and fees.</summary>
public sealed record CertificateStatistic(string Month, CertificateKind Kind, CertificateChannel Channel, long Issuances, long Copies, long FeeYen);

/// <summary>The kiosk transaction id was seen before with another request, or was voided (code <see cref="Code"/>).</summary>
public sealed class KioskTransactionReusedException() : Exception("the kiosk transaction id was used before with another request, or voided")
{
    public const string Code = "transaction-reused";
}

/// <summary>The ward's certificate issuance ledger (table <c>certificate_issuances</c>); the entry's id is the certificate's serial.</summary>
public sealed class CertificateLedger
{
    private const string IssueOperation = "kiosk-issue";
    private const string VoidOperation = "kiosk-void";
    private static readonly RequestLedger KioskTransactions = new("kiosk_transactions");

    private readonly Database _database;

    /// <summary>The kiosk transaction the next <see cref="Record"/> belongs to (<see cref="ForKiosk"/>), and the entry it replays when it was recorded before.</summary>
    private readonly (KioskTransaction Transaction, long? Replay)? _kiosk;

    public CertificateLedger(Database database)
    {
        _database = database;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    private CertificateLedger(Database database, KioskTransaction transaction, long? replay)
    {
        _database = database;
        _kiosk = (transaction, replay);
    }

    /// <summary>
    /// This ledger for one kiosk transaction: <see cref="Record"/> claims the transaction id and records the entry as a kiosk
    /// issuance with what was paid — or, when <paramref name="replay"/> names the entry the same request recorded before,
    /// records nothing and produces from that entry's serial again.
    /// </summary>
    public CertificateLedger ForKiosk(KioskTransaction transaction, long? replay = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return new CertificateLedger(_database, transaction, replay);
    }

    /// <summary>Why an entry was voided when its certificate could not be made after it was recorded.</summary>
    public const string ProduceFailed = "produce-failed";

    /// <summary>
    /// Records an issuance, then produces what is handed over from its serial (the entry's id). The write transaction holds
    /// only the entry (and the kiosk transaction's claim): the certificate is rendered and signed after it commits, so a ward
    /// makes certificates on every core at once instead of one at a time behind the database's write lock. When
    /// <paramref name="produce"/> throws, the entry is voided (<see cref="ProduceFailed"/>: not counted as issued, no fee; a
    /// kiosk transaction that was voided is never issued) and the exception goes to the caller; the caller checks what it
    /// can before (fonts, signer), so this is for faults only.
    /// </summary>
    public T Record<T>(CertificateIssuance issuance, Func<long, T> produce)
    {
        ArgumentNullException.ThrowIfNull(issuance);
        ArgumentNullException.ThrowIfNull(produce);
        if (_kiosk is { Replay: { } replay }) return produce(replay);
        var id = _database.InTransaction((connection, transaction) =>
        {
            if (_kiosk is { Transaction: var kiosk })
            {
                if (KioskTransactions.Claim(connection, transaction, kiosk.TransactionId, IssueOperation, kiosk.Fingerprint, issuance.IssuedAt) is not null)
                    throw new KioskTransactionReusedException(); // recorded meanwhile: the caller looks it up again
                issuance = issuance with { Channel = CertificateChannel.Kiosk, TransactionId = kiosk.TransactionId, PaidYen = kiosk.PaidYen };
            }
            var id = Insert(connection, transaction, issuance);
            if (_kiosk is { Transaction: var done })
                KioskTransactions.Complete(connection, transaction, done.TransactionId, id.ToString(CultureInfo.InvariantCulture));
            return id;
        });
        try
        {
            return produce(id);
        }
        catch
        {
            VoidEntry(id, ProduceFailed, issuance.IssuedAt);
            throw;
        }
    }

    private void VoidEntry(long id, string reason, DateTimeOffset at) =>
        _database.InTransaction((connection, transaction) =>
            connection.Command("UPDATE certificate_issuances SET voided_at = @at, void_reason = @why WHERE id = @id AND voided_at IS NULL", transaction)
                .With("@at", at.ToString("O", CultureInfo.InvariantCulture)).With("@why", reason).With("@id", id).ExecuteNonQuery());

    /// <summary>
    /// What the ledger knows of a kiosk transaction: null when it was never seen; otherwise whether it was an issuance with
    /// this fingerprint and its entry (<paramref name="entry"/>, null when it was voided before any issuance).
    /// </summary>
    public bool? SameKioskRequest(Guid transactionId, string fingerprint, out CertificateIssuance? entry)
    {
        entry = null;
        using var connection = _database.Open();
        var stored = KioskTransactions.Find(connection, null, transactionId);
        if (stored is null) return null;
        if (stored.Response is { } id) entry = Find(connection, long.Parse(id, CultureInfo.InvariantCulture));
        return stored.Operation == IssueOperation && stored.Fingerprint == fingerprint && entry is { VoidedAt: null };
    }

    /// <summary>
    /// Voids a kiosk transaction (印刷できなかった・納付できなかった): its entry is marked voided with the reason and is no longer
    /// counted as issued nor charged; a transaction not seen yet is remembered as voided so it can never be issued. Returns
    /// the entry voided now (null: nothing was issued, or it was voided before).
    /// </summary>
    public CertificateIssuance? Void(Guid transactionId, string reason, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return _database.InTransaction((connection, transaction) =>
        {
            var stored = KioskTransactions.Claim(connection, transaction, transactionId, VoidOperation, VoidOperation, now);
            if (stored is not { Operation: IssueOperation, Response: { } id }) return null;
            var voided = connection.Command("UPDATE certificate_issuances SET voided_at = @at, void_reason = @why WHERE id = @id AND voided_at IS NULL", transaction)
                .With("@at", now.ToString("O", CultureInfo.InvariantCulture)).With("@why", reason).With("@id", long.Parse(id, CultureInfo.InvariantCulture))
                .ExecuteNonQuery();
            return voided == 1 ? Find(connection, long.Parse(id, CultureInfo.InvariantCulture), transaction) : null;
        });
    }

    /// <summary>Certificates issued per month (Japan date), kind and channel, voided ones excluded, oldest month first.</summary>
    public IReadOnlyList<CertificateStatistic> Statistics()
    {
        using var connection = _database.Open();
        using var select = connection.Command("SELECT substr(issued_on, 1, 7) AS month, kind, channel, COUNT(*), SUM(copies), SUM(fee_yen) FROM certificate_issuances "
            + "WHERE voided_at IS NULL GROUP BY substr(issued_on, 1, 7), kind, channel ORDER BY month, kind, channel");
        using var reader = select.ExecuteReader();
        var list = new List<CertificateStatistic>();
        while (reader.Read())
        {
            CertificateKinds.TryParse(reader.GetString(1), out var kind);
            list.Add(new CertificateStatistic(reader.GetString(0), kind, CertificateChannels.Parse(reader.GetString(2)), reader.GetInt64(3),
                Convert.ToInt64(reader.GetValue(4), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(5), CultureInfo.InvariantCulture)));
        }
        return list;
    }

    /// <summary>The issuances for a person, oldest first.</summary>
    public IReadOnlyList<CertificateIssuance> ForResident(long residentId)
    {
        using var connection = _database.Open();
        using var select = connection.Command($"SELECT {Columns} FROM certificate_issuances WHERE resident_id = @r ORDER BY id").With("@r", residentId);
        return ReadAll(select);
    }

    /// <summary>The entry with this id (the certificate's serial), or null.</summary>
    public CertificateIssuance? Find(long id)
    {
        using var connection = _database.Open();
        return Find(connection, id);
    }

    private static CertificateIssuance? Find(DbConnection connection, long id, DbTransaction? transaction = null)
    {
        using var select = connection.Command($"SELECT {Columns} FROM certificate_issuances WHERE id = @id", transaction).With("@id", id);
        return ReadAll(select).SingleOrDefault();
    }

    private const string Columns = "id, kind, resident_id, issued_at, issued_on, staff_id, terminal, affair, requester, copies, fee_yen, options, "
        + "channel, transaction_id, paid_yen, voided_at, void_reason";

    private static List<CertificateIssuance> ReadAll(DbCommand select)
    {
        using var reader = select.ExecuteReader();
        var list = new List<CertificateIssuance>();
        while (reader.Read())
        {
            CertificateKinds.TryParse(reader.GetString(1), out var kind);
            CertificateRequesters.TryParse(reader.GetString(8), out var requester);
            list.Add(new CertificateIssuance(reader.GetInt64(0), kind, reader.GetInt64(2),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture), DateOnly.ParseExact(reader.GetString(4), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                reader.GetString(5), reader.GetString(6), reader.NullableString(7), requester, reader.GetInt32(9), reader.GetInt64(10), reader.GetString(11))
            {
                Channel = CertificateChannels.Parse(reader.GetString(12)),
                TransactionId = reader.NullableString(13) is { } transaction ? Guid.Parse(transaction) : null,
                PaidYen = reader.NullableInt64(14),
                VoidedAt = reader.NullableString(15) is { } voided ? DateTimeOffset.Parse(voided, CultureInfo.InvariantCulture) : null,
                VoidReason = reader.NullableString(16),
            });
        }
        return list;
    }

    private static long Insert(DbConnection connection, DbTransaction transaction, CertificateIssuance i) =>
        connection.Command("INSERT INTO certificate_issuances (kind, resident_id, issued_at, issued_on, staff_id, terminal, affair, requester, copies, fee_yen, options, "
            + "channel, transaction_id, paid_yen) VALUES (@k, @r, @at, @on, @s, @t, @a, @rq, @c, @f, @o, @ch, @tx, @paid) RETURNING id", transaction)
            .With("@k", i.Kind.Code()).With("@r", i.ResidentId).With("@at", i.IssuedAt.ToString("O", CultureInfo.InvariantCulture))
            .With("@on", i.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).With("@s", i.StaffId).With("@t", i.Terminal).With("@a", i.Affair)
            .With("@rq", i.Requester.Code()).With("@c", i.Copies).With("@f", i.FeeYen).With("@o", i.Options).With("@ch", i.Channel.Code())
            .With("@tx", i.TransactionId?.ToString("D")).With("@paid", i.PaidYen).ScalarInt64();
}
