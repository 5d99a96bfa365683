using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Cards;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Jlis.Cards;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
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

    private static readonly RequestLedger Ledger = new("jlis_portal_requests");
    private const string Operation = "portal-token";
    private const string ChallengeOperation = "portal-challenge";

    private readonly CardStore _cards;
    private readonly INetworkClient _network;
    private readonly JpkiRelyingParty _relyingParty;
    private readonly TimeProvider _clock;

    public PortalLoginService(Database database, JpkiAuthority authority, JpkiTrustAnchors anchors, INetworkClient network, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(authority);
        _cards = new CardStore(database ?? throw new ArgumentNullException(nameof(database)));
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        // J-LIS checks against its own CA certificates and its own records, never over HTTP to itself.
        _relyingParty = new JpkiRelyingParty(anchors, (kind, serial, _) => Task.FromResult(authority.Status(kind, serial)), clock);
    }

    private Database Database => _cards.Database;

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
        var fingerprint = Fingerprint(portal, request.UserCertificate, request.Challenge, request.ChallengeSignature);
        if (Claim(key, fingerprint) is { } stored) return stored;

        // The challenge: well formed, naming this portal, fresh.
        if (!CardLoginChallenge.TryParse(request.Challenge, out var challenge))
            throw Refusal(PortalLoginRefusalCodes.BadChallenge, "the challenge is not a card login challenge (ログイン用のチャレンジの形式が正しくありません)");
        if (challenge!.RelyingParty != portal)
            throw Refusal(PortalLoginRefusalCodes.BadChallenge, "the challenge was made for another relying party (別のサービス向けのチャレンジです)");
        if (!challenge.IsFresh(_clock))
            throw Refusal(PortalLoginRefusalCodes.BadChallenge,
                "the challenge is older than five minutes or from the future; start the login again (チャレンジの有効期限が切れています)");

        // The certificate and the signature, against J-LIS's own CA and records.
        VerifiedJpkiCertificate certificate;
        try
        {
            certificate = await _relyingParty.VerifyAsync(JpkiCertificateKind.UserAuthentication, request.UserCertificate,
                Encoding.UTF8.GetBytes(request.Challenge), request.ChallengeSignature, cancellationToken);
        }
        catch (JpkiVerificationException e)
        {
            throw Refusal(e.Code == JpkiVerificationCodes.CertificateNotTrusted ? PortalLoginRefusalCodes.CertificateNotIssuedHere : e.Code, e.Message);
        }

        // The card, its holder, the login record and the single use of the challenge, in one transaction.
        var challengeKey = TokenAcquirer.DerivedId(Guid.Empty, "jlis/portal-challenge/" + request.Challenge);
        var residentCode = Database.InTransaction((c, t) =>
        {
            var card = _cards.FindCardByUserSerial(c, t, certificate.SerialNumber);
            if (card is not { State: CardState.Active })
                throw Refusal(PortalLoginRefusalCodes.CardNotInUse, card?.State switch
                {
                    CardState.Suspended => "the card is suspended (カードは一時停止中です)",
                    CardState.AwaitingHandover => "the card has not been handed over yet (交付前のカードです)",
                    _ => "the certificate belongs to no card in use (利用中のカードの電子証明書ではありません)",
                });
            var earlier = Ledger.Claim(c, t, challengeKey, ChallengeOperation, key.ToString("D"), _clock.GetUtcNow());
            if (earlier is not null && earlier.Fingerprint != key.ToString("D"))
                throw Refusal(PortalLoginRefusalCodes.BadChallenge, "the challenge was already used for a login (このチャレンジは使用済みです)");
            if (earlier is null)
                _cards.AddEvent(c, t, card.CardNumber, null, LoginEvent, _clock.GetUtcNow(), portal,
                    JsonSerializer.Serialize(new { portal, userCertificate = certificate.SerialNumber }, JsonDefaults.Options), request.RequestId);
            return card.ResidentCode;
        });

        // The network derives the portal's token and seals it to the portal under this request id.
        var issued = await TokenIssuanceService.CallNetworkAsync(() =>
            _network.IssueTokenAsync(new IssueTokenRequest(request.RequestId, portal, residentCode), cancellationToken));
        if (issued.RequestId != request.RequestId || issued.SealedToken is null)
            throw new RefusalException(StatusCodes.Status502BadGateway, "network-error",
                "the network did not answer with the portal's sealed token (情報提供ネットワークシステムの応答が不正です)");
        var response = new PortalTokenResponse(request.RequestId, issued.SealedToken);
        Database.InTransaction((c, t) => Ledger.Complete(c, t, key, JsonSerializer.Serialize(response, JsonDefaults.Options)));
        return response;
    }

    /// <summary>The stored answer of a completed earlier request, null to go ahead, or a refusal of a reused id.</summary>
    private PortalTokenResponse? Claim(Guid key, string fingerprint) => Database.InTransaction((c, t) =>
    {
        var stored = Ledger.Claim(c, t, key, Operation, fingerprint, _clock.GetUtcNow());
        if (stored is null) return null;
        if (stored.Operation != Operation || stored.Fingerprint != fingerprint)
            throw RefusalException.Conflict("request-id-reused",
                "this request ID was already used for a different request (要求IDが別の要求で使用済みです)");
        return stored.Response is null ? null : JsonSerializer.Deserialize<PortalTokenResponse>(stored.Response, JsonDefaults.Options);
    });

    private static string Fingerprint(params string[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static RefusalException Refusal(string code, string message) => RefusalException.Conflict(code, message);

    /// <summary>J-LIS's three CA certificates from its authority, for the relying-party check.</summary>
    public static JpkiTrustAnchors AnchorsOf(JpkiAuthority authority) => new(authority.RootCertificate,
        authority.IssuingCaCertificate(JpkiCertificateKind.Signing), authority.IssuingCaCertificate(JpkiCertificateKind.UserAuthentication));

    public static void Dispose(JpkiTrustAnchors anchors)
    {
        foreach (var certificate in new X509Certificate2[] { anchors.Root, anchors.SigningCa, anchors.UserAuthenticationCa }) certificate.Dispose();
    }
}
