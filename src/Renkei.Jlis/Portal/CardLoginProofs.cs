using System.Data.Common;
using System.Text;
using System.Text.Json;
using Renkei.Core.Cards;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Jlis.Cards;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tokens;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Portal;

/// <summary>
/// How J-LIS checks a card login proof a relying party hands over (the portal's login, the issuance centre's holder
/// lookup): the challenge is well formed, names the relying party and is fresh; the user-authentication certificate is one
/// J-LIS's own CA issued and its own records call good (suspended, revoked and expired are distinct refusals); the
/// signature verifies with the certificate's key. Then, in the caller's transaction, the card is found by the
/// certificate's serial and must be in use, the challenge is claimed for one request only, and the use is written to
/// the card's operation record. Refusals are 409 <see cref="PortalLoginRefusalCodes"/>; nothing here repeats the proof.
/// </summary>
internal sealed class CardLoginProofs
{
    /// <summary>The ledger table of J-LIS's relying-party requests (portal logins and the centre's holder lookups, by operation).</summary>
    public static readonly RequestLedger Ledger = new("jlis_portal_requests");

    private const string ChallengeOperation = "portal-challenge";

    private readonly CardStore _cards;
    private readonly JpkiRelyingParty _relyingParty;
    private readonly TimeProvider _clock;

    public CardLoginProofs(Database database, JpkiAuthority authority, JpkiTrustAnchors anchors, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(authority);
        _cards = new CardStore(database ?? throw new ArgumentNullException(nameof(database)));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        // J-LIS checks against its own CA certificates and its own records, never over HTTP to itself.
        _relyingParty = new JpkiRelyingParty(anchors, (kind, serial, _) => Task.FromResult(authority.Status(kind, serial)), clock);
    }

    public Database Database => _cards.Database;

    public TimeProvider Clock => _clock;

    /// <summary>Checks the challenge (for <paramref name="relyingParty"/>, fresh), the certificate and the signature; the verified certificate.</summary>
    /// <exception cref="RefusalException">409 with a <see cref="PortalLoginRefusalCodes"/> code.</exception>
    public async Task<VerifiedJpkiCertificate> VerifyAsync(string relyingParty, string userCertificate, string challengeText, string challengeSignature,
        CancellationToken cancellationToken)
    {
        if (!CardLoginChallenge.TryParse(challengeText, out var challenge))
            throw Refusal(PortalLoginRefusalCodes.BadChallenge, "the challenge is not a card login challenge (ログイン用のチャレンジの形式が正しくありません)");
        if (challenge!.RelyingParty != relyingParty)
            throw Refusal(PortalLoginRefusalCodes.BadChallenge, "the challenge was made for another relying party (別のサービス向けのチャレンジです)");
        if (!challenge.IsFresh(_clock))
            throw Refusal(PortalLoginRefusalCodes.BadChallenge,
                "the challenge is older than five minutes or from the future; start the login again (チャレンジの有効期限が切れています)");
        try
        {
            return await _relyingParty.VerifyAsync(JpkiCertificateKind.UserAuthentication, userCertificate,
                Encoding.UTF8.GetBytes(challengeText), challengeSignature, cancellationToken);
        }
        catch (JpkiVerificationException e)
        {
            throw Refusal(e.Code == JpkiVerificationCodes.CertificateNotTrusted ? PortalLoginRefusalCodes.CertificateNotIssuedHere : e.Code, e.Message);
        }
    }

    /// <summary>
    /// In the caller's transaction: the card in use that holds <paramref name="certificate"/>, with the challenge claimed for
    /// the request <paramref name="key"/> (a challenge serves one request; the same request may come again) and, the first
    /// time, <paramref name="eventName"/> written to the card's operation record with <paramref name="detail"/>.
    /// </summary>
    public CardRow ClaimCard(DbConnection c, DbTransaction t, VerifiedJpkiCertificate certificate, string challengeText, Guid key, Guid requestId,
        string eventName, string operatorId, object detail)
    {
        var card = _cards.FindCardByUserSerial(c, t, certificate.SerialNumber);
        if (card is not { State: CardState.Active })
            throw Refusal(PortalLoginRefusalCodes.CardNotInUse, card?.State switch
            {
                CardState.Suspended => "the card is suspended (カードは一時停止中です)",
                CardState.AwaitingHandover => "the card has not been handed over yet (交付前のカードです)",
                _ => "the certificate belongs to no card in use (利用中のカードの電子証明書ではありません)",
            });
        var challengeKey = TokenAcquirer.DerivedId(Guid.Empty, "jlis/portal-challenge/" + challengeText);
        var earlier = Ledger.Claim(c, t, challengeKey, ChallengeOperation, key.ToString("D"), _clock.GetUtcNow());
        if (earlier is not null && earlier.Fingerprint != key.ToString("D"))
            throw Refusal(PortalLoginRefusalCodes.BadChallenge, "the challenge was already used for a login (このチャレンジは使用済みです)");
        if (earlier is null)
            _cards.AddEvent(c, t, card.CardNumber, null, eventName, _clock.GetUtcNow(), operatorId,
                JsonSerializer.Serialize(detail, JsonDefaults.Options), requestId);
        return card;
    }

    /// <summary>
    /// The stored answer of a completed earlier request under <paramref name="key"/>, null to go ahead, or a refusal of a
    /// request id reused for another request.
    /// </summary>
    public T? Claim<T>(Guid key, string operation, string fingerprint) where T : class => Database.InTransaction((c, t) =>
    {
        var stored = Ledger.Claim(c, t, key, operation, fingerprint, _clock.GetUtcNow());
        if (stored is null) return null;
        if (stored.Operation != operation || stored.Fingerprint != fingerprint)
            throw RefusalException.Conflict("request-id-reused",
                "this request ID was already used for a different request (要求IDが別の要求で使用済みです)");
        return stored.Response is null ? null : JsonSerializer.Deserialize<T>(stored.Response, JsonDefaults.Options);
    });

    /// <summary>Stores the answer of the request under <paramref name="key"/> in the caller's transaction.</summary>
    public static void Complete<T>(DbConnection c, DbTransaction t, Guid key, T response) =>
        Ledger.Complete(c, t, key, JsonSerializer.Serialize(response, JsonDefaults.Options));


    public static RefusalException Refusal(string code, string message) => RefusalException.Conflict(code, message);
}
