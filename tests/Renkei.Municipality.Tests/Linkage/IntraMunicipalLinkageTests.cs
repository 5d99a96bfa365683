using System.Text.Json;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.IntraLinkage;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Addressee;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.IntraLinkage;

public class IntraMunicipalLinkageTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;
    private static readonly DateOnly Today = WardFixture.Today;

    private static IntraMunicipalLinkage Linkage(WardFixture ward) => new(IntraMunicipalLinkagePolicy.LoadDefault(), ward.Systems);

    private static void SeedTax(WardFixture ward, int index, long income)
    {
        var assessment = ResidenceTaxRules.Assess(2024, new ResidenceTaxInput(income, income / 7, false, 0, 0, 0));
        ward.Systems.ResidenceTax.Import([new TaxpayerRecord(ward.AddresseeOf(index), new DateOnly(2020, 1, 1), [assessment])]);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_policy_row_lets_the_child_allowance_clerk_read_local_tax_and_the_answer_is_logged(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        SeedTax(ward, 0, 5_000_000);
        var subject = ward.AddresseeOf(0);

        var result = Linkage(ward).Request(ward.Clerk("child-allowance"), "child-allowance", "individual-residence-tax", "local-tax", subject, Today);

        Assert.True(result.Allowed, result.Message);
        Assert.Equal(IntraMunicipalLinkageDecision.Allow, result.ReasonCode);
        Assert.Contains("第4条第3項", result.Rule!.Article);
        var body = result.Information!.Body;
        Assert.Equal(2024, body.GetProperty("fiscalYear").GetInt32());
        Assert.Equal(5_000_000, body.GetProperty("totalIncome").GetInt64());
        Assert.Equal("taxable", body.GetProperty("status").GetString());
        Assert.Equal(subject, result.Information.Subject);

        var entry = Assert.Single(ward.Entries()).Entry;
        Assert.Equal(OperationAction.LinkageRequested, entry.Action);
        Assert.Equal(OperationResult.Success, entry.Result);
        Assert.Equal("kodomo01", entry.StaffId);
        Assert.Equal("child-allowance", entry.AffairCode);
        Assert.Equal(subject.ToInt64(), entry.SubjectAddresseeNumber);
        Assert.Contains("individual-residence-tax", entry.Detail);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_resident_register_provides_resident_records_without_numbers(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var subject = ward.AddresseeOf(4);
        var resident = ward.Resident(4);

        var result = Linkage(ward).Request(ward.Clerk("child-allowance"), "child-allowance", "resident-register", "resident-record", subject, Today);

        Assert.True(result.Allowed, result.Message);
        var body = result.Information!.Body;
        Assert.Equal(resident.HouseholdNumber, body.GetProperty("householdNumber").GetString());
        Assert.Equal(4, body.GetProperty("household").GetArrayLength());
        var text = body.GetRawText();
        Assert.DoesNotContain(resident.IndividualNumber!.Value.Digits, text);
        Assert.DoesNotContain(resident.ResidentCode.Digits, text);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Without_a_policy_row_the_request_is_refused_with_the_reason_and_logged(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var subject = ward.AddresseeOf(1);
        var linkage = Linkage(ward);
        var clerk = ward.Clerk("child-allowance");

        var noRow = linkage.Request(clerk, "child-allowance", "public-assistance", "public-assistance", subject, Today);
        var notNumberUse = linkage.Request(ward.Clerk("library"), "library", "individual-residence-tax", "local-tax", subject, Today);
        var otherSystem = linkage.Request(clerk, "childcare", "individual-residence-tax", "local-tax", subject, Today);
        var noAffair = linkage.Request(ward.Clerk(null), "child-allowance", "individual-residence-tax", "local-tax", subject, Today);
        var notHeld = linkage.Request(clerk, "child-allowance", "nursing-care-insurance", "local-tax", subject, Today);
        var auditor = linkage.Request(ward.Auditor(), "child-allowance", "individual-residence-tax", "local-tax", subject, Today);
        var beforeOrdinance = linkage.Request(clerk, "child-allowance", "individual-residence-tax", "local-tax", subject, new DateOnly(2015, 12, 31));

        Assert.Equal(IntraMunicipalLinkageDecision.NoSuchRow, noRow.ReasonCode);
        Assert.Contains("定めがありません", noRow.Message);
        Assert.Equal(IntraMunicipalLinkageDecision.NotNumberUse, notNumberUse.ReasonCode);
        Assert.Equal(IntraMunicipalLinkageDecision.AffairOfOtherSystem, otherSystem.ReasonCode);
        Assert.Equal(LinkageResult.NoAffairChosen, noAffair.ReasonCode);
        Assert.Equal(IntraMunicipalLinkageDecision.NotHeldByProvider, notHeld.ReasonCode);
        Assert.Equal(NumberVisibilityDecision.RoleWithoutNumbers, auditor.ReasonCode);
        Assert.NotEqual(IntraMunicipalLinkageDecision.Allow, beforeOrdinance.ReasonCode);
        var all = new[] { noRow, notNumberUse, otherSystem, noAffair, notHeld, auditor, beforeOrdinance };
        Assert.All(all, r => { Assert.False(r.Allowed); Assert.Null(r.Information); });

        var entries = ward.Entries();
        Assert.Equal(7, entries.Count);
        Assert.All(entries, e =>
        {
            Assert.Equal(OperationAction.LinkageRefused, e.Entry.Action);
            Assert.Equal(OperationResult.Refused, e.Entry.Result);
            Assert.Equal(subject.ToInt64(), e.Entry.SubjectAddresseeNumber);
        });
        Assert.Contains(IntraMunicipalLinkageDecision.NoSuchRow, entries[0].Entry.Detail);
        Assert.Equal("library", entries[1].Entry.AffairCode);
        Assert.Contains(IntraMunicipalLinkageDecision.NotNumberUse, entries[1].Entry.Detail);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void An_allowed_request_for_someone_the_provider_does_not_know_is_answered_empty(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var result = Linkage(ward).Request(ward.Clerk("ord-child-upbringing-allowance"), "child-allowance", "individual-residence-tax", "local-tax",
            ward.AddresseeOf(3), Today);

        Assert.True(result.Allowed);
        Assert.Null(result.Information);
        Assert.Contains("該当なし", Assert.Single(ward.Entries()).Entry.Detail);
    }
}
