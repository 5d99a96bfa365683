using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.IssuanceCentre.Contracts;

/// <summary>
/// The certificate issuance centre (証明書交付センター, run by J-LIS) as kiosks (キオスク端末) reach it, and the one J-LIS route
/// the centre uses. A kiosk signs each request as itself (its key pinned at the centre, <c>IssuanceCentre:Kiosks</c>).
/// <list type="number">
/// <item>The kiosk asks for a challenge (<see cref="Challenges"/>); the card signs it with the user-authentication key
/// after the resident's PIN (in the kiosk's page, as the portal's card reader does).</item>
/// <item>The kiosk opens a session with the proof (<see cref="Sessions"/>): the centre checks the certificate with J-LIS's
/// JPKI (chain, suspended and revoked refused), asks J-LIS which card and register it belongs to (<see cref="IssuanceHolderRoutes.Holder"/>:
/// J-LIS checks the proof itself and answers with the resident-record code and the municipality — 「どこでも」: any
/// participating ward), and asks that ward's issuance server for its menu. The kiosk learns only the ward, whether it is
/// open and its menu with fees; the resident-record code stays at the centre.</item>
/// <item>After the resident chose, paid and took the card back, the kiosk asks for the certificate
/// (<see cref="Certificates"/>, idempotent by transaction id): the centre has the ward issue it, and returns the PDF
/// with the ward's signed mark. A failed print is reported with <see cref="Void"/>: the issuance is voided and not charged.</item>
/// <item>The kiosk closes the session when the card is removed (<see cref="Sessions"/>/{id}, DELETE).</item>
/// </list>
/// The centre logs each transaction (kiosk, ward, kind, fee, time, result), never the certificate's content.
/// </summary>
public static class IssuanceCentreRoutes
{
    /// <summary>POST <see cref="KioskChallengeRequest"/> → <see cref="KioskChallenge"/>.</summary>
    public const string Challenges = "issuance/challenges";

    /// <summary>POST <see cref="KioskSessionRequest"/> → <see cref="KioskSession"/>; DELETE <c>issuance/sessions/{id}</c> ends it.</summary>
    public const string Sessions = "issuance/sessions";

    /// <summary>POST <see cref="KioskCertificateRequest"/> → <see cref="KioskCertificate"/>.</summary>
    public const string Certificates = "issuance/certificates";

    /// <summary>POST <see cref="KioskCancelRequest"/> → 204.</summary>
    public const string Void = "issuance/certificates/void";

    /// <summary>The public verification page (真正性確認): GET the form, POST a PDF or a scanned image.</summary>
    public const string Verify = "verify";

    /// <summary>The caller class a centre pins its kiosks with.</summary>
    public const string KioskClass = "Kiosk";
}

/// <summary>Refusal codes of the centre besides the ward's (<see cref="KioskRefusalCodes"/>) and JPKI's (<see cref="PortalLoginRefusalCodes"/>).</summary>
public static class IssuanceCentreRefusalCodes
{
    /// <summary>The card holder's municipality does not take part in convenience-store issuance (409).</summary>
    public const string NotParticipating = "ward-not-participating";

    /// <summary>The session ended (card removed, idle) or never existed (404).</summary>
    public const string NoSession = "no-session";

    /// <summary>The ward's issuance server did not answer (502).</summary>
    public const string WardUnavailable = "ward-unavailable";
}

public sealed record KioskChallengeRequest(string Kiosk);

/// <param name="Challenge">A card login challenge text naming the centre (<c>renkei-card-login/1</c>), valid five minutes, for one session.</param>
public sealed record KioskChallenge(string Challenge);

/// <param name="UserCertificate">The card's user-authentication certificate, DER in base64.</param>
/// <param name="ChallengeSignature">RSA PKCS#1 v1.5 SHA-256 over the UTF-8 challenge, base64.</param>
public sealed record KioskSessionRequest(string Kiosk, string Challenge, string UserCertificate, string ChallengeSignature);

/// <param name="SessionId">Opaque; ends when the kiosk deletes it or after five idle minutes.</param>
/// <param name="Menu">The ward's menu (its name, whether it is open now, the kinds and fees).</param>
public sealed record KioskSession(Guid SessionId, KioskMenu Menu);

/// <param name="TransactionId">The kiosk's transaction id (one per choice; a resend gets the same certificate, charged once).</param>
public sealed record KioskCertificateRequest(Guid SessionId, Guid TransactionId, string Kind, bool WholeHousehold, int? FiscalYear, long PaidYen);

/// <param name="ChangeYen">Paid minus fee (おつり).</param>
/// <param name="Pdf">The printable certificate (PDF); base64 in JSON.</param>
public sealed record KioskCertificate(Guid TransactionId, long Serial, string Kind, long FeeYen, long ChangeYen, byte[] Pdf);

/// <param name="Reason"><c>print-failed</c>, <c>payment-failed</c> or <c>cancelled</c>.</param>
public sealed record KioskCancelRequest(Guid SessionId, Guid TransactionId, string Reason);
