using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Core.Cards;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Issuance;
using Renkei.Jlis.Tests.Cards;
using Renkei.Jlis.Tests.Portal;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Issuance;

/// <summary>
/// J-LIS's <see cref="IssuanceHolderRoutes.Holder"/> with J-LIS's real card and JPKI services on loopback, on SQLite and
/// PostgreSQL: the issuance centre registered at J-LIS (role <see cref="JlisRoles.IssuanceCentre"/>) learns the card's
/// resident-record code and the municipality holding the resident now, once per challenge, idempotently per request id;
/// nobody else may ask, and every wrong proof is refused with its own code.
/// </summary>
public sealed class IssuanceHolderTests
{
    private const string Centre = "ISSUANCE";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_centre_learns_the_cards_resident_code_and_current_municipality_once_per_challenge(string provider)
    {
        await using var harness = await PortalLoginHarness.StartAsync(provider);
        var centre = CentreClient(harness);
        var (code, card, number) = await harness.IssueCardWithNumberAsync();
        var (otherCode, otherCard) = await harness.IssueCardAsync();

        var request = Proof(Guid.NewGuid(), card, Fresh());
        var holder = await centre.IssuanceHolderAsync(request);
        Assert.Equal((code.Digits, PortalLoginHarness.WardCode), (holder.ResidentCode, holder.Municipality));
        Assert.Equal(otherCode.Digits, (await centre.IssuanceHolderAsync(Proof(Guid.NewGuid(), otherCard, Fresh()))).ResidentCode);

        // Resent: the same answer; the same id with another proof: refused; the challenge again under a new id: refused.
        Assert.Equal(holder, await centre.IssuanceHolderAsync(request));
        await Refused(centre, Proof(request.RequestId, card, Fresh()), HttpStatusCode.Conflict, "request-id-reused");
        await Refused(centre, request with { RequestId = Guid.NewGuid() }, HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);

        // The resident moves to 港区 (the new ward verifies the number at the arrival): the centre is sent there now.
        const string minato = "131032";
        var minatoKeys = Path.Combine(harness.Directory, "minato");
        JlisCallers.Register(harness.JlisDatabase, minato, JlisRoles.Municipality, minatoKeys);
        using (var minatoHttp = JlisCallers.Client(harness.Jlis.BaseAddress, minato, minatoKeys))
            await new JlisHttpClient(minatoHttp).VerifyNumberAsync(new VerifyNumberRequest(code, number));
        Assert.Equal(minato, (await centre.IssuanceHolderAsync(Proof(Guid.NewGuid(), card, Fresh()))).Municipality);

        // Each lookup is in the card's operation record (the centre, the certificate serial), never the resident-record code.
        var lookups = harness.CardEvents(IssuanceHolderEndpoints.LookupEvent);
        Assert.Equal([card.Number.Text, otherCard.Number.Text, card.Number.Text], lookups.Select(e => e.Card));
        Assert.All(lookups, e => Assert.Equal(Centre, e.Operator));
        Assert.Contains(JpkiCertificateProfile.SerialOf(card.Certificate(CardPinKind.UserAuthentication)!), lookups[0].Detail);
        Assert.All(lookups, e => Assert.DoesNotContain(code.Digits, e.Detail ?? ""));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Only_the_centre_in_its_own_name_with_a_good_proof_is_answered(string provider)
    {
        await using var harness = await PortalLoginHarness.StartAsync(provider);
        var centre = CentreClient(harness);
        var (_, card) = await harness.IssueCardAsync();

        // Not the centre: the portal (registered at the network), a ward; the centre naming another centre.
        var (status, body) = await harness.RawPostAsync(PortalLoginHarness.PortalCode, harness.PortalKeys, IssuanceHolderRoutes.Holder,
            Proof(Guid.NewGuid(), card, Fresh()) with { Centre = PortalLoginHarness.PortalCode });
        Assert.Equal((HttpStatusCode.Forbidden, true), (status, body.Contains(IssuanceHolderEndpoints.NotIssuanceCentreCode, StringComparison.Ordinal)));
        (status, body) = await harness.RawPostAsync(PortalLoginHarness.WardCode, harness.WardKeys, IssuanceHolderRoutes.Holder,
            Proof(Guid.NewGuid(), card, Fresh()) with { Centre = PortalLoginHarness.WardCode });
        Assert.Equal((HttpStatusCode.Forbidden, true), (status, body.Contains(IssuanceHolderEndpoints.NotIssuanceCentreCode, StringComparison.Ordinal)));
        await Refused(centre, Proof(Guid.NewGuid(), card, Fresh()) with { Centre = "ISSUANC2" }, HttpStatusCode.Forbidden, "caller-not-permitted");

        // A challenge for the portal, a stale one; a signature over another challenge; the card's signing certificate.
        await Refused(centre, Proof(Guid.NewGuid(), card, CardLoginChallenge.Create(PortalLoginHarness.PortalCode, TimeProvider.System).Text),
            HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);
        var stale = new CardLoginChallenge(Centre, DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds()),
            CardLoginChallenge.Create(Centre, TimeProvider.System).Nonce);
        await Refused(centre, Proof(Guid.NewGuid(), card, stale.Text), HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);
        await Refused(centre, Proof(Guid.NewGuid(), card, Fresh()) with { Challenge = Fresh() }, HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadSignature);
        var challenge = Fresh();
        await Refused(centre, Proof(Guid.NewGuid(), card, challenge) with { UserCertificate = Convert.ToBase64String(card.Certificate(CardPinKind.Signing)!.RawData) },
            HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateNotIssuedHere);

        // Suspended, then resumed; then revoked: distinct refusals.
        await harness.Counter.Jlis.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null, SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre"));
        await Refused(centre, Proof(Guid.NewGuid(), card, Fresh()), HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateSuspended);
        await harness.Counter.Jlis.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, CardHarness.Identity, "shinagawa-clerk-07"));
        await centre.IssuanceHolderAsync(Proof(Guid.NewGuid(), card, Fresh()));
        harness.OpenAuthority().Revoke(JpkiCertificateKind.UserAuthentication, card.Certificate(CardPinKind.UserAuthentication)!.SerialNumber,
            X509RevocationReason.KeyCompromise);
        await Refused(centre, Proof(Guid.NewGuid(), card, Fresh()), HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateRevoked);

        Assert.Single(harness.CardEvents(IssuanceHolderEndpoints.LookupEvent));
    }

    /// <summary>The centre registered at J-LIS with its own key, and a client signing as it.</summary>
    private static JlisHttpClient CentreClient(PortalLoginHarness harness)
    {
        var keys = Path.Combine(harness.Directory, "centre");
        return new JlisHttpClient(harness.Own(JlisCallers.Client(harness.Jlis.BaseAddress, Centre, keys, harness.JlisDatabase, JlisRoles.IssuanceCentre)));
    }

    private static string Fresh() => CardLoginChallenge.Create(Centre, TimeProvider.System).Text;

    private static IssuanceHolderRequest Proof(Guid requestId, SoftwareCard card, string challenge) => new(requestId, Centre,
        Convert.ToBase64String(card.Certificate(CardPinKind.UserAuthentication)!.RawData), challenge,
        Convert.ToBase64String(card.Sign(CardHarness.Pin(CardPinKind.UserAuthentication, CardHarness.UserPin), Encoding.UTF8.GetBytes(challenge))));

    private static async Task Refused(JlisHttpClient centre, IssuanceHolderRequest request, HttpStatusCode status, string code)
    {
        var refusal = await Assert.ThrowsAsync<JlisException>(() => centre.IssuanceHolderAsync(request));
        Assert.Equal((status, code), (refusal.Status, refusal.Code));
    }
}
