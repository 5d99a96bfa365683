namespace Renkei.Municipality.Contracts;

/// <summary>
/// The ward's issuance server (証明発行サーバ) as the convenience-store service (コンビニ交付) reaches it: only the issuance
/// centre (証明書交付センター, run by J-LIS) calls these routes, signed as itself and pinned by the ward
/// (<c>Ward:IssuanceCentre</c>). The centre has already verified the resident's user-authentication certificate and learnt
/// from J-LIS the card's resident-record code (住民票コード) and that this ward holds the register; it sends that code, never
/// an individual number. Nothing on kiosk paper carries the number or the code.
/// </summary>
public static class KioskIssuanceRoutes
{
    /// <summary>POST <see cref="KioskMenuRequest"/> → <see cref="KioskMenu"/>: what the ward offers this resident now, with the fees.</summary>
    public const string Menu = "kiosk/menu";

    /// <summary>POST <see cref="KioskIssueRequest"/> → <see cref="KioskIssued"/>: one certificate, recorded in the ledger with the fee.</summary>
    public const string Issue = "kiosk/certificates";

    /// <summary>POST <see cref="KioskVoidRequest"/> → 204: the kiosk could not print; the issuance is voided and not charged.</summary>
    public const string Void = "kiosk/certificates/void";

    /// <summary>The caller class the ward gives its pinned issuance centre.</summary>
    public const string IssuanceCentreClass = "IssuanceCentre";
}

/// <summary>The certificate kinds a kiosk may offer (the codes of <see cref="CertificatePdfRequest.Kind"/>).</summary>
public static class KioskCertificateKinds
{
    /// <summary>住民票の写し.</summary>
    public const string ResidenceRecord = "juminhyo";

    /// <summary>印鑑登録証明書.</summary>
    public const string SealRegistration = "inkan";

    /// <summary>課税（非課税）証明書.</summary>
    public const string TaxAssessment = "kazei";

    /// <summary>納税証明書.</summary>
    public const string TaxPayment = "nozei";

    public static readonly IReadOnlyList<string> All = [ResidenceRecord, SealRegistration, TaxAssessment, TaxPayment];
}

/// <summary>
/// Stable refusal codes of the kiosk routes (problem <c>code</c>); the kiosk shows a Japanese sentence for each and prints
/// nothing.
/// </summary>
public static class KioskRefusalCodes
{
    /// <summary>Outside the ward's service hours, the year-end holidays or a maintenance window (409).</summary>
    public const string Closed = "kiosk-closed";

    /// <summary>The resident-record code names no current resident of this ward (moved out, died, or unknown) (409).</summary>
    public const string NotResident = "not-resident";

    /// <summary>The resident is under a DV/stalking support measure (支援措置): counter only (409).</summary>
    public const string SupportMeasure = "support-measure";

    /// <summary>印鑑登録証明書 asked for by a resident with no seal registered (409).</summary>
    public const string NoSealRegistered = "no-seal-registered";

    /// <summary>A tax certificate for a fiscal year with no assessment (409).</summary>
    public const string NoAssessment = "no-assessment";

    /// <summary>The ward does not offer this kind at kiosks (409).</summary>
    public const string KindNotOffered = "kind-not-offered";

    /// <summary>The amount paid is less than the fee (409).</summary>
    public const string PaymentShort = "payment-short";

    /// <summary>The transaction id was used with a different request (409).</summary>
    public const string TransactionReused = "transaction-reused";
}

/// <param name="ResidentCode">The card holder's resident-record code (住民票コード, 11 digits), as J-LIS gave it to the centre.</param>
/// <param name="Kiosk">The kiosk terminal's id (the operation log's terminal).</param>
public sealed record KioskMenuRequest(string ResidentCode, string Kiosk);

/// <param name="Open">Whether the ward's kiosk service is open now (Japan time); when not, <paramref name="ClosedReason"/> says why in Japanese.</param>
/// <param name="Items">The certificates the ward offers at kiosks with its kiosk fees (the ward's own data).</param>
public sealed record KioskMenu(string Municipality, string MunicipalityName, bool Open, string? ClosedReason, IReadOnlyList<KioskMenuItem> Items);

/// <param name="Kind">One of <see cref="KioskCertificateKinds"/>.</param>
/// <param name="Name">The Japanese name shown on the button (e.g. 住民票の写し).</param>
/// <param name="FeeYen">The kiosk fee per copy.</param>
/// <param name="FiscalYears">For the tax kinds, the fiscal years the resident can get (newest first); null for the others.</param>
public sealed record KioskMenuItem(string Kind, string Name, long FeeYen, IReadOnlyList<int>? FiscalYears);

/// <param name="TransactionId">The kiosk transaction (idempotency key): a resend with the same request gets the same certificate and is charged once.</param>
/// <param name="Kind">One of <see cref="KioskCertificateKinds"/>.</param>
/// <param name="WholeHousehold">juminhyo: 世帯全員 (true) or 本人のみ.</param>
/// <param name="FiscalYear">kazei / nozei: the fiscal year (null: the latest assessed).</param>
/// <param name="PaidYen">What the resident put into the kiosk; at least the fee (the change is the kiosk's).</param>
public sealed record KioskIssueRequest(Guid TransactionId, string ResidentCode, string Kiosk, string Kind, bool WholeHousehold, int? FiscalYear, long PaidYen);

/// <param name="Serial">The ledger entry's id (the certificate's serial printed on it).</param>
/// <param name="Pdf">The certificate as a PDF (with the ward's signed mark); base64 in JSON.</param>
public sealed record KioskIssued(Guid TransactionId, long Serial, string Kind, long FeeYen, DateTimeOffset IssuedAt, byte[] Pdf);

/// <param name="Reason">Why: <c>print-failed</c>, <c>payment-failed</c> or <c>cancelled</c>.</param>
public sealed record KioskVoidRequest(Guid TransactionId, string Reason);
