using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tokens;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Portal;

/// <summary>
/// J-LIS's side of the portal login (マイナポータルへのログイン, <see cref="PortalLoginRoutes.PortalToken"/>): the portal (already
/// authenticated by its request signature and registry class) hands over a login proof; J-LIS checks it itself — the
/// challenge names the portal and is fresh, the user-authentication certificate (利用者証明用電子証明書) is one its own CA
/// issued and its own records call good, the challenge signature verifies with the certificate's key — finds the card
/// by the certificate's serial, requires the card to be in use, and asks the network for the portal's token of the
/// card's resident-record code. The network seals the token to the portal; J-LIS hands it on unread.
/// <para>Idempotent by request id (per portal): a completed login's answer is stored and a resent request gets it back
/// without asking the network again; the same id with another proof is refused. A challenge serves one login only.
/// Each login is written to the card's operation record (event <c>portal-login</c>: the portal, the certificate
/// serial, the time). Neither the resident-record code nor the token appears in any answer, message or record here.</para>
/// </summary>
internal sealed class PortalLoginService
{
    public const string LoginEvent = PortalEndpoints.LoginEvent;

    private const string Operation = "portal-token";

    private readonly CardLoginProofs _proofs;
    private readonly INetworkClient _network;

    public PortalLoginService(Database database, JpkiAuthority authority, JpkiTrustAnchors anchors, INetworkClient network, TimeProvider clock)
    {
        _proofs = new CardLoginProofs(database, authority, anchors, clock);
        _network = network ?? throw new ArgumentNullException(nameof(network));
    }

    private Database Database => _proofs.Database;

    /// <summary>Creates or upgrades J-LIS's tables (<see cref="JlisSchema"/>): the card tables and the portal request table among them.</summary>
    public void EnsureSchema() => Migrations.Apply(Database, JlisSchema.Tables);

    /// <summary>The portal token for the person logging in with <paramref name="request"/>'s proof; <paramref name="portal"/> signed the request.</summary>
    /// <exception cref="RefusalException">a <see cref="PortalLoginRefusalCodes"/> code, a reused id, or the network refused or did not answer.</exception>
    public async Task<PortalTokenResponse> TokenAsync(PortalTokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId == Guid.Empty)
            throw RefusalException.BadRequest("invalid-request", "requestId: missing or empty (要求IDがありません)");
        var portal = request.Portal;
        var key = TokenAcquirer.DerivedId(request.RequestId, "jlis/portal-token/" + portal);
        var fingerprint = RequestLedger.Fingerprint(portal, request.UserCertificate, request.Challenge, request.ChallengeSignature);
        if (_proofs.Claim<PortalTokenResponse>(key, Operation, fingerprint) is { } stored) return stored;

        // The challenge (naming this portal, fresh), the certificate and the signature, against J-LIS's own CA and records.
        var certificate = await _proofs.VerifyAsync(portal, request.UserCertificate, request.Challenge, request.ChallengeSignature, cancellationToken);

        // The card, its holder, the login record and the single use of the challenge, in one transaction.
        var residentCode = Database.InTransaction((c, t) => _proofs.ClaimCard(c, t, certificate, request.Challenge, key, request.RequestId,
            LoginEvent, portal, new { portal, userCertificate = certificate.SerialNumber }).ResidentCode);

        // The network derives the portal's token and seals it to the portal under this request id.
        var issued = await TokenIssuanceService.CallNetworkAsync(() =>
            _network.IssueTokenAsync(new IssueTokenRequest(request.RequestId, portal, residentCode), cancellationToken));
        if (issued.RequestId != request.RequestId || issued.SealedToken is null)
            throw new RefusalException(StatusCodes.Status502BadGateway, "network-error",
                "the network did not answer with the portal's sealed token (情報提供ネットワークシステムの応答が不正です)");
        var response = new PortalTokenResponse(request.RequestId, issued.SealedToken);
        Database.InTransaction((c, t) => CardLoginProofs.Complete(c, t, key, response));
        return response;
    }

    /// <summary>J-LIS's three CA certificates from its authority, for the relying-party check.</summary>
    public static JpkiTrustAnchors AnchorsOf(JpkiAuthority authority) => new(authority.RootCertificate,
        authority.IssuingCaCertificate(JpkiCertificateKind.Signing), authority.IssuingCaCertificate(JpkiCertificateKind.UserAuthentication));

    public static void Dispose(JpkiTrustAnchors anchors)
    {
        foreach (var certificate in new X509Certificate2[] { anchors.Root, anchors.SigningCa, anchors.UserAuthenticationCa }) certificate.Dispose();
    }
}
