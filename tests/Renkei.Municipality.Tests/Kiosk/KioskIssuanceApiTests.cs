using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Documents;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Kiosk;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;
using Renkei.Municipality.Service;
using Renkei.Municipality.Tests.Service;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Kiosk;

/// <summary>
/// The ward's kiosk routes over real HTTP, signed as the pinned issuance centre: every refusal, issuance through the
/// counter's code (PDF text from the register, no number or code), the ledger's kiosk entries, idempotency and voiding.
/// </summary>
public sealed class KioskIssuanceApiTests
{
    private const string CentreCode = "jlis-issuance-centre";
    private const string KioskId = "KIOSK-0001";

    private sealed class Centre(WardService ward, ECDsa key) : IDisposable
    {
        private readonly HttpClient _http = SigningHandler.CreateClient(ward.Host.BaseAddress, CentreCode, key, TestData.Shinagawa.Digits, clock: ward.Clock);

        public async Task<Answer> PostAsync(string route, object body)
        {
            using var response = await _http.PostAsync(route, JsonContent.Create(body, body.GetType(), options: JsonDefaults.Options));
            return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
        }

        public Task<Answer> IssueAsync(Guid transaction, Resident person, string kind, long paid = 500, bool household = false, int? year = null) =>
            PostAsync(KioskIssuanceRoutes.Issue, new KioskIssueRequest(transaction, person.ResidentCode.Digits, KioskId, kind, household, year, paid));

        public void Dispose() => _http.Dispose();
    }

    private static async Task<WardService> StartAsync(string provider, ECDsa centreKey, string? kioskFile = null) =>
        await WardService.StartAsync(provider, options =>
        {
            options.IssuanceCentre = new PinnedPortal { Code = CentreCode, PublicKey = Convert.ToBase64String(centreKey.ExportSubjectPublicKeyInfo()) };
            options.Kiosk.File = kioskFile;
        });

