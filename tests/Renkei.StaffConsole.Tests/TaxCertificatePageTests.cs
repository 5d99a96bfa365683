using System.Globalization;
using System.Net;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>税の証明書 at the counter page: 課税（非課税）証明書 and 納税証明書 as PDFs matching the tax records, only in the local-tax affair.</summary>
public sealed class TaxCertificatePageTests
{
    /// <summary>The residence-tax records of the test ward: 山田 太郎 assessed for 2024 (paid but the last installment) and 2025; 佐藤 健 none.</summary>
    public sealed record TaxRecords(ResidenceTaxAssessment Previous, ResidenceTaxAssessment Current, ResidenceTaxAccount PreviousAccount);

    public static TaxRecords SeedTax(ConsoleWard ward)
    {
        var addressee = new AddresseeSystem(ward.Register, ward.Log);
        var tax = new ResidenceTaxSystem(addressee);
        var taro = addressee.ForResident(ward.Resident("山田", "太郎").Id)!.Value;
        var previous = ResidenceTaxRules.Assess(2024, new ResidenceTaxInput(5_100_000, 720_000, true, 0, 0, 1));
        var current = ResidenceTaxRules.Assess(2025, new ResidenceTaxInput(5_300_000, 750_000, true, 0, 0, 1));
        tax.Record(taro, new DateOnly(2012, 4, 1), previous);
        tax.Record(taro, new DateOnly(2012, 4, 1), current);
        var today = DateOnly.FromDateTime(ConsoleWard.Start.DateTime);
        ResidenceTaxAccount account = null!;
        foreach (var i in ResidenceTaxInstallments.Schedule(2024, previous.TotalTax).Take(3))
            account = tax.RecordPayment(new ResidenceTaxPaymentEntry(taro, 2024, i.Number, i.DueOn.AddDays(-1), i.Amount), today, "kazei01", ConsoleWard.Start);
        return new TaxRecords(previous, current, account);
    }

    private static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_tax_clerk_issues_both_tax_certificates_and_other_affairs_are_refused(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        var records = SeedTax(ward);
        var (taro, ken) = (ward.Resident("山田", "太郎"), ward.Resident("佐藤", "健"));
        var path = $"/residents/{taro.Id}/tax-certificate";

        // A clerk of the register (no local-tax affair): neither the form nor an issue.
        using (var register = new ConsoleClient(ward.BaseAddress))
        {
            await register.LoginAsync(ward, ward.Account("jumin01"));
            await register.ChooseAffairAsync("resident-register");
            var page = await register.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, page.Status);
            Assert.Contains("税の証明書は、事務「地方税の賦課及び徴収に関する事務」を選択しているときに限り交付できます。", page.Text);
            Assert.DoesNotContain("tax-certificate-form", page.Text);
            Assert.Equal(HttpStatusCode.Forbidden, (await register.PostAsync(path, ("Kind", "nozei"), ("FiscalYear", "2024"), ("Requester", "self"), ("Copies", "1"))).Status);
        }

        using var client = new ConsoleClient(ward.BaseAddress);
        await client.LoginAsync(ward, ward.Account("kazei01"));
        await client.ChooseAffairAsync("local-tax");
        var form = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Contains("<option value=\"2025\" selected=\"selected\">令和7年度</option>", form.Text);
        Assert.Contains("令和6年度", form.Text);

        var kazei = await client.PostAsync(path, ("Kind", "kazei"), ("FiscalYear", "2025"), ("Requester", "self"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.OK, kazei.Status);
        Assert.Equal("application/pdf", kazei.Headers["Content-Type"]);
        var kazeiText = PdfText.Read(kazei.Bytes);
        foreach (var expected in new[] { "課税（非課税）証明書", taro.Name.Full, taro.Address, "令和7年度（令和6年分所得）", "合計所得金額" + Yen(records.Current.TotalIncome),
                     "年税額" + Yen(records.Current.TotalTax), "品川区長", "令和7年6月2日" })
            Assert.Contains(expected, kazeiText);

        var nozei = await client.PostAsync(path, ("Kind", "nozei"), ("FiscalYear", "2024"), ("Requester", "self"), ("Copies", "2"));
        Assert.Equal(HttpStatusCode.OK, nozei.Status);
        var nozeiText = PdfText.Read(nozei.Bytes);
        foreach (var expected in new[] { "納税証明書", taro.Name.Full, "年度令和6年度", "税額" + Yen(records.Previous.TotalTax), "納付済額" + Yen(records.PreviousAccount.Paid),
                     "未納額" + Yen(records.PreviousAccount.Unpaid), "品川区長", "令和7年6月2日" })
            Assert.Contains(expected, nozeiText);
        Assert.True(records.PreviousAccount.Unpaid > 0);

        // No record for the year: refused in Japanese naming the field; a person with no record gets no form.
        var noYear = await client.PostAsync(path, ("Kind", "nozei"), ("FiscalYear", "2019"), ("Requester", "self"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.Conflict, noYear.Status);
        Assert.Contains("年度：指定の年度の課税記録がありません。", noYear.Text);
        var copies = await client.PostAsync(path, ("Kind", "kazei"), ("FiscalYear", "2025"), ("Requester", "self"), ("Copies", "11"));
        Assert.Equal(HttpStatusCode.BadRequest, copies.Status);
        Assert.Contains("通数：", copies.Text);
        var badYear = await client.PostAsync(path, ("Kind", "kazei"), ("FiscalYear", "令和"), ("Requester", "self"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.BadRequest, badYear.Status);
        Assert.Contains("証明書の種類、年度、請求者または通数の指定が正しくありません。", badYear.Text);
        var none = await client.GetAsync($"/residents/{ken.Id}/tax-certificate");
        Assert.Contains("個人住民税の課税記録がありません。", none.Text);
        NumberScan.AssertNoNumber(ward, client.Responses.Where(r => !r.Bytes.AsSpan().StartsWith("%PDF-"u8)).Select(r => (r.RequestUri.ToString(), r.Text)));

        // The ledger: the two issuances (kind, year, copies, fee), never the content; the log: each issuance and refusal.
        var ledger = new CertificateLedger(ward.Database).ForResident(taro.Id);
        Assert.Equal([(Documents.CertificateKind.TaxAssessment, "令和7年度", 1, 300L), (Documents.CertificateKind.TaxPayment, "令和6年度", 2, 600L)],
            ledger.Select(e => (e.Kind, e.Options, e.Copies, e.FeeYen)));
        Assert.All(ledger, e => Assert.Equal(("kazei01", "local-tax"), (e.StaffId, e.Affair)));
        var exports = ward.Log.Read(new OperationLogQuery(StaffId: "kazei01")).Select(r => r.Entry).Where(e => e.Action == OperationAction.Export).ToList();
        Assert.Equal([OperationResult.Success, OperationResult.Success, OperationResult.Refused, OperationResult.Refused, OperationResult.Refused],
            exports.Select(e => e.Result));
        Assert.StartsWith("納税証明書交付 交付番号", exports[1].Detail);
        var refusals = ward.Log.Read(new OperationLogQuery(StaffId: "jumin01")).Select(r => r.Entry).Where(e => e.Action == OperationAction.Export).ToList();
        Assert.Equal(2, refusals.Count(e => e.Result == OperationResult.Refused && e.Detail!.Contains(TaxCertificates.TaxAffairRequired, StringComparison.Ordinal)));
    }
}
