using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Renkei.Core.Cards;
using Renkei.Core.Json;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Contracts;
using Renkei.TestSupport;

namespace Renkei.IssuanceCentre.Tests;

/// <summary>
/// The centre with the real J-LIS over loopback HTTP and a stand-in ward issuance server (<see cref="FakeWardIssuanceServer"/>),
/// on SQLite and PostgreSQL: a card opens a session and gets the ward's menu; a certificate is issued once per transaction
/// id however often the kiosk resends; the ward's refusals reach the kiosk with the ward's code; a void reaches the ward; every
/// transaction is logged without a certificate, a number or a resident-record code; and every wrong caller or card is refused.
/// </summary>
public sealed class IssuanceCentreTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_card_opens_a_session_and_gets_one_certificate_per_transaction_logged_without_the_person(string provider)
    {
        await using var harness = await CentreHarness.StartAsync(provider);
        var (code, number, card) = await harness.IssueCardAsync(CentreHarness.Shinagawa);
        harness.Ward.AddResident(code.Digits);
        var centre = harness.KioskClient();

        var session = await centre.OpenSessionAsync(await CentreHarness.ProofAsync(centre, card));
        Assert.Equal(("131091", "品川区", true), (session.Menu.Municipality, session.Menu.MunicipalityName, session.Menu.Open));
        Assert.Contains(session.Menu.Items, i => i.Kind == KioskCertificateKinds.ResidenceRecord && i.FeeYen == FakeWardIssuanceServer.Fee);
        Assert.DoesNotContain(code.Digits, JsonSerializer.Serialize(session, JsonDefaults.Options)); // the code stays at the centre

        // 住民票の写し, 500 yen paid: 200 charged, 300 back. A resend gets the same certificate and is charged once.
        var request = new KioskCertificateRequest(session.SessionId, Guid.NewGuid(), KioskCertificateKinds.ResidenceRecord, true, null, 500);
        var certificate = await centre.CertificateAsync(request);
        Assert.Equal((request.TransactionId, FakeWardIssuanceServer.Fee, 300L), (certificate.TransactionId, certificate.FeeYen, certificate.ChangeYen));
        var again = await centre.CertificateAsync(request);
        Assert.Equal(certificate.Serial, again.Serial);
        Assert.Equal(certificate.Pdf, again.Pdf);
        Assert.Equal(1, harness.Ward.Charges);
        var logged = harness.CentreLog(request.TransactionId)!;
        Assert.Equal((CentreHarness.Kiosk, "131091", KioskCertificateKinds.ResidenceRecord, 500L, 200L, 300L, certificate.Serial, TransactionLog.Issued),
            (logged.Kiosk, logged.Ward, logged.Kind, logged.PaidYen, logged.FeeYen, logged.ChangeYen, logged.Serial, logged.Result));

        // The same transaction id with another choice: refused by the centre before the ward is asked.
        await Refused(() => centre.CertificateAsync(request with { WholeHousehold = false }), HttpStatusCode.Conflict, KioskRefusalCodes.TransactionReused);

        // The ward's refusal reaches the kiosk with the ward's code, and is logged as the transaction's result.
        var inkan = request with { TransactionId = Guid.NewGuid(), Kind = KioskCertificateKinds.SealRegistration };
        await Refused(() => centre.CertificateAsync(inkan), HttpStatusCode.Conflict, KioskRefusalCodes.NoSealRegistered);
        Assert.Equal(KioskRefusalCodes.NoSealRegistered, harness.CentreLog(inkan.TransactionId)!.Result);
        var shortPaid = request with { TransactionId = Guid.NewGuid(), PaidYen = 100 };
        await Refused(() => centre.CertificateAsync(shortPaid), HttpStatusCode.Conflict, KioskRefusalCodes.PaymentShort);

        // The kiosk could not print: the ward voids it (not charged) and the log says so.
        await centre.VoidAsync(new KioskCancelRequest(session.SessionId, request.TransactionId, "print-failed"));
        Assert.Equal((0, 1), (harness.Ward.Charges, harness.Ward.Voided));
        Assert.Equal((TransactionLog.Voided, "print-failed"), (harness.CentreLog(request.TransactionId)!.Result, harness.CentreLog(request.TransactionId)!.VoidReason));
        await Refused(() => centre.VoidAsync(new KioskCancelRequest(session.SessionId, Guid.NewGuid(), "print-failed")), HttpStatusCode.NotFound, "no-transaction");
        await Refused(() => centre.VoidAsync(new KioskCancelRequest(session.SessionId, request.TransactionId, "because")), HttpStatusCode.BadRequest, "invalid-request");

        // The card is removed: the session ends, and nothing more is issued under it.
        await centre.EndSessionAsync(session.SessionId);
        await Refused(() => centre.CertificateAsync(request with { TransactionId = Guid.NewGuid() }), HttpStatusCode.NotFound, IssuanceCentreRefusalCodes.NoSession);

        // The centre's database holds the transactions, never the card holder's number or resident-record code.
        var stored = DatabaseSnapshot.Take(harness.CentreDatabase).Text;
        Assert.Contains(request.TransactionId.ToString("D"), stored, StringComparison.Ordinal);
        Assert.DoesNotContain(code.Digits, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(number.Digits, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(certificate.Pdf), stored, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Wrong_kiosks_cards_and_wards_are_refused_each_with_its_code(string provider)
    {
        await using var harness = await CentreHarness.StartAsync(provider);
        var (code, _, card) = await harness.IssueCardAsync(CentreHarness.Shinagawa);
        harness.Ward.AddResident(code.Digits);
        var centre = harness.KioskClient();

        // A kiosk the centre did not pin; the pinned kiosk naming another kiosk.
        var unpinned = harness.KioskClient(CentreHarness.UnpinnedKiosk);
        var refused = await Assert.ThrowsAsync<IssuanceCentreException>(() => unpinned.ChallengeAsync(new KioskChallengeRequest(CentreHarness.UnpinnedKiosk)));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        await Refused(() => centre.ChallengeAsync(new KioskChallengeRequest(CentreHarness.UnpinnedKiosk)), HttpStatusCode.Forbidden, "caller-not-permitted");

        // A challenge the centre did not give (made by the kiosk itself), and one used already.
        await Refused(() => centre.OpenSessionAsync(CentreHarness.Proof(card, CardLoginChallenge.Create(harness.CentreCode, TimeProvider.System).Text)),
            HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);
        var proof = await CentreHarness.ProofAsync(centre, card);
        var session = await centre.OpenSessionAsync(proof);
        await Refused(() => centre.OpenSessionAsync(proof), HttpStatusCode.Conflict, PortalLoginRefusalCodes.BadChallenge);

        // A signature over another challenge; the card's signing certificate instead of the user certificate.
        var (first, second) = (await CentreHarness.ProofAsync(centre, card), await CentreHarness.ProofAsync(centre, card));
        await Refused(() => centre.OpenSessionAsync(first with { ChallengeSignature = second.ChallengeSignature }), HttpStatusCode.Conflict,
            PortalLoginRefusalCodes.BadSignature);
        var signingCertificate = (await CentreHarness.ProofAsync(centre, card)) with { UserCertificate = Convert.ToBase64String(card.Certificate(CardPinKind.Signing)!.RawData) };
        await Refused(() => centre.OpenSessionAsync(signingCertificate), HttpStatusCode.Conflict, PortalLoginRefusalCodes.CertificateNotIssuedHere);

        // Another pinned kiosk cannot use the session, end it, or redeem this kiosk's challenge.
        var secondKiosk = harness.KioskClient(CentreHarness.SecondKiosk);
        await Refused(() => secondKiosk.CertificateAsync(new KioskCertificateRequest(session.SessionId, Guid.NewGuid(), KioskCertificateKinds.ResidenceRecord, true, null, 500)),
            HttpStatusCode.NotFound, IssuanceCentreRefusalCodes.NoSession);
        var foreignProof = await CentreHarness.ProofAsync(centre, card);
        await Refused(() => secondKiosk.OpenSessionAsync(foreignProof with { Kiosk = CentreHarness.SecondKiosk }), HttpStatusCode.Conflict,
            PortalLoginRefusalCodes.BadChallenge);
        var ended = await Assert.ThrowsAsync<IssuanceCentreException>(async () =>
        {
            await secondKiosk.EndSessionAsync(session.SessionId);
            await centre.CertificateAsync(new KioskCertificateRequest(session.SessionId, Guid.NewGuid(), KioskCertificateKinds.SealRegistration, true, null, 500));
        });
        Assert.Equal(KioskRefusalCodes.NoSealRegistered, ended.Code); // still open: the other kiosk's DELETE did not end it

        // A resident of 大田区, which does not take part.
        var (_, _, otaCard) = await harness.IssueCardAsync(CentreHarness.Ota);
        await Refused(async () => await centre.OpenSessionAsync(await CentreHarness.ProofAsync(centre, otaCard)), HttpStatusCode.Conflict,
            IssuanceCentreRefusalCodes.NotParticipating);

        // The card suspended (lost), then resumed; then its user certificate revoked.
        var cards = harness.CardsOf(CentreHarness.Shinagawa);
        await cards.SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), card.Number, null, SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre"));
        await Refused(async () => await centre.OpenSessionAsync(await CentreHarness.ProofAsync(centre, card)), HttpStatusCode.Conflict,
            PortalLoginRefusalCodes.CertificateSuspended);
        await cards.ResumeAsync(new ResumeCardRequest(Guid.NewGuid(), card.Number, new IdentityCheck("test-counter", IdentityDocument.DriversLicence), "test-counter"));
        await centre.OpenSessionAsync(await CentreHarness.ProofAsync(centre, card));
        harness.OpenAuthority().Revoke(JpkiCertificateKind.UserAuthentication, card.Certificate(CardPinKind.UserAuthentication)!.SerialNumber,
            X509RevocationReason.KeyCompromise);
        await Refused(async () => await centre.OpenSessionAsync(await CentreHarness.ProofAsync(centre, card)), HttpStatusCode.Conflict,
            PortalLoginRefusalCodes.CertificateRevoked);

        // A resident the ward does not hold (moved out): the ward's refusal, passed on.
        var (_, _, stranger) = await harness.IssueCardAsync(CentreHarness.Shinagawa);
        await Refused(async () => await centre.OpenSessionAsync(await CentreHarness.ProofAsync(centre, stranger)), HttpStatusCode.Conflict,
            KioskRefusalCodes.NotResident);

        // Nothing was issued; the one transaction asked for is logged with the ward's refusal.
        Assert.Equal(0, harness.Ward.Charges);
        var rows = DatabaseSnapshot.Take(harness.CentreDatabase, "schema_journal_issuance_centre").Text.Split('\n').Where(l => l.Contains('|')).ToList();
        Assert.Contains(KioskRefusalCodes.NoSealRegistered + "|", Assert.Single(rows), StringComparison.Ordinal);
        await centre.EndSessionAsync(session.SessionId);
    }

    private static async Task Refused(Func<Task> call, HttpStatusCode status, string code)
    {
        var refusal = await Assert.ThrowsAsync<IssuanceCentreException>(call);
        Assert.Equal((status, code), (refusal.Status, refusal.Code));
    }
}