    private static string Text(KioskIssued issued) => PdfText.Read(issued.Pdf);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_pinned_centre_gets_certificates_made_by_the_counters_code_recorded_as_kiosk_issuances(string provider)
    {
        using var centreKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var ward = await StartAsync(provider, centreKey);
        var people = await StaffApiTests.SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        var child = people.Single(p => p.Name.GivenName == "陽菜");
        var other = people.Single(p => p.Name.GivenName == "健一");
        var addressee = new AddresseeSystem(ward.Register, ward.Log);
        addressee.SyncFromRegister();
        var assessment = ResidenceTaxRules.Assess(2024, new ResidenceTaxInput(6_000_000, 850_000, false, 0, 0, 1));
        new ResidenceTaxSystem(addressee).Record(addressee.ForResident(head.Id)!.Value, new DateOnly(2024, 5, 1), assessment);
        new SealRegistry(ward.Database, ward.Clock).Register(new SealRegistrationRequest(head.Id, SealIdentityCheck.DriversLicence,
            SealImage.Parse(SealImages.Png(), 15)), "jumin01", "COUNTER-1");
        using var centre = new Centre(ward, centreKey);

        // The menu: open (Monday 09:00 JST), all four kinds at 200 yen, the tax years the resident has.
        var menu = (await centre.PostAsync(KioskIssuanceRoutes.Menu, new KioskMenuRequest(head.ResidentCode.Digits, KioskId))).Body<KioskMenu>();
        Assert.Equal((TestData.Shinagawa.Digits, "品川区", true, (string?)null), (menu.Municipality, menu.MunicipalityName, menu.Open, menu.ClosedReason));
        Assert.Equal(KioskCertificateKinds.All, menu.Items.Select(i => i.Kind));
        Assert.All(menu.Items, i => Assert.Equal(200, i.FeeYen));
        Assert.Equal([2024], menu.Items.Single(i => i.Kind == KioskCertificateKinds.TaxAssessment).FiscalYears!);
        // 健一 has no seal and no assessment: only 住民票の写し.
        var otherMenu = (await centre.PostAsync(KioskIssuanceRoutes.Menu, new KioskMenuRequest(other.ResidentCode.Digits, KioskId))).Body<KioskMenu>();
        Assert.Equal([KioskCertificateKinds.ResidenceRecord], otherMenu.Items.Select(i => i.Kind));

        // 住民票の写し（世帯全員）: the register's people and address, no number and no code; fee 200 of the 500 paid.
        var juminhyo = Guid.NewGuid();
        var first = await centre.IssueAsync(juminhyo, head, KioskCertificateKinds.ResidenceRecord, household: true);
        Assert.True(first.Status == HttpStatusCode.OK, first.ToString());
        var issued = first.Body<KioskIssued>();
        Assert.Equal((juminhyo, KioskCertificateKinds.ResidenceRecord, 200L), (issued.TransactionId, issued.Kind, issued.FeeYen));
        var text = Text(issued);
        foreach (var expected in new[] { "住民票の写し", head.Name.Full, child.Name.Full, head.Address, "品川区長", "令和6年6月3日", "記載人数 2人", "世帯主" })
            Assert.Contains(expected, text);
        Assert.DoesNotContain(other.Name.Full, text);
        Assert.DoesNotContain("個人番号", text);
        Assert.DoesNotContain("住民票コード", text);
        StaffApiTests.AssertNoNumber(people, text + first.Text);

        // The same request again: the same serial and certificate, recorded once; another request with the id is refused.
        ward.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = (await centre.IssueAsync(juminhyo, head, KioskCertificateKinds.ResidenceRecord, household: true)).Body<KioskIssued>();
        Assert.Equal((issued.Serial, issued.IssuedAt), (again.Serial, again.IssuedAt));
        Assert.Equal(text, Text(again));
        var reused = await centre.IssueAsync(juminhyo, head, KioskCertificateKinds.ResidenceRecord, household: false);
        Assert.Equal((HttpStatusCode.Conflict, KioskRefusalCodes.TransactionReused), (reused.Status, reused.Code));

        // 本人のみ.
        var self = (await centre.IssueAsync(Guid.NewGuid(), child, KioskCertificateKinds.ResidenceRecord)).Body<KioskIssued>();
        Assert.Contains("記載人数 1人", Text(self));
        Assert.Contains(child.Name.Full, Text(self));

        // 印鑑登録証明書 and 課税証明書 for the head; refusals for who has none.
        var inkan = Guid.NewGuid();
        var seal = (await centre.IssueAsync(inkan, head, KioskCertificateKinds.SealRegistration)).Body<KioskIssued>();
        Assert.Contains("印鑑登録証明書", Text(seal));
        var kazei = (await centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.TaxAssessment, year: 2024)).Body<KioskIssued>();
        Assert.Contains("年税額" + assessment.TotalTax.ToString("N0", CultureInfo.InvariantCulture) + "円", Text(kazei));
        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), other, KioskCertificateKinds.SealRegistration), KioskRefusalCodes.NoSealRegistered);
        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.TaxAssessment, year: 2023), KioskRefusalCodes.NoAssessment);
        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), other, KioskCertificateKinds.TaxPayment), KioskRefusalCodes.NoAssessment);
        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.ResidenceRecord, paid: 199), KioskRefusalCodes.PaymentShort);

        // 支援措置: no kiosk issuance (menu and certificates) until released.
        var measures = new SupportMeasures(ward.Database, ward.Clock);
        measures.Place(other.Id, SupportMeasureKind.DomesticViolence, null, "jumin01");
        await AssertRefusedAsync(centre.PostAsync(KioskIssuanceRoutes.Menu, new KioskMenuRequest(other.ResidentCode.Digits, KioskId)), KioskRefusalCodes.SupportMeasure);
        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), other, KioskCertificateKinds.ResidenceRecord), KioskRefusalCodes.SupportMeasure);
        measures.Release(other.Id, null, "jumin01");
        Assert.Equal(HttpStatusCode.OK, (await centre.IssueAsync(Guid.NewGuid(), other, KioskCertificateKinds.ResidenceRecord)).Status);

        // Moved out: not a resident any more (nor is an unknown code).
        var clerk = await ward.LoginAsync("jumin01", "resident-register");
        var departed = await ward.PostAsync(MunicipalityRoutes.Departures, new DepartureRequest(Guid.NewGuid(), other.Id, new DateOnly(2024, 6, 3), "大阪府大阪市北区"), clerk);
        Assert.True(departed.Response.IsSuccessStatusCode, departed.ToString());
        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), other, KioskCertificateKinds.ResidenceRecord), KioskRefusalCodes.NotResident);
        var unknown = ResidentCode.FromBody(1_234_567_890L);
        await AssertRefusedAsync(centre.PostAsync(KioskIssuanceRoutes.Issue, new KioskIssueRequest(Guid.NewGuid(), unknown.Digits, KioskId,
            KioskCertificateKinds.ResidenceRecord, false, null, 300)), KioskRefusalCodes.NotResident);

        // Bad input names the field and echoes nothing.
        var badCode = await centre.PostAsync(KioskIssuanceRoutes.Issue, new KioskIssueRequest(Guid.NewGuid(), "12345678901", KioskId, "juminhyo", false, null, 300));
        Assert.Equal((HttpStatusCode.BadRequest, "bad-field"), (badCode.Status, badCode.Code));
        Assert.Contains("residentCode:", badCode.Text);
        Assert.DoesNotContain("12345678901", badCode.Text);
        var badKind = await centre.PostAsync(KioskIssuanceRoutes.Issue, new KioskIssueRequest(Guid.NewGuid(), head.ResidentCode.Digits, KioskId, "koseki-x", false, null, 300));
        Assert.Equal((HttpStatusCode.BadRequest, "bad-field"), (badKind.Status, badKind.Code));
        Assert.DoesNotContain("koseki-x", badKind.Text);

        // Void: the seal certificate could not be printed — voided with the reason, no fee, and the id cannot be issued again.
        var voided = await centre.PostAsync(KioskIssuanceRoutes.Void, new KioskVoidRequest(inkan, "print-failed"));
        Assert.Equal(HttpStatusCode.NoContent, voided.Status);
        await AssertRefusedAsync(centre.IssueAsync(inkan, head, KioskCertificateKinds.SealRegistration), KioskRefusalCodes.TransactionReused);
        var neverIssued = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await centre.PostAsync(KioskIssuanceRoutes.Void, new KioskVoidRequest(neverIssued, "payment-failed"))).Status);
        await AssertRefusedAsync(centre.IssueAsync(neverIssued, head, KioskCertificateKinds.ResidenceRecord), KioskRefusalCodes.TransactionReused);
        var badReason = await centre.PostAsync(KioskIssuanceRoutes.Void, new KioskVoidRequest(Guid.NewGuid(), "lost-it"));
        Assert.Equal((HttpStatusCode.BadRequest, "bad-field"), (badReason.Status, badReason.Code));

        // The ledger: kiosk entries with the kiosk, transaction, fee and paid amount, by the service actor; the voided one marked.
        var ledger = new CertificateLedger(ward.Database);
        var headEntries = ledger.ForResident(head.Id);
        Assert.Equal([(CertificateKind.ResidenceRecord, juminhyo), (CertificateKind.SealRegistration, inkan)],
            headEntries.Where(e => e.Kind is CertificateKind.ResidenceRecord or CertificateKind.SealRegistration).Select(e => (e.Kind, e.TransactionId!.Value)));
        Assert.All(headEntries, e => Assert.Equal((CertificateChannel.Kiosk, KioskId, KioskIssuanceServer.ServiceActor, 200L, 500L),
            (e.Channel, e.Terminal, e.StaffId, e.FeeYen, e.PaidYen!.Value)));
        var sealEntry = headEntries.Single(e => e.Kind == CertificateKind.SealRegistration);
        Assert.Equal((seal.Serial, "print-failed"), (sealEntry.Id, sealEntry.VoidReason));
        Assert.Equal("コンビニ交付（利用者証明用電子証明書で本人確認）", sealEntry.Options);
        Assert.NotNull(sealEntry.VoidedAt);
        Assert.Equal(issued.Serial, headEntries[0].Id);

        // The operation log: kiosk issuances with terminal = the kiosk and the service actor; refusals too; no number or code anywhere.
        var kioskEntries = ward.Entries().Where(e => e.StaffId == KioskIssuanceServer.ServiceActor).ToList();
        Assert.All(kioskEntries, e => Assert.Equal(KioskId, e.Terminal));
        Assert.Contains(kioskEntries, e => e.Result == OperationResult.Success && e.Detail!.Contains($"serial={issued.Serial}; ", StringComparison.Ordinal));
        Assert.Contains(kioskEntries, e => e.Result == OperationResult.Refused && e.Detail!.EndsWith("refused: " + KioskRefusalCodes.SupportMeasure, StringComparison.Ordinal));
        Assert.Contains(kioskEntries, e => e.Result == OperationResult.Failed && e.Detail!.Contains("voided", StringComparison.Ordinal));
        StaffApiTests.AssertNoNumber(people, ward.ExportedLog());

        // 23:00 JST: closed — but a resend of an earlier transaction still gets its certificate.
        ward.Clock.Advance(new DateTimeOffset(2024, 6, 3, 23, 0, 0, TimeSpan.FromHours(9)) - ward.Clock.GetUtcNow());
        var closed = await centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.ResidenceRecord);
        Assert.Equal((HttpStatusCode.Conflict, KioskRefusalCodes.Closed), (closed.Status, closed.Code));
        Assert.Contains("サービス時間外です", closed.Text);
        var closedMenu = (await centre.PostAsync(KioskIssuanceRoutes.Menu, new KioskMenuRequest(head.ResidentCode.Digits, KioskId))).Body<KioskMenu>();
        Assert.Equal((false, "サービス時間外です（6時30分から23時まで）。"), (closedMenu.Open, closedMenu.ClosedReason));
        Assert.Equal(issued.Serial, (await centre.IssueAsync(juminhyo, head, KioskCertificateKinds.ResidenceRecord, household: true)).Body<KioskIssued>().Serial);
        Assert.Single(ledger.ForResident(head.Id), e => e.TransactionId == juminhyo);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_narrowed_ward_refuses_a_kind_it_does_not_offer_and_closes_early_and_only_its_centre_may_call(string provider)
    {
        using var dir = new TempDirectory();
        var file = dir.File("kiosk-service-narrow.json");
        await File.WriteAllTextAsync(file, """
            { "version": "t", "source": "t", "opens": "08:00", "closes": "20:00", "maintenance": [],
              "menu": [ { "kind": "juminhyo", "name": "住民票の写し", "feeYen": 250 } ] }
            """);
        using var centreKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var ward = await StartAsync(provider, centreKey, file);
        var people = await StaffApiTests.SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        using var centre = new Centre(ward, centreKey);

        await AssertRefusedAsync(centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.TaxAssessment), KioskRefusalCodes.KindNotOffered);
        Assert.Equal(250, (await centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.ResidenceRecord, paid: 250)).Body<KioskIssued>().FeeYen);

        // An impostor with the centre's code but another key, an unsigned caller, and a staff session: none gets in.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var impostor = new Centre(ward, otherKey))
            Assert.Equal(HttpStatusCode.Unauthorized, (await impostor.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.ResidenceRecord)).Status);
        var unsigned = await ward.PostAsync(KioskIssuanceRoutes.Issue, new KioskIssueRequest(Guid.NewGuid(), head.ResidentCode.Digits, KioskId, "juminhyo", false, null, 300), null);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.Status);
        var staff = await ward.PostAsync(KioskIssuanceRoutes.Menu, new KioskMenuRequest(head.ResidentCode.Digits, KioskId), await ward.LoginAsync("jumin01", "resident-register"));
        Assert.True(staff.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, staff.ToString());

        ward.Clock.Advance(TimeSpan.FromHours(11)); // 20:00 JST and a little
        var closed = await centre.IssueAsync(Guid.NewGuid(), head, KioskCertificateKinds.ResidenceRecord, paid: 250);
        Assert.Equal((HttpStatusCode.Conflict, KioskRefusalCodes.Closed), (closed.Status, closed.Code));
        Assert.Contains("8時から20時まで", closed.Text);
        Assert.Single(new CertificateLedger(ward.Database).ForResident(head.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Resends_of_one_transaction_at_the_same_time_get_one_certificate_recorded_once(string provider)
    {
        using var centreKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var ward = await StartAsync(provider, centreKey);
        var head = (await StaffApiTests.SeedAsync(ward)).Single(p => p.Name.GivenName == "誠");
        using var centre = new Centre(ward, centreKey);
        var transaction = Guid.NewGuid();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => centre.IssueAsync(transaction, head, KioskCertificateKinds.ResidenceRecord)));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.ToString()));
        Assert.Single(answers.Select(a => a.Body<KioskIssued>().Serial).Distinct());
        Assert.Single(new CertificateLedger(ward.Database).ForResident(head.Id));
    }

    private static async Task AssertRefusedAsync(Task<Answer> call, string code)
    {
        var answer = await call;
        Assert.True((answer.Status, answer.Code) == (HttpStatusCode.Conflict, code), answer.ToString());
    }
}
