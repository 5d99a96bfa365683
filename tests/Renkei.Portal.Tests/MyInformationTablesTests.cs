using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.Documents;

namespace Renkei.Portal.Tests;

/// <summary>How わたしの情報 shows a provided body: known kinds with Japanese labels, yen and era dates; anything else as key/value rows.</summary>
public sealed class MyInformationTablesTests
{
    private static ProvidedInformation Info(string kind, object body, DateOnly? asOf = null) =>
        new(true, kind, asOf, 1, null, JsonSerializer.SerializeToElement(body, JsonDefaults.Options), null);

    private static InformationTable Render(ProvidedInformation information) =>
        InformationTables.Render(information.Kind, information.Body, information.AsOf, information.UpdatedAt);

    private static Dictionary<string, string> Rows(InformationTable table) => table.Rows.ToDictionary(r => r.Label, r => r.Value);

    [Fact]
    public void Local_tax_has_Japanese_labels_yen_and_the_fiscal_year_in_the_era()
    {
        var table = Render(Info("local-tax", new
        {
            fiscalYear = 2026, taxable = false, totalIncome = 1_234_567, totalDeductions = 430_000, taxableIncome = 804_567,
            incomeBasedTaxAmount = 0, perCapitaLevy = 0, dependantsCount = 1,
        }, asOf: new DateOnly(2026, 1, 1)));

        var rows = Rows(table);
        Assert.Equal("令和8年度", rows["賦課年度"]);
        Assert.Equal("非課税", rows["課税区分"]);
        Assert.Equal("1,234,567円", rows["総所得金額等"]);
        Assert.Equal("1人", rows["扶養親族の数"]);
        Assert.Equal("令和8年1月1日", rows["基準日"]);
        Assert.Equal("賦課年度", table.Rows[0].Label); // in the layout's order, not the JSON's
    }

    [Fact]
    public void Pension_benefits_are_nested_tables_with_months_and_types_in_Japanese()
    {
        var table = Render(Info("pension-benefit", new
        {
            amountFiscalYear = 2019,
            totalAnnualAmount = 780_100,
            benefits = new object[]
            {
                new
                {
                    pensionType = "oldAge", scheme = "basic", disabilityGrade = (int?)null, annualAmount = 780_100,
                    rightAcquiredOn = "2019-04-30", paymentFrom = "2019-05-01", paymentUntil = (string?)null, suspended = false, suspendedFrom = (string?)null,
                },
                new
                {
                    pensionType = "disability", scheme = "employees", disabilityGrade = 3, annualAmount = 600_000,
                    rightAcquiredOn = "1989-01-07", paymentFrom = "1989-02-01", paymentUntil = "2019-05-01", suspended = true, suspendedFrom = "2010-01-01",
                },
            },
        }));

        Assert.Equal("令和元年度", Rows(table)["年金額の年度"]);
        Assert.Equal(2, table.Tables.Count);
        var first = Rows(table.Tables[0]);
        Assert.Equal("老齢", first["年金の種類"]);
        Assert.Equal("基礎年金（国民年金）", first["制度"]);
        Assert.Equal("平成31年4月30日", first["受給権発生日"]);
        Assert.Equal("令和元年5月", first["支給開始月"]);
        Assert.Equal("—", first["支給終了月"]);
        var second = Rows(table.Tables[1]);
        Assert.Equal("3級", second["障害等級"]);
        Assert.Equal("昭和64年1月7日", second["受給権発生日"]);
        Assert.Equal("全額支給停止", second["支給停止"]);
        Assert.Equal("年金 2", table.Tables[1].Caption);
    }

    [Fact]
    public void Resident_record_shows_the_household_size_and_relationship_but_no_addressee_numbers()
    {
        var table = Render(Info("resident-record", new
        {
            householdNumber = "0000123", relationshipCode = 4, householdMemberAddresseeNumbers = new[] { 10_000_001L, 10_000_002L, 10_000_003L },
            status = "resident", movedInOn = "2026-03-15", movedOutOn = (string?)null,
        }));

        var rows = Rows(table);
        Assert.Equal("子", rows["続柄"]);
        Assert.Equal("3人", rows["世帯の人数"]);
        Assert.Equal("住民", rows["住民の状態"]);
        Assert.Equal("令和8年3月15日", rows["転入日"]);
        Assert.DoesNotContain(table.Rows, r => r.Value.Contains("10000001", StringComparison.Ordinal));
    }

    [Fact]
    public void Health_insurance_qualification_loss_is_readable()
    {
        var rows = Rows(Render(Info("health-insurance-qualification", new
        {
            insurerType = "healthInsuranceSociety", insurerNumber = "06139999", insuredCategory = "insured",
            acquiredOn = "2015-04-01", lostOn = "2026-04-01", lossReason = "retirement",
        })));

        Assert.Equal("健康保険組合", rows["保険者の種別"]);
        Assert.Equal("被保険者", rows["被保険者・被扶養者の別"]);
        Assert.Equal("令和8年4月1日", rows["資格喪失日"]);
        Assert.Equal("退職", rows["喪失事由"]);
    }

    [Fact]
    public void A_field_the_layout_does_not_know_is_still_shown()
    {
        var rows = Rows(Render(Info("child-allowance", new
        {
            eligible = true, childrenCount = 2, monthlyAmount = 25_000, periodFrom = "2026-04-01", periodTo = (string?)null, extraNote = "新設項目",
        })));

        Assert.Equal("あり", rows["受給資格"]);
        Assert.Equal("25,000円", rows["手当月額"]);
        Assert.Equal("新設項目", rows["extraNote"]);
    }

    [Fact]
    public void An_unknown_kind_is_a_generic_key_value_table()
    {
        Assert.False(InformationTables.IsKnown("disability-certificate"));
        var table = Render(Info("disability-certificate", new
        {
            grade = 2, issuedOn = "2020-10-01", valid = true, office = new { name = "福祉事務所", code = "A1" }, tags = new[] { "身体", "視覚" },
            history = new[] { new { on = "2021-01-01", action = "再認定" } },
        }));

        var rows = Rows(table);
        Assert.Equal("2", rows["grade"]);
        Assert.Equal("令和2年10月1日", rows["issuedOn"]);
        Assert.Equal("はい", rows["valid"]);
        Assert.Equal("福祉事務所", rows["office.name"]);
        Assert.Equal("身体、視覚", rows["tags"]);
        var history = Assert.Single(table.Tables);
        Assert.Equal("令和3年1月1日", Rows(history)["on"]);
        Assert.Equal("再認定", Rows(history)["action"]);
    }
}
