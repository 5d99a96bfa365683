using System.Globalization;
using Renkei.Core.Dates;
using Renkei.Documents;
using Renkei.Infrastructure;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Tests.Addressee;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Certificates;

/// <summary>The residence-tax payments ledger and the 納税証明書 read back against it; refusals name the field and store nothing.</summary>
public sealed class TaxPaymentCertificateTests
{
    private const int FiscalYear = 2024;
    private static readonly DateOnly YearEnd = new(2025, 3, 31);

    private static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";

    [Fact]
    public void Four_installments_add_up_to_the_tax_with_the_remainder_first_and_fall_on_working_days()
    {
        var schedule = ResidenceTaxInstallments.Schedule(2024, 123_456);
        Assert.Equal([1, 2, 3, 4], schedule.Select(i => i.Number));
        Assert.Equal(123_456, schedule.Sum(i => i.Amount));
        Assert.All(schedule.Skip(1), i => Assert.Equal(30_000, i.Amount));
        // 2024-06-30 is a Sunday: due on Monday 1 July; 31 August 2024 a Saturday: Monday 2 September; 31 January 2025 a Friday.
        Assert.Equal([new DateOnly(2024, 7, 1), new DateOnly(2024, 9, 2), new DateOnly(2024, 10, 31), new DateOnly(2025, 1, 31)], schedule.Select(i => i.DueOn));
        Assert.Empty(ResidenceTaxInstallments.Schedule(2024, 0));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_partly_paid_year_shows_its_unpaid_amount_on_the_certificate_and_the_ledger_keeps_no_content(string provider)
    {
        using var ward = new WardFixture(provider, residents: 6);
        var (taxes, counter, ledger, tax) = Parts(ward);
        var person = ward.Resident(1);
        var subject = ward.AddresseeOf(1);
        var assessment = ResidenceTaxRules.Assess(FiscalYear, new ResidenceTaxInput(4_200_000, 600_000, true, 1, 0, 1));
        tax.Record(subject, new DateOnly(2020, 1, 1), assessment);
        var schedule = ResidenceTaxInstallments.Schedule(FiscalYear, assessment.TotalTax);
        foreach (var i in schedule.Take(3))
            tax.RecordPayment(new ResidenceTaxPaymentEntry(subject, FiscalYear, i.Number, i.DueOn.AddDays(-3), i.Amount), YearEnd, "zeimu01", DateTimeOffset.UtcNow);
        var account = tax.RecordPayment(new ResidenceTaxPaymentEntry(subject, FiscalYear, 4, new DateOnly(2025, 1, 20), 1_000), YearEnd, "zeimu01", DateTimeOffset.UtcNow);

        var unpaid = schedule[3].Amount - 1_000;
        Assert.Equal((assessment.TotalTax, assessment.TotalTax - unpaid, unpaid), (account.Assessed, account.Paid, account.Unpaid));
        Assert.Equal([0L, 0, 0, unpaid], account.Installments.Select(i => i.Unpaid));

        var issued = taxes.Issue(new TaxCertificateRequest(CertificateKind.TaxPayment, person.Id, FiscalYear, CertificateRequester.Self), YearEnd,
            "zeimu01", "COUNTER-2", CounterCertificates.TaxAffair);

        var text = PdfText.Read(issued.Pdf);
        DocumentSamples.Save("tax-payment-certificate", issued.Pdf);
        foreach (var expected in new[]
                 {
                     "納税証明書", person.Name.Full, person.Address, "年度令和6年度", "税目特別区民税・都民税", "税額" + Yen(assessment.TotalTax),
                     "納付済額" + Yen(account.Paid), "未納額" + Yen(unpaid), "第4期" + JapaneseEraDate.Format(schedule[3].DueOn), "未納額があります",
                     "上記のとおり相違ないことを証明する。", "品川区長", "令和", $"交付番号 131091-{issued.Certificate.IssuedOn.Year:D4}-{issued.LedgerId:D6}",
                 })
            Assert.Contains(expected, text);
        Assert.Contains(JapaneseEraDate.Format(issued.Certificate.IssuedOn), text);

        var entry = Assert.Single(ledger.ForResident(person.Id));
        Assert.Equal((CertificateKind.TaxPayment, "令和6年度", "zeimu01", "COUNTER-2", "local-tax", 300L), (entry.Kind, entry.Options, entry.StaffId, entry.Terminal, entry.Affair, entry.FeeYen));
        var stored = LedgerRows(ward);
        Assert.DoesNotContain(person.Name.FamilyName, stored);
        Assert.DoesNotContain(person.Address, stored);
        Assert.DoesNotContain(assessment.TotalTax.ToString(CultureInfo.InvariantCulture), stored);

        // Paid in full: the certificate says so.
        tax.RecordPayment(new ResidenceTaxPaymentEntry(subject, FiscalYear, 4, new DateOnly(2025, 2, 3), unpaid), YearEnd, "zeimu01", DateTimeOffset.UtcNow);
        var full = PdfText.Read(taxes.Issue(new TaxCertificateRequest(CertificateKind.TaxPayment, person.Id, FiscalYear, CertificateRequester.Self), YearEnd,
            "zeimu01", "COUNTER-2", CounterCertificates.TaxAffair).Pdf);
        Assert.Contains("未納額0円", full);
        Assert.Contains("全額納付済み", full);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Overpayments_and_payments_for_a_year_without_assessment_are_refused_naming_the_field_and_nothing_is_stored(string provider)
    {
        using var ward = new WardFixture(provider, residents: 6);
        var (_, _, _, tax) = Parts(ward);
        var subject = ward.AddresseeOf(2);
        var assessment = ResidenceTaxRules.Assess(FiscalYear, new ResidenceTaxInput(3_000_000, 400_000, false, 0, 0, 0));
        tax.Record(subject, new DateOnly(2020, 1, 1), assessment);
        var first = ResidenceTaxInstallments.Schedule(FiscalYear, assessment.TotalTax)[0].Amount;

        BusinessSystemException Refused(int year, int installment, DateOnly paidOn, long amount) => Assert.Throws<BusinessSystemException>(() =>
            tax.RecordPayment(new ResidenceTaxPaymentEntry(subject, year, installment, paidOn, amount), YearEnd, "zeimu01", DateTimeOffset.UtcNow));

        var over = Refused(FiscalYear, 1, new DateOnly(2024, 6, 20), first + 1);
        Assert.Equal((ResidenceTaxSystem.Overpayment, true), (over.Code, over.Message.StartsWith("納付額（amount）", StringComparison.Ordinal)));
        Assert.DoesNotContain((first + 1).ToString(CultureInfo.InvariantCulture), over.Message);
        var unknownYear = Refused(2019, 1, new DateOnly(2024, 6, 20), 1_000);
        Assert.Equal((ResidenceTaxSystem.NoAssessment, true), (unknownYear.Code, unknownYear.Message.StartsWith("年度（fiscalYear）", StringComparison.Ordinal)));
        var installment = Refused(FiscalYear, 5, new DateOnly(2024, 6, 20), 1_000);
        Assert.Equal((BusinessSystemException.InvalidInput, true), (installment.Code, installment.Message.StartsWith("期別（installment）", StringComparison.Ordinal)));
        Assert.StartsWith("納付額（amount）", Refused(FiscalYear, 1, new DateOnly(2024, 6, 20), 0).Message);
        Assert.StartsWith("納付日（paidOn）", Refused(FiscalYear, 1, YearEnd.AddDays(1), 1_000).Message);
        Assert.Equal(ResidenceTaxSystem.NoAssessment, Assert.Throws<BusinessSystemException>(() =>
            tax.RecordPayment(new ResidenceTaxPaymentEntry(ward.AddresseeOf(3), FiscalYear, 1, new DateOnly(2024, 6, 20), 1_000), YearEnd, "zeimu01", DateTimeOffset.UtcNow)).Code);

        Assert.Empty(tax.Account(subject, FiscalYear)!.Payments);
        // Paying the installment exactly is accepted; a second payment for it is then an overpayment.
        tax.RecordPayment(new ResidenceTaxPaymentEntry(subject, FiscalYear, 1, new DateOnly(2024, 6, 20), first), YearEnd, "zeimu01", DateTimeOffset.UtcNow);
        Assert.Equal(ResidenceTaxSystem.Overpayment, Refused(FiscalYear, 1, new DateOnly(2024, 6, 21), 1).Code);
        Assert.Single(tax.Account(subject, FiscalYear)!.Payments);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Tax_certificates_are_refused_outside_the_tax_affair_without_a_record_or_without_tax_due_and_nothing_is_recorded(string provider)
    {
        using var ward = new WardFixture(provider, residents: 6);
        var (taxes, _, ledger, tax) = Parts(ward);
        var taxed = ward.Resident(1);
        var exempt = ward.Resident(2);
        tax.Record(ward.AddresseeOf(1), new DateOnly(2020, 1, 1), ResidenceTaxRules.Assess(FiscalYear, new ResidenceTaxInput(5_000_000, 700_000, false, 0, 0, 0)));
        tax.Record(ward.AddresseeOf(2), new DateOnly(2020, 1, 1), ResidenceTaxRules.Assess(FiscalYear, new ResidenceTaxInput(400_000, 0, false, 0, 0, 0)));

        string Refusal(CertificateKind kind, long resident, int? year, string? affair = CounterCertificates.TaxAffair)
        {
            var refused = Assert.Throws<RegisterException>(() => taxes.Issue(new TaxCertificateRequest(kind, resident, year, CertificateRequester.Self), YearEnd,
                "zeimu01", "COUNTER-2", affair));
            Assert.Matches("^(affair|residentId|fiscalYear):", refused.Message);
            return refused.Code;
        }

        Assert.Equal(TaxCertificates.TaxAffairRequired, Refusal(CertificateKind.TaxPayment, taxed.Id, FiscalYear, "resident-register"));
        Assert.Equal(TaxCertificates.TaxAffairRequired, Refusal(CertificateKind.TaxAssessment, taxed.Id, FiscalYear, null));
        Assert.Equal(TaxCertificates.NoTaxRecord, Refusal(CertificateKind.TaxPayment, taxed.Id, 2023));
        Assert.Equal(TaxCertificates.NoTaxRecord, Refusal(CertificateKind.TaxAssessment, ward.Resident(3).Id, null));
        Assert.Equal(TaxCertificates.NoTaxDue, Refusal(CertificateKind.TaxPayment, exempt.Id, FiscalYear));
        Assert.Equal("unknown-resident", Refusal(CertificateKind.TaxPayment, 999_999, FiscalYear));
        Assert.Empty(ledger.ForResident(taxed.Id));
        Assert.Empty(ledger.ForResident(exempt.Id));

        // The latest year by default; the non-taxable person gets the 課税（非課税）証明書.
        var latest = taxes.Issue(new TaxCertificateRequest(CertificateKind.TaxAssessment, exempt.Id, null, CertificateRequester.Self), YearEnd, "zeimu01", "C", "local-tax");
        Assert.Contains("非課税", PdfText.Read(latest.Pdf));
        Assert.Equal([FiscalYear], taxes.FiscalYears(exempt.Id));
    }

    private static (TaxCertificates, CounterCertificates, CertificateLedger, ResidenceTaxSystem) Parts(WardFixture ward)
    {
        var ledger = new CertificateLedger(ward.Database);
        var counter = new CounterCertificates(ledger, new CounterCertificateSettings(NoticeIssuer.For("品川区"), FeePerCopy: 300));
        var tax = ward.Systems.ResidenceTax;
        return (new TaxCertificates(ward.Register, ward.Addressee, tax, counter), counter, ledger, tax);
    }

    private static string LedgerRows(WardFixture ward)
    {
        using var connection = ward.Database.Open();
        using var select = connection.Command("SELECT * FROM certificate_issuances");
        using var reader = select.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
            for (var i = 0; i < reader.FieldCount; i++) values.Add(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "");
        return string.Join("|", values);
    }
}
