using System.Globalization;
using System.Net;
using Renkei.Documents;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Service;

/// <summary>Certificates as PDFs from the ward's staff API: as at the counter (ledger, log), the tax ones only in local-tax.</summary>
public sealed class CertificatePdfApiTests
{
    private static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";

    private static async Task<string> PdfTextOf(Answer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("application/pdf", answer.Response.Content.Headers.ContentType?.MediaType);
        return PdfText.Read(await answer.Response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_staff_api_issues_residence_and_tax_certificates_as_pdfs_recorded_like_the_counter(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        var child = people.Single(p => p.Name.GivenName == "陽菜");
        var addressee = new AddresseeSystem(ward.Register, ward.Log);
        addressee.SyncFromRegister();
        var tax = new ResidenceTaxSystem(addressee);
        var subject = addressee.ForResident(head.Id)!.Value;
        var assessment = ResidenceTaxRules.Assess(2024, new ResidenceTaxInput(6_000_000, 850_000, false, 0, 0, 1));
        tax.Record(subject, new DateOnly(2024, 5, 1), assessment);
        var account = tax.RecordPayment(new ResidenceTaxPaymentEntry(subject, 2024, 1, new DateOnly(2024, 6, 1), 10_000), new DateOnly(2024, 6, 3), "kazei01",
            WardService.Start);

        // 住民票の写し in the register's affair.
        var clerk = await ward.LoginAsync("jumin01", "resident-register");
        var householdAnswer = await ward.PostAsync(MunicipalityRoutes.CertificatePdf,
            new CertificatePdfRequest("juminhyo", head.Id, WholeHousehold: true) { WithRelationship = true }, clerk);
        var household = await PdfTextOf(householdAnswer);
        // Signed with the key whose certificate the ward obtained from J-LIS over HTTP (kept in its key directory).
        var code = Renkei.Documents.Paper.PaperCode.TryParse(Assert.Single(Renkei.Documents.Paper.PaperVerifier.QrTexts(
            await householdAnswer.Response.Content.ReadAsByteArrayAsync())))!;
        Assert.Equal(("131091", "juminhyo", 1), (code.Statement.Issuer, code.Statement.Kind, code.Statement.Pages));
        Assert.True(File.Exists(Path.Combine(ward.KeyDirectory, WardCertificateSigner.CertificateFileName)));
        foreach (var expected in new[] { "住民票の写し", head.Name.Full, child.Name.Full, head.Address, "品川区長", "令和6年6月3日", "記載人数 2人" })
            Assert.Contains(expected, household);
        StaffApiTests.AssertNoNumber(people, household);

        // Tax certificates: refused outside local-tax (nothing issued), issued in it.
        var refused = await ward.PostAsync(MunicipalityRoutes.CertificatePdf, new CertificatePdfRequest("nozei", head.Id) { FiscalYear = 2024 }, clerk);
        Assert.Equal((HttpStatusCode.Forbidden, TaxCertificates.TaxAffairRequired), (refused.Status, refused.Code));
        var taxClerk = await ward.LoginAsync("kazei01", "local-tax");
        var nozei = await PdfTextOf(await ward.PostAsync(MunicipalityRoutes.CertificatePdf, new CertificatePdfRequest("nozei", head.Id) { FiscalYear = 2024 }, taxClerk));
        foreach (var expected in new[] { "納税証明書", head.Name.Full, "年度令和6年度", "税額" + Yen(assessment.TotalTax), "納付済額" + Yen(10_000),
                     "未納額" + Yen(account.Unpaid), "品川区長", "令和6年6月3日" })
            Assert.Contains(expected, nozei);
        var kazei = await PdfTextOf(await ward.PostAsync(MunicipalityRoutes.CertificatePdf, new CertificatePdfRequest("kazei", head.Id), taxClerk));
        Assert.Contains("年税額" + Yen(assessment.TotalTax), kazei);

        // Refusals name the field or the rule and echo nothing.
        var noRecord = await ward.PostAsync(MunicipalityRoutes.CertificatePdf, new CertificatePdfRequest("nozei", child.Id), taxClerk);
        Assert.Equal((HttpStatusCode.Conflict, TaxCertificates.NoTaxRecord), (noRecord.Status, noRecord.Code));
        var badKind = await ward.PostJsonAsync(MunicipalityRoutes.CertificatePdf, $$"""{"kind":"passport-x","residentId":{{head.Id}}}""", taxClerk);
        Assert.Equal((HttpStatusCode.BadRequest, "bad-field"), (badKind.Status, badKind.Code));
        Assert.Contains("kind:", badKind.Text);
        Assert.DoesNotContain("passport-x", badKind.Text);
        var library = await ward.PostAsync(MunicipalityRoutes.CertificatePdf, new CertificatePdfRequest("juminhyo", head.Id), await ward.LoginAsync("tosho01", "library"));
        Assert.Equal(HttpStatusCode.Forbidden, library.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ward.PostAsync(MunicipalityRoutes.CertificatePdf, new CertificatePdfRequest("juminhyo", head.Id), null)).Status);

        // The ledger: three issuances (kind, staff, affair), no content; the log: every issuance and refusal, by addressee number, no number.
        var ledger = new CertificateLedger(ward.Database).ForResident(head.Id);
        Assert.Equal(ledger[0].Id, code.Statement.IssuanceId);
        Assert.Equal([(CertificateKind.ResidenceRecord, "jumin01", "resident-register"), (CertificateKind.TaxPayment, "kazei01", "local-tax"),
                (CertificateKind.TaxAssessment, "kazei01", "local-tax")], ledger.Select(e => (e.Kind, e.StaffId, e.Affair)));
        var exports = ward.Entries().Where(e => e.Action == OperationAction.Export).ToList();
        Assert.Equal([OperationResult.Success, OperationResult.Refused, OperationResult.Success, OperationResult.Success, OperationResult.Failed,
                OperationResult.Refused, OperationResult.Refused, OperationResult.Refused], exports.Select(e => e.Result));
        Assert.Equal(subject.ToInt64(), exports[0].SubjectAddresseeNumber);
        Assert.Contains("refused: " + TaxCertificates.TaxAffairRequired, exports[1].Detail);
        StaffApiTests.AssertNoNumber(people, ward.ExportedLog());
    }
}
