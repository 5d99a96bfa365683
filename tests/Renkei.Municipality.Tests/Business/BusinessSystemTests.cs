using Renkei.Municipality.Affairs;
using Renkei.Municipality.Business;
using Renkei.Municipality.Tests.Addressee;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Business;

public class BusinessRulesTests
{
    [Fact]
    public void Residence_tax_follows_the_non_taxable_limits_of_the_23_wards()
    {
        // Single: per-capita limit 450,000; income-levy limit 450,000.
        Assert.Equal(ResidenceTaxStatus.NonTaxable, ResidenceTaxRules.Assess(2024, new(450_000, 0, false, 0, 0, 0)).Status);
        Assert.Equal(ResidenceTaxStatus.PerCapitaOnly, ResidenceTaxRules.Assess(2024, new(451_000, 0, false, 0, 0, 0)).Status); // levy under the credit
        Assert.Equal(ResidenceTaxStatus.Taxable, ResidenceTaxRules.Assess(2024, new(1_000_000, 0, false, 0, 0, 0)).Status);
        // Couple with one child under 16 (n = 3): per-capita limit 1,360,000, income-levy limit 1,470,000.
        Assert.Equal(ResidenceTaxStatus.NonTaxable, ResidenceTaxRules.Assess(2024, new(1_360_000, 0, true, 0, 0, 1)).Status);
        Assert.Equal(ResidenceTaxStatus.PerCapitaOnly, ResidenceTaxRules.Assess(2024, new(1_400_000, 0, true, 0, 0, 1)).Status);
        Assert.Equal(ResidenceTaxStatus.Taxable, ResidenceTaxRules.Assess(2024, new(1_500_000, 0, true, 0, 0, 1)).Status);

        var a = ResidenceTaxRules.Assess(2024, new(5_000_000, 700_000, true, 1, 1, 0));
        Assert.Equal(5_000_000 - 430_000 - 700_000 - 330_000 - 330_000 - 450_000, a.TaxableIncome);
        Assert.Equal(a.TaxableIncome / 10 - 2_500, a.IncomeLevy);
        Assert.Equal(5_000, a.PerCapitaLevy);
        Assert.Equal(2, a.Dependants);
        Assert.Throws<BusinessSystemException>(() => ResidenceTaxRules.Assess(2024, new(-1, 0, false, 0, 0, 0)));
        Assert.Equal(2025, ResidenceTaxRules.FiscalYearOf(new DateOnly(2026, 3, 31)));
        Assert.Equal(2026, ResidenceTaxRules.FiscalYearOf(new DateOnly(2026, 4, 1)));
    }

    [Fact]
    public void Child_allowance_amounts_follow_the_rules_in_force_on_the_day()
    {
        var day = new DateOnly(2025, 1, 1);
        var births = new[] { new DateOnly(2008, 6, 1), new DateOnly(2012, 1, 1), new DateOnly(2023, 5, 5), new DateOnly(2006, 1, 1) };
        var after = ChildAllowanceRules.Amounts(births, day);
        // 19 is counted (third-child rate counts to 22) but not paid: 16 → 2nd, 10,000; 13 → 3rd, 30,000; 1 → 4th, 30,000.
        Assert.Equal([(2, 10_000L), (3, 30_000L), (4, 30_000L)], after.Select(c => (c.Order, c.MonthlyAmount)));
        var before = ChildAllowanceRules.Amounts(births, new DateOnly(2024, 9, 30));
        Assert.Equal([10_000L, 15_000L], before.Select(c => c.MonthlyAmount)); // under 15 only: 12 → 10,000; 1 → 15,000
        Assert.Empty(ChildAllowanceRules.Amounts([new DateOnly(2000, 1, 1)], day));
    }

