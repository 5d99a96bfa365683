using Renkei.Core.Crypto;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// How the portal learns who logged in (利用者証明用電子証明書 → the person's portal token). The user certificate names
/// nobody; J-LIS alone knows which card, and so which resident-record code, it was issued to. The portal sends J-LIS the
/// login proof — the user certificate, the challenge and the card's signature over it — signed as the portal institution
/// (<c>X-Renkei-*</c> signature headers, key from the network's registry, class Portal only). J-LIS checks the proof itself
/// (its own certificate, status good, signature valid, challenge fresh and naming the portal), so the portal can obtain
/// the token only of a person who is logging in right now; then it asks the network for the portal's token for that
/// resident-record code and hands on what the network returns, sealed to the portal, unread.
/// </summary>
public static class PortalLoginRoutes
{
    public const string PortalToken = "portal/token";
}

/// <param name="Portal">The calling portal's institution code (must match the request signature).</param>
/// <param name="UserCertificate">The card's user-authentication certificate, DER in base64.</param>
/// <param name="Challenge">The challenge text (<see cref="Renkei.Core.Cards.CardLoginChallenge.Text"/>), naming <paramref name="Portal"/>.</param>
/// <param name="ChallengeSignature">RSA PKCS#1 v1.5 SHA-256 over the UTF-8 challenge, base64.</param>
public sealed record PortalTokenRequest(Guid RequestId, string Portal, string UserCertificate, string Challenge, string ChallengeSignature);

/// <summary>
/// The portal token, sealed by the network to the portal (see <c>IssueTokenResponse.SealedToken</c>). J-LIS asks the
/// network with the login's own <paramref name="RequestId"/>, so the portal opens it with associated data
/// <c>IssueTokenResponse.PortalTokenContext(RequestId, Portal)</c>. A resent request (same id, same proof) gets the same
/// answer; a challenge serves one login only.
/// </summary>
public sealed record PortalTokenResponse(Guid RequestId, SealedPayload SealedToken);

/// <summary>Why J-LIS refused a login proof (409/403 problem codes).</summary>
public static class PortalLoginRefusalCodes
{
    public const string NotPortal = "not-portal";
    public const string CertificateNotIssuedHere = "certificate-not-issued-here";
    public const string CertificateRevoked = "certificate-revoked";
    public const string CertificateSuspended = "certificate-suspended";
    public const string CertificateExpired = "certificate-expired";
    public const string BadChallenge = "bad-challenge";
    public const string BadSignature = "bad-signature";
    public const string CardNotInUse = "card-not-in-use";
}

/// <summary>Implemented by <see cref="JlisHttpClient"/>; its <see cref="HttpClient"/> must sign requests as the portal.</summary>
public interface IJlisPortalClient
{
    /// <exception cref="JlisException">J-LIS refused (a <see cref="PortalLoginRefusalCodes"/> code, or a signature failure).</exception>
    Task<PortalTokenResponse> PortalTokenAsync(PortalTokenRequest request, CancellationToken cancellationToken = default);
}
