using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Core.Cards;
using Renkei.Core.Text;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Portal;
using Renkei.Jlis.Tests.Cards;
using Renkei.Jlis.Tests.Pki;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Portal;

/// <summary>
/// J-LIS's <see cref="PortalLoginRoutes.PortalToken"/> with the real network and J-LIS's real card and JPKI services on
/// loopback, on SQLite and PostgreSQL: a card login yields exactly the portal token the network holds for that person,
/// sealed to the portal; every way a proof can be wrong is refused with its own code before the network is asked.
/// </summary>
public sealed class PortalLoginTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_card_login_yields_the_persons_portal_token_sealed_to_the_portal_once_per_challenge(string provider)
    {
        await using var harness = await PortalLoginHarness.StartAsync(provider);
        var (code, card) = await harness.IssueCardAsync();
        var (otherCode, otherCard) = await harness.IssueCardAsync();
        var portal = harness.PortalClient();

        var requestId = Guid.NewGuid();
        var challenge = CardLoginChallenge.Create(PortalLoginHarness.PortalCode, TimeProvider.System).Text;
        var proof = PortalLoginHarness.Proof(requestId, card, challenge);
        var response = await portal.PortalTokenAsync(proof);
        Assert.Equal(requestId, response.RequestId);
        var token = harness.OpenPortalToken(response);
        Assert.Equal(await harness.PortalTokenFromNetworkAsync(code), token);

        // Resent (same id, same proof): the same answer. The same id with another proof: refused.
        Assert.Equal(token, harness.OpenPortalToken(await portal.PortalTokenAsync(proof)));
        var otherChallenge = CardLoginChallenge.Create(PortalLoginHarness.PortalCode, TimeProvider.System).Text;
        await Refused(portal, PortalLoginHarness.Proof(requestId, card, otherChallenge), HttpStatusCode.Conflict, "request-id-reused");

        // The challenge served one login: the same proof under a new id is refused.
        await Refused(portal, proof with { RequestId = Guid.NewGuid() }, HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);

        // A new login of the same person gives the same token; another person's gives another.
        var again = await portal.PortalTokenAsync(PortalLoginHarness.Proof(Guid.NewGuid(), card, otherChallenge));
        Assert.Equal(token, harness.OpenPortalToken(again));
        var other = harness.OpenPortalToken(await portal.PortalTokenAsync(
            PortalLoginHarness.Proof(Guid.NewGuid(), otherCard, CardLoginChallenge.Create(PortalLoginHarness.PortalCode, TimeProvider.System).Text)));
        Assert.NotEqual(token, other);
        Assert.Equal(await harness.PortalTokenFromNetworkAsync(otherCode), other);

        // Each login is in the card's operation record (portal, certificate serial), never the resident-record code.
        var logins = harness.CardEvents(PortalEndpoints.LoginEvent);
        Assert.Equal([card.Number.Text, card.Number.Text, otherCard.Number.Text], logins.Select(e => e.Card));
        Assert.All(logins, e => Assert.Equal(PortalLoginHarness.PortalCode, e.Operator));
        var serial = JpkiCertificateProfile.SerialOf(card.Certificate(CardPinKind.UserAuthentication)!);
        Assert.Contains(serial, logins[0].Detail);
        Assert.All(logins, e => Assert.DoesNotContain(code.Digits, e.Detail ?? ""));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_wrong_proof_is_refused_with_its_own_code(string provider)
    {
        await using var harness = await PortalLoginHarness.StartAsync(provider);
        var (code, card) = await harness.IssueCardAsync();
        var portal = harness.PortalClient();
        string Fresh() => CardLoginChallenge.Create(PortalLoginHarness.PortalCode, TimeProvider.System).Text;

        // Not the portal: a ward signing its own request; the portal naming another institution.
        var (status, body) = await harness.RawPostAsync(PortalLoginHarness.WardCode, harness.WardKeys, PortalLoginRoutes.PortalToken,
            PortalLoginHarness.Proof(Guid.NewGuid(), card, CardLoginChallenge.Create(PortalLoginHarness.WardCode, TimeProvider.System).Text,
                PortalLoginHarness.WardCode));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains(PortalLoginRefusalCodes.NotPortal, body);
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, Fresh(), PortalLoginHarness.WardCode),
            HttpStatusCode.Forbidden, "institution-mismatch");

        // The challenge: for another relying party, stale, not a challenge at all.
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, CardLoginChallenge.Create("KIOSK01", TimeProvider.System).Text),
            HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);
        var stale = new CardLoginChallenge(PortalLoginHarness.PortalCode, DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds()),
            CardLoginChallenge.Create(PortalLoginHarness.PortalCode, TimeProvider.System).Nonce);
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, stale.Text), HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, "hello"), HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);

        // The signature: over another challenge, not base64.
        var signedOther = PortalLoginHarness.Proof(Guid.NewGuid(), card, Fresh());
        await Refused(portal, signedOther with { Challenge = Fresh() }, HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadSignature);
        await Refused(portal, signedOther with { RequestId = Guid.NewGuid(), ChallengeSignature = "%%%" }, HttpStatusCode.Conflict,
            PortalLoginRefusalCodes.BadSignature);

        // The certificate: the card's signing certificate, one of a foreign authority, not a certificate.
        var userPin = CardHarness.Pin(CardPinKind.UserAuthentication, CardHarness.UserPin);
        var challenge = Fresh();
        var signed = Convert.ToBase64String(card.Sign(userPin, Encoding.UTF8.GetBytes(challenge)));
        await Refused(portal, new PortalTokenRequest(Guid.NewGuid(), PortalLoginHarness.PortalCode,
            Convert.ToBase64String(card.Certificate(CardPinKind.Signing)!.RawData), challenge, signed),
            HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateNotIssuedHere);
        using (var foreign = PkiFixture.Create("sqlite"))
        using (var key = RSA.Create(2048))
        using (var foreignCertificate = foreign.Authority.IssueUserCertificate(key, DateTimeOffset.UtcNow.AddYears(5)))
        {
            var foreignChallenge = Fresh();
            await Refused(portal, new PortalTokenRequest(Guid.NewGuid(), PortalLoginHarness.PortalCode, Convert.ToBase64String(foreignCertificate.RawData),
                foreignChallenge, Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(foreignChallenge), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
                HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateNotIssuedHere);
        }
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, Fresh()) with { UserCertificate = "AAAA" },
            HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateNotIssuedHere);

        // A good certificate J-LIS issued that belongs to no card.
        var authority = harness.OpenAuthority();
        using (var key = RSA.Create(2048))
        using (var loose = authority.IssueUserCertificate(key, DateTimeOffset.UtcNow.AddYears(1)))
        {
            var looseChallenge = Fresh();
            await Refused(portal, new PortalTokenRequest(Guid.NewGuid(), PortalLoginHarness.PortalCode, Convert.ToBase64String(loose.RawData), looseChallenge,
                Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(looseChallenge), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
                HttpStatusCode.Conflict, PortalLoginRefusalCodes.CardNotInUse);
        }

        // A suspended card (its certificates are on hold), then resumed: the login works again.
        await harness.Counter.Jlis.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null, SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre"));
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, Fresh()), HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateSuspended);
        await harness.Counter.Jlis.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, CardHarness.Identity, "shinagawa-clerk-07"));
        await portal.PortalTokenAsync(PortalLoginHarness.Proof(Guid.NewGuid(), card, Fresh()));

        // The user certificate revoked.
        authority.Revoke(JpkiCertificateKind.UserAuthentication, card.Certificate(CardPinKind.UserAuthentication)!.SerialNumber, X509RevocationReason.KeyCompromise);
        await Refused(portal, PortalLoginHarness.Proof(Guid.NewGuid(), card, Fresh()), HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateRevoked);

        // Only the one successful login was recorded.
        Assert.Single(harness.CardEvents(PortalEndpoints.LoginEvent));
    }

    private static async Task Refused(JlisHttpClient portal, PortalTokenRequest request, HttpStatusCode status, string code)
    {
        var refusal = await Assert.ThrowsAsync<JlisException>(() => portal.PortalTokenAsync(request));
        Assert.Equal((status, code), (refusal.Status, refusal.Code));
        var read = JapaneseText.ForPerson(refusal.Message, refusal.Code); // what a page shows of it
        Assert.True(JapaneseText.HasJapanese(read) && !JapaneseText.HasEnglishSentence(read), "the refusal has a Japanese part");
    }
}
