using System.Net;
using System.Text;
using System.Text.Json;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Country;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.IssuanceCentre.Tests;

/// <summary>
/// The whole path over loopback HTTP with real services only, as the <see cref="CountryBuilder"/> composes them: J-LIS (JPKI
/// and cards), 品川区's service (its register and its issuance server, pinning the centre) and the centre (registered at
/// J-LIS, 品川区 participating, the kiosk pinned). A card issued for a resident of the register opens a session, gets the
/// ward's menu and a 住民票の写し whose text is the register's; the centre's database holds neither the number nor the code.
/// The ward judges its kiosk hours at a weekday noon in Japan (<c>Ward:Kiosk:ClockShift</c>), so the test runs at any hour.
/// </summary>
public sealed class IssuanceCentreWardTests
{
    private const string Kiosk = "KIOSK-SHINAGAWA-01";
    private static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_resident_gets_a_residence_record_at_a_kiosk_through_the_centre_and_the_real_ward(string provider)
    {
        await using var country = await TestCountry.StartAsync(provider, c => c
            .AddJlis(jlis =>
            {
                jlis.JpkiPassphrase = "centre full path jpki passphrase";
                jlis.Settings["Jlis:Pki:KeyFileIterations"] = JpkiOptions.MinimumKeyFileIterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
            })
            .AddWard(Shinagawa, "品川区", ward =>
            {
                ward.Intermediate.Enabled = false;
                // The kiosk service's hours are judged at a weekday noon in Japan, whenever the test runs.
                ward.Api.Settings["Ward:Kiosk:ClockShift"] = OffsetToOpenHours().ToString("c", System.Globalization.CultureInfo.InvariantCulture);
            })
            .AddIssuanceCentre(centre =>
            {
                centre.PinKiosk(Kiosk, Path.Combine(c.Layout.Root.FullName, "kiosks", Kiosk));
            }));
        var ward = country.Ward(Shinagawa);

        // A household on the register, numbered by J-LIS; a card for its head with the register's facts.
        using var wardKeys = InstitutionKeys.LoadOrCreate(ward.InstitutionKeyDirectory);
        using var wardJlis = SigningHandler.CreateClient(country.Jlis.BaseAddress, Shinagawa.Digits, wardKeys.Signing, JlisTokenRoutes.JlisInstitutionCode);
        var household = Random.Shared.Next(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = 4_600_000_000L + Random.Shared.Next(1, 1_000_000) * 2L;
        const string address = "東京都品川区広町二丁目1番36号";
        Assert.Equal(0, new RegisterImporter(ward.Register).Import(
        [
            new RegisterImportRecord(household, ResidentCode.FromBody(body), "交付", "太郎", "コウフ", "タロウ", new DateOnly(1980, 4, 1), Sex.Male,
                Relationship.Head, address, new DateOnly(2010, 4, 1), false, null, null),
            new RegisterImportRecord(household, ResidentCode.FromBody(body + 1), "交付", "花子", "コウフ", "ハナコ", new DateOnly(1982, 9, 9), Sex.Female,
                Relationship.Wife, address, new DateOnly(2010, 4, 1), false, null, null),
        ]).Rejected);
        Assert.Equal(0, (await new NumberAssignmentJob(ward.Register, new JlisHttpClient(wardJlis)).RunAsync()).UnassignedCount);
        var head = ward.Register.FindByCode(ResidentCode.FromBody(body))!;
        var wife = ward.Register.FindByCode(ResidentCode.FromBody(body + 1))!;
        var card = await new CardCounter(new CardHttpClient(wardJlis), "test-counter").IssueNewCardAsync(
            new CardHolderFacts(Shinagawa, head.IndividualNumber!.Value, head.Name.FamilyName + " " + head.Name.GivenName, head.Address, head.BirthDate, head.Sex),
            new InMemoryCardMedium(), CentreHarness.Pins, new IdentityCheck("test-counter", IdentityDocument.DriversLicence));

        // The kiosk: a challenge, the card's signature, a session with the ward's menu.
        var centreAddress = country.Running.IssuanceCentre!.BaseAddress;
        using var kioskKeys = InstitutionKeys.LoadOrCreate(country.Builder.IssuanceCentre!.Kiosks.Single().KeyDirectory);
        using var kioskHttp = SigningHandler.CreateClient(centreAddress, Kiosk, kioskKeys.Signing, country.Builder.IssuanceCentre.Code);
        var centre = new IssuanceCentreHttpClient(kioskHttp);
        var challenge = (await centre.ChallengeAsync(new KioskChallengeRequest(Kiosk))).Challenge;
        var session = await centre.OpenSessionAsync(CentreHarness.Proof(card, challenge, Kiosk));
        Assert.Equal((Shinagawa.Digits, "品川区", true), (session.Menu.Municipality, session.Menu.MunicipalityName, session.Menu.Open));
        var item = session.Menu.Items.Single(i => i.Kind == KioskCertificateKinds.ResidenceRecord);

        // 住民票の写し（世帯全員）, paid 1000 yen: the register's household on the paper, the fee charged once however often it is asked.
        var request = new KioskCertificateRequest(session.SessionId, Guid.NewGuid(), KioskCertificateKinds.ResidenceRecord, true, null, 1000);
        var certificate = await centre.CertificateAsync(request);
        Assert.Equal((item.FeeYen, 1000 - item.FeeYen), (certificate.FeeYen, certificate.ChangeYen));
        var text = PdfText.Read(certificate.Pdf);
        foreach (var expected in new[] { "住民票の写し", head.Name.Full, wife.Name.Full, address, "品川区長" })
            Assert.Contains(expected, text, StringComparison.Ordinal);
        foreach (var secret in new[] { head.IndividualNumber.Value.Digits, wife.IndividualNumber!.Value.Digits, head.ResidentCode.Digits, wife.ResidentCode.Digits })
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var again = await centre.CertificateAsync(request);
        Assert.Equal((certificate.Serial, certificate.FeeYen, text), (again.Serial, again.FeeYen, PdfText.Read(again.Pdf)));
        var log = new TransactionLog(country.Layout.IssuanceCentreDatabase()).Find(request.TransactionId)!;
        Assert.Equal((Kiosk, Shinagawa.Digits, TransactionLog.Issued, item.FeeYen, certificate.Serial), (log.Kiosk, log.Ward, log.Result, log.FeeYen, log.Serial));

        // The ward's refusal passes through: no seal is registered for 印鑑登録証明書.
        var inkan = await Assert.ThrowsAsync<IssuanceCentreException>(() => centre.CertificateAsync(request with
        {
            TransactionId = Guid.NewGuid(), Kind = KioskCertificateKinds.SealRegistration,
        }));
        Assert.Equal(HttpStatusCode.Conflict, inkan.Status);
        Assert.Contains(inkan.Code, new[] { KioskRefusalCodes.NoSealRegistered, KioskRefusalCodes.KindNotOffered });

        // The print failed: the ward voids the issuance, the centre logs it.
        await centre.VoidAsync(new KioskCancelRequest(session.SessionId, request.TransactionId, "print-failed"));
        Assert.Equal(TransactionLog.Voided, new TransactionLog(country.Layout.IssuanceCentreDatabase()).Find(request.TransactionId)!.Result);
        await centre.EndSessionAsync(session.SessionId);

        // Nothing the kiosk got names the person's code, and the centre stored neither number nor code.
        Assert.DoesNotContain(head.ResidentCode.Digits, JsonSerializer.Serialize(session, JsonDefaults.Options), StringComparison.Ordinal);
        var stored = DatabaseSnapshot.Take(country.Layout.IssuanceCentreDatabase()).Text;
        foreach (var secret in new[] { head.IndividualNumber.Value.Digits, head.ResidentCode.Digits, wife.ResidentCode.Digits })
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(certificate.Pdf)[..64], stored, StringComparison.Ordinal);
    }

    /// <summary>From now to the next noon in Japan on a weekday outside the year-end holidays (12/29–1/3).</summary>
    private static TimeSpan OffsetToOpenHours()
    {
        var japan = TimeSpan.FromHours(9);
        var now = DateTimeOffset.UtcNow;
        var day = DateOnly.FromDateTime(now.ToOffset(japan).DateTime).AddDays(1);
        while (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || (day.Month == 12 && day.Day >= 29) || (day.Month == 1 && day.Day <= 3))
            day = day.AddDays(1);
        return new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), japan) - now;
    }
}
