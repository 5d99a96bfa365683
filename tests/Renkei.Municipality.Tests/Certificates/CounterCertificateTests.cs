using Renkei.Documents;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Certificates;

/// <summary>住民票の写し at the counter: the PDF read back against the register, the number rule both ways, the ledger without content.</summary>
public sealed class CounterCertificateTests
{
    private static readonly CounterCertificateSettings Settings = new(NoticeIssuer.For("品川区"), FeePerCopy: 300);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_household_copy_lists_every_member_with_relationships_and_records_the_issuance_without_content(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, child, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        var (certificates, counter, ledger) = Parts(register, db);
        var request = new ResidenceCertificateRequest(wife, WholeHousehold: true);

        var issued = counter.IssueResidenceRecord(certificates.Build(request), request, new ResidenceRecordOptions(true, CertificateRequester.Self, Copies: 2),
            "koseki01", "COUNTER-1", "resident-register");

        var text = PdfText.Read(issued.Pdf);
        foreach (var id in new[] { head, wife, child })
        {
            var person = register.Find(id)!;
            Assert.Contains(person.Name.Full, text);
            Assert.Contains(person.Address, text);
            Assert.Contains(Renkei.Core.Dates.JapaneseEraDate.Format(person.BirthDate), text);
        }
        foreach (var expected in new[] { "住民票の写し", "世帯主", "山田　太郎", "妻", "子", "本籍省略", "筆頭者省略", "この写しは、住民票の原本と相違ないことを証明する。",
                     "品川区長", "令和", "記載人数 3人", $"交付番号 131091-{issued.Certificate.IssuedOn.Year:D4}-{issued.LedgerId:D6}" })
            Assert.Contains(expected, text);
        Assert.DoesNotContain("個人番号", text);
        Assert.All(new[] { head, wife, child }, id => Assert.False(text.Contains(register.Find(id)!.IndividualNumber!.Value.Digits, StringComparison.Ordinal),
            "a number is printed without being asked for"));
        Assert.Equal(600, issued.FeeYen);

        var entry = Assert.Single(ledger.ForResident(wife));
        Assert.Equal((issued.LedgerId, CertificateKind.ResidenceRecord, "koseki01", "COUNTER-1", "resident-register", CertificateRequester.Self, 2, 600L),
            (entry.Id, entry.Kind, entry.StaffId, entry.Terminal, entry.Affair, entry.Requester, entry.Copies, entry.FeeYen));
        Assert.Equal("世帯全員（3人）; 記載: 世帯主・続柄", entry.Options);
        // The ledger holds no content: no name, address, birth date or number of anyone on the certificate.
        var stored = LedgerRows(db);
        foreach (var id in new[] { head, wife, child })
        {
            var person = register.Find(id)!;
            Assert.DoesNotContain(person.Name.FamilyName, stored);
            Assert.DoesNotContain(person.Address, stored);
            Assert.False(stored.Contains(person.IndividualNumber!.Value.Digits, StringComparison.Ordinal), "a number is in the ledger");
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_number_is_printed_only_on_express_request_in_a_number_using_affair(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, _, wife, child, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        var (certificates, counter, ledger) = Parts(register, db);
        var number = register.Find(wife)!.IndividualNumber!.Value.Digits;
        var code = register.Find(wife)!.ResidentCode.Digits;
        var options = new ResidenceRecordOptions(false, CertificateRequester.Self);

        // Asked for, in a number-using affair: printed (number and resident-record code).
        var asked = new ResidenceCertificateRequest(wife, IncludeNumber: true, AffairCode: "resident-register") { IncludeResidentCode = true };
        var withNumber = PdfText.Read(counter.IssueResidenceRecord(certificates.Build(asked), asked, options, "koseki01", "COUNTER-1", "resident-register").Pdf);
        Assert.True(withNumber.Contains(number, StringComparison.Ordinal), "the number asked for is not printed");
        Assert.True(withNumber.Contains(code, StringComparison.Ordinal), "the resident-record code asked for is not printed");
        Assert.Contains("個人番号", withNumber);
        Assert.Contains("世帯主省略", withNumber);

        // Not asked for, in the same affair: not printed.
        var plainRequest = new ResidenceCertificateRequest(wife, AffairCode: "resident-register");
        var plain = PdfText.Read(counter.IssueResidenceRecord(certificates.Build(plainRequest), plainRequest, options, "koseki01", "COUNTER-1", "resident-register").Pdf);
        Assert.False(plain.Contains(number, StringComparison.Ordinal), "the number is printed without being asked for");
        Assert.False(plain.Contains(code, StringComparison.Ordinal), "the resident-record code is printed without being asked for");

        // Asked for in an affair that may not use numbers: refused, nothing issued or recorded.
        var library = new ResidenceCertificateRequest(wife, IncludeNumber: true, AffairCode: "library");
        Assert.Equal("affair-without-number-use", Assert.Throws<AffairNumberUseRefusedException>(() => certificates.Build(library)).Code);
        // Asked for by an agent: refused before anything is built.
        var agent = Assert.Throws<RegisterException>(() => CounterCertificates.CheckOptions(asked, options with { Requester = CertificateRequester.Agent }));
        Assert.Equal(CounterCertificates.NumberNeedsOwnRequest, agent.Code);
        Assert.StartsWith("requester:", agent.Message);
        Assert.Equal(2, ledger.ForResident(wife).Count);
        Assert.Equal("本人（1人）; 記載: 個人番号・住民票コード", ledger.ForResident(wife)[0].Options);
        _ = child;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Chosen_members_must_be_in_the_household_and_bad_input_names_the_field(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, child, lone) = await CertificateAndNotificationTests.PopulateAsync(db);
        var (certificates, counter, ledger) = Parts(register, db);

        var some = new ResidenceCertificateRequest(wife) { Members = [wife, child] };
        var data = certificates.Build(some);
        Assert.Equal([wife, child], data.Entries.Select(e => e.ResidentId).Order().ToArray());
        var text = PdfText.Read(counter.IssueResidenceRecord(data, some, new ResidenceRecordOptions(true, CertificateRequester.HouseholdMember), "koseki01", "C", null).Pdf);
        Assert.Contains(register.Find(child)!.Name.Full, text);
        Assert.DoesNotContain("太郎　", text.Replace("世帯主山田　太郎", "", StringComparison.Ordinal)); // the head is not a row

        var outsider = Assert.Throws<RegisterException>(() => certificates.Build(new ResidenceCertificateRequest(wife) { Members = [wife, lone] }));
        Assert.Equal((ResidenceCertificates.MemberNotInHousehold, true), (outsider.Code, outsider.Message.StartsWith("members:", StringComparison.Ordinal)));
        var both = Assert.Throws<RegisterException>(() => certificates.Build(new ResidenceCertificateRequest(wife, WholeHousehold: true) { Members = [wife] }));
        Assert.Equal(ResidenceCertificates.ScopeConflict, both.Code);
        var unknown = Assert.Throws<RegisterException>(() => certificates.Build(new ResidenceCertificateRequest(999_999)));
        Assert.Equal(("unknown-resident", true), (unknown.Code, unknown.Message.StartsWith("residentId:", StringComparison.Ordinal)));
        var copies = Assert.Throws<RegisterException>(() => CounterCertificates.CheckOptions(some, new ResidenceRecordOptions(true, CertificateRequester.Self, 0)));
        Assert.Equal((CounterCertificates.CopiesOutOfRange, true), (copies.Code, copies.Message.StartsWith("copies:", StringComparison.Ordinal)));
        Assert.Single(ledger.ForResident(wife));
        Assert.Empty(ledger.ForResident(lone));
        _ = head;
    }

    /// <summary>Every stored value of the ledger, joined (never printed).</summary>
    internal static string LedgerRows(TestDatabase db)
    {
        using var connection = db.Database.Open();
        using var select = connection.Command("SELECT * FROM certificate_issuances");
        using var reader = select.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
            for (var i = 0; i < reader.FieldCount; i++) values.Add(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return string.Join("|", values);
    }

    private static (ResidenceCertificates, CounterCertificates, CertificateLedger) Parts(ResidentRegister register, TestDatabase db)
    {
        var ledger = new CertificateLedger(db.Database);
        return (new ResidenceCertificates(register, AffairCatalogue.LoadDefault()), new CounterCertificates(ledger, Settings), ledger);
    }
}

/// <summary>課税（非課税）証明書 from the residence-tax system's record, read back against it.</summary>
public sealed class TaxCertificateTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_tax_certificate_shows_the_latest_assessment_and_is_recorded_without_content(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, _, _, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        var ledger = new CertificateLedger(db.Database);
        var counter = new CounterCertificates(ledger, new CounterCertificateSettings(NoticeIssuer.For("品川区"), FeePerCopy: 300));
        var assessment = Renkei.Municipality.Business.ResidenceTaxRules.Assess(2026, new Renkei.Municipality.Business.ResidenceTaxInput(4_200_000, 600_000, true, 1, 0, 1));
        var person = register.Find(head)!;

        var issued = counter.IssueTaxAssessment("131091", person, assessment, CertificateRequester.Self, 1, "zeimu01", "COUNTER-2", "local-tax");

        var text = PdfText.Read(issued.Pdf);
        DocumentSamples.Save("tax-assessment-certificate", issued.Pdf);
        string Yen(long amount) => amount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + "円";
        foreach (var expected in new[] { "課税（非課税）証明書", person.Name.Full, person.Address, "令和8年度（令和7年分所得）", "課税", "合計所得金額" + Yen(4_200_000),
                     "所得割額" + Yen(assessment.IncomeLevy), "均等割額" + Yen(assessment.PerCapitaLevy), "年税額" + Yen(assessment.TotalTax), "品川区長",
                     "上記のとおり相違ないことを証明する。" })
            Assert.Contains(expected, text);
        Assert.True(assessment.IncomeLevy > 0);
        var entry = Assert.Single(ledger.ForResident(head));
        Assert.Equal((CertificateKind.TaxAssessment, "令和8年度", 300L), (entry.Kind, entry.Options, entry.FeeYen));
    }

    [Theory]
    [InlineData(2019, "令和元年度")]
    [InlineData(2026, "令和8年度")]
    [InlineData(2018, "平成30年度")]
    public void Fiscal_years_are_written_in_the_era_of_1_April(int year, string expected) =>
        Assert.Equal(expected, CounterCertificates.ResidenceTaxYear(year));
}