    [Theory]
    // Paid until the first 31 March on or after reaching 18; one reaches an age the day before the birthday.
    [InlineData("2007-04-02", "2026-03-31", true)]  // reaches 18 on 2025-04-01 → paid through 2026-03-31
    [InlineData("2007-04-02", "2026-04-01", false)]
    [InlineData("2007-04-01", "2025-03-31", true)]  // reaches 18 on 2025-03-31 → paid through that day
    [InlineData("2007-04-01", "2025-04-01", false)]
    [InlineData("2008-12-06", "2026-12-06", true)]  // 18 today and still in 高校3年生
    [InlineData("2009-06-01", "2024-09-30", true)]  // before the reform: 中学3年生 (the first 31 March after 15 is 2025-03-31)
    [InlineData("2008-06-01", "2024-09-30", false)] // before the reform: past the first 31 March after 15
    [InlineData("2008-06-01", "2024-10-01", true)]  // from the reform: a 16-year-old counts again
    public void A_child_is_paid_for_until_the_first_31_March_after_reaching_18(string birth, string day, bool paid)
    {
        Assert.Equal(paid, ChildAllowanceRules.Counts(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Under_three_lasts_to_the_end_of_the_month_of_the_third_birthday_and_the_third_child_counts_siblings_to_22()
    {
        var day = new DateOnly(2026, 12, 6);
        // Reaches 3 on 2026-12-14 (born 2023-12-15): still 15,000 in December; born 2023-11-15: 10,000 from December.
        Assert.Equal(15_000L, ChildAllowanceRules.Amounts([new DateOnly(2023, 12, 15)], day).Single().MonthlyAmount);
        Assert.Equal(10_000L, ChildAllowanceRules.Amounts([new DateOnly(2023, 11, 15)], day).Single().MonthlyAmount);
        // Two students of 21 and 20 (counted, not paid) make a 10-year-old the third child: 30,000.
        var family = ChildAllowanceRules.Amounts([new DateOnly(2005, 5, 1), new DateOnly(2006, 5, 1), new DateOnly(2016, 5, 1)], day);
        Assert.Equal([(3, 30_000L)], family.Select(c => (c.Order, c.MonthlyAmount)));
        // A sibling past the first 31 March after 22 no longer counts: the 10-year-old is the second child.
        var older = ChildAllowanceRules.Amounts([new DateOnly(2003, 5, 1), new DateOnly(2006, 5, 1), new DateOnly(2016, 5, 1)], day);
        Assert.Equal([(2, 10_000L)], older.Select(c => (c.Order, c.MonthlyAmount)));
    }

    [Fact]
    public void Nursing_care_premium_stage_follows_tax_status_and_income()
    {
        Assert.Equal(1, NursingCarePremiumRules.Stage(new(true, true, true, 9_000_000, 9_000_000)));
        Assert.Equal(1, NursingCarePremiumRules.Stage(new(false, false, false, 800_000, 0)));
        Assert.Equal(3, NursingCarePremiumRules.Stage(new(false, false, false, 1_300_000, 0)));
        Assert.Equal(5, NursingCarePremiumRules.Stage(new(false, true, false, 900_000, 100_000)));
        Assert.Equal(9, NursingCarePremiumRules.Stage(new(false, true, true, 5_000_000, 4_000_000)));
        Assert.Equal(76_800, NursingCarePremiumRules.AnnualPremium(5));
        Assert.Equal(21_800, NursingCarePremiumRules.AnnualPremium(1));
    }

    [Fact]
    public void National_health_insurance_reduces_low_income_households_and_caps_high_ones()
    {
        var poor = NationalHealthInsuranceRules.HouseholdPremium([new(Addressee(1), 70, 400_000)]);
        var rich = NationalHealthInsuranceRules.HouseholdPremium([new(Addressee(1), 50, 50_000_000)]);
        Assert.Equal(70, poor.ReductionPercent);
        Assert.Equal((47_300 * 3 / 10 + 16_800 * 3 / 10) / 100 * 100, poor.AnnualPremium);
        Assert.Equal(0, rich.ReductionPercent);
        Assert.Equal(650_000 + 240_000 + 170_000, rich.AnnualPremium);
        Assert.Equal(rich.AnnualPremium, rich.MemberPremiums.Sum());
    }

    [Fact]
    public void Public_assistance_pays_the_standard_less_income()
    {
        var single = PublicAssistanceRules.MonthlyAmount([70], 0, new HashSet<AidType> { AidType.Living, AidType.Housing, AidType.Medical });
        Assert.Equal(43_000 + 28_000 + 53_700, single);
        Assert.Equal(single - 50_000, PublicAssistanceRules.MonthlyAmount([70], 50_000, new HashSet<AidType> { AidType.Living, AidType.Housing }));
        Assert.Equal(0, PublicAssistanceRules.MonthlyAmount([30], 1_000_000, new HashSet<AidType> { AidType.Living }));
    }

    private static Municipality.Addressee.IntegratedAddresseeNumber Addressee(long serial) => Municipality.Addressee.IntegratedAddresseeNumber.FromSerial(serial);
}

public class BusinessSystemTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_system_has_its_own_person_ids_linked_to_the_addressee_and_copies_the_number(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var parent = ward.AddresseeOf(0);
        var child = ward.AddresseeOf(2);
        var amounts = ChildAllowanceRules.Amounts([new DateOnly(2015, 1, 1)], WardFixture.Today);
        ward.Systems.ChildAllowance.Import([new ChildAllowanceAward(parent, ward.Resident(0).HouseholdNumber, new DateOnly(2024, 4, 1),
            [new ChildAllowanceChild(child, amounts[0].BirthDate, 1, amounts[0].MonthlyAmount)])]);
        ward.Systems.ResidenceTax.Import([new TaxpayerRecord(ward.AddresseeOf(1), new DateOnly(2020, 1, 1), [])]);
        ward.Systems.ResidenceTax.Import([new TaxpayerRecord(parent, new DateOnly(2020, 1, 1),
            [ResidenceTaxRules.Assess(2024, new(4_000_000, 500_000, true, 0, 0, 1))])]);

        var caPerson = ward.Systems.ChildAllowance.FindPerson(parent)!;
        var taxPerson = ward.Systems.ResidenceTax.FindPerson(parent)!;
        Assert.Equal(1, caPerson.PersonId);
        Assert.Equal(2, taxPerson.PersonId); // own ID space: the tax system enrolled someone else first
        Assert.True(caPerson.HoldsNumber);
        Assert.True(ward.Systems.ChildAllowance.FindPerson(child)!.HoldsNumber);
        Assert.Equal([new("child-allowance", 1), new("individual-residence-tax", 2)], ward.Addressee.Links(parent));
        Assert.Equal(parent, ward.Addressee.FindBySystemPerson("individual-residence-tax", 2));

        var info = ward.Systems.ChildAllowance.Provide(ChildAllowanceSystem.Kind, parent, WardFixture.Today)!;
        Assert.Equal(amounts[0].MonthlyAmount, info.Body.GetProperty("monthlyAmount").GetInt64());
        Assert.Equal(child.Digits, info.Body.GetProperty("childAddresseeNumbers")[0].GetString());
        Assert.True(ward.Systems.ChildAllowance.Provide(ChildAllowanceSystem.Kind, child, WardFixture.Today)!.Body.GetProperty("countedAsChild").GetBoolean());
        Assert.Null(ward.Systems.ChildAllowance.Provide(ChildAllowanceSystem.Kind, ward.AddresseeOf(5), WardFixture.Today));
        Assert.DoesNotContain(ward.Resident(0).IndividualNumber!.Value.Digits, info.Body.GetRawText());
        Assert.Throws<BusinessSystemException>(() => ward.Systems.ChildAllowance.Provide("local-tax", parent, WardFixture.Today));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Enrolling_an_unknown_addressee_is_refused_and_nothing_is_stored(string provider)
    {
        using var ward = new WardFixture(provider, residents: 4);
        var stranger = Municipality.Addressee.IntegratedAddresseeNumber.FromSerial(999_999);

        var e = Assert.Throws<BusinessSystemException>(() => ward.Systems.ResidenceTax.Import(
            [new TaxpayerRecord(ward.AddresseeOf(0), new DateOnly(2020, 1, 1), []), new TaxpayerRecord(stranger, new DateOnly(2020, 1, 1), [])]));

        Assert.Equal(BusinessSystemException.UnknownAddressee, e.Code);
        Assert.Equal(0, ward.Systems.ResidenceTax.CountPersons());
        Assert.Empty(ward.Addressee.Links(ward.AddresseeOf(0)));
    }

    [Fact]
    public void Every_business_system_is_a_system_of_the_catalogue_and_serves_its_affairs()
    {
        var catalogue = AffairCatalogue.LoadDefault();
        var policy = IntraMunicipalLinkagePolicy.LoadDefault();
        foreach (var (code, kind, affair) in new[]
        {
            (ResidenceTaxSystem.Code, ResidenceTaxSystem.LocalTax, "local-tax"),
            (ChildAllowanceSystem.Code, ChildAllowanceSystem.Kind, "child-allowance"),
            (NursingCareInsuranceSystem.Code, NursingCareInsuranceSystem.Kind, "nursing-care-insurance"),
            (NationalHealthInsuranceSystem.Code, NationalHealthInsuranceSystem.Kind, "national-health-insurance"),
            (PublicAssistanceSystem.Code, PublicAssistanceSystem.Kind, "public-assistance"),
        })
        {
            Assert.NotNull(catalogue.FindSystem(code));
            Assert.Equal(code, catalogue.Find(affair)!.System);
            if (policy.FindInformationKind(kind) is { } known) Assert.Contains(code, known.HeldBy);
        }
    }
}
