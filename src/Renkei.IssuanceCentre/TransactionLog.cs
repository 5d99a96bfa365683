using System.Globalization;
using Renkei.Infrastructure;

namespace Renkei.IssuanceCentre;

/// <summary>One kiosk transaction as the centre logs it: what was asked and how it ended, nothing of the certificate or the person.</summary>
/// <param name="Result"><see cref="TransactionLog.Issued"/>, <see cref="TransactionLog.Voided"/>, or the refusal code that ended it.</param>
public sealed record CentreTransaction(Guid TransactionId, string Kiosk, string Ward, string Kind, long PaidYen, long? FeeYen, long? ChangeYen,
    long? Serial, string Result, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, DateTimeOffset? VoidedAt, string? VoidReason);

/// <summary>
/// The centre's transaction log (<c>centre_transactions</c>, <see cref="IssuanceCentreSchema"/>): one row per kiosk
/// transaction id — kiosk, ward, kind, fee, paid, change, time, result code and the ward's serial. A retry of the same
/// transaction updates its row (never a second one, so never a second charge); a transaction id is bound to the choices it
/// was first used with (<see cref="Begin"/>). It never holds a certificate's content, an individual number or a
/// resident-record code.
/// </summary>
public sealed class TransactionLog
{
    public const string Issued = "issued";
    public const string Voided = "voided";
    public const string Pending = "pending";

    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public TransactionLog(Database database)
    {
        Database = database ?? throw new ArgumentNullException(nameof(database));
        Migrations.Apply(Database, IssuanceCentreSchema.Tables);
    }

    public Database Database { get; }

    /// <summary>
    /// Records that the transaction is being asked for (a new row, or the retried one left as it was). False when the id
    /// was first used with other choices (another kiosk, ward, kind or payment).
    /// </summary>
    public bool Begin(Guid transactionId, string kiosk, string ward, string kind, string fingerprint, long paidYen, DateTimeOffset now) =>
        Database.InTransaction((c, t) =>
        {
            using (var insert = c.Command("""
                INSERT INTO centre_transactions (transaction_id, kiosk, ward, kind, fingerprint, paid_yen, result, requested_at)
                VALUES (@id, @kiosk, @ward, @kind, @fp, @paid, @result, @at) ON CONFLICT (transaction_id) DO NOTHING RETURNING transaction_id
                """, t))
            {
                insert.With("id", transactionId.ToString("D")).With("kiosk", kiosk).With("ward", ward).With("kind", kind).With("fp", fingerprint)
                    .With("paid", paidYen).With("result", Pending).With("at", Format(now));
                if (insert.ExecuteScalar() is not null) return true;
            }
            using var select = c.Command("SELECT fingerprint FROM centre_transactions WHERE transaction_id = @id", t);
            return select.With("id", transactionId.ToString("D")).ExecuteScalar() as string == fingerprint;
        });

    /// <summary>The ward issued (or re-sent) the certificate: its fee, the change and its serial.</summary>
    public void Complete(Guid transactionId, long feeYen, long changeYen, long serial, DateTimeOffset now) => Update(transactionId,
        "result = @result, fee_yen = @fee, change_yen = @change, serial = @serial, completed_at = @at",
        command => command.With("result", Issued).With("fee", feeYen).With("change", changeYen).With("serial", serial).With("at", Format(now)));

    /// <summary>The transaction ended without a certificate: the refusal code (the ward's, or the centre's when the ward did not answer).</summary>
    public void Refuse(Guid transactionId, string code, DateTimeOffset now) => Update(transactionId,
        "result = @result, completed_at = @at", command => command.With("result", code).With("at", Format(now)), onlyUnissued: true);

    /// <summary>The ward voided the issuance (the kiosk could not print): not charged.</summary>
    public void Void(Guid transactionId, string reason, DateTimeOffset now) => Update(transactionId,
        "result = @result, voided_at = @at, void_reason = @reason", command => command.With("result", Voided).With("at", Format(now)).With("reason", reason));

    /// <summary>The transaction with this id, or null.</summary>
    public CentreTransaction? Find(Guid transactionId)
    {
        using var c = Database.Open();
        using var select = c.Command("""
            SELECT kiosk, ward, kind, paid_yen, fee_yen, change_yen, serial, result, requested_at, completed_at, voided_at, void_reason
            FROM centre_transactions WHERE transaction_id = @id
            """);
        using var reader = select.With("id", transactionId.ToString("D")).ExecuteReader();
        if (!reader.Read()) return null;
        return new CentreTransaction(transactionId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3),
            reader.NullableInt64(4), reader.NullableInt64(5), reader.NullableInt64(6), reader.GetString(7), Parse(reader.GetString(8)),
            reader.NullableString(9) is { } completed ? Parse(completed) : null, reader.NullableString(10) is { } voided ? Parse(voided) : null,
            reader.NullableString(11));
    }

    private void Update(Guid transactionId, string set, Func<System.Data.Common.DbCommand, System.Data.Common.DbCommand> values, bool onlyUnissued = false) =>
        Database.InTransaction((c, t) =>
        {
            // A refusal after an earlier attempt issued (the ward refusing a resend) does not hide the issuance.
            using var update = c.Command($"UPDATE centre_transactions SET {set} WHERE transaction_id = @id"
                + (onlyUnissued ? $" AND result NOT IN ('{Issued}', '{Voided}')" : ""), t);
            values(update.With("id", transactionId.ToString("D"))).ExecuteNonQuery();
        });

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
