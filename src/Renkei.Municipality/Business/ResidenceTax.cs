using System.Data.Common;
using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

public enum ResidenceTaxStatus
{
    /// <summary>非課税: neither per-capita nor income levy.</summary>
    NonTaxable = 0,
    /// <summary>均等割のみ課税.</summary>
    PerCapitaOnly = 1,
    /// <summary>課税: per-capita and income levy.</summary>
    Taxable = 2,
}

/// <summary>What a residence-tax assessment starts from: the previous calendar year's total income (合計所得金額) and the family deductions.</summary>
/// <param name="GeneralDependants">dependants aged 16–18 or 23+ (一般扶養, 老人扶養 treated alike here)</param>
/// <param name="SpecifiedDependants">dependants aged 19–22 (特定扶養)</param>
/// <param name="DependantsUnder16">dependants under 16 (年少扶養: no deduction, but they count for the non-taxable limits)</param>
public sealed record ResidenceTaxInput(long TotalIncome, long SocialInsurancePremiums, bool SpouseDeduction, int GeneralDependants, int SpecifiedDependants, int DependantsUnder16);

/// <summary>One fiscal year's individual residence tax of one person (個人住民税, 特別区民税・都民税).</summary>
public sealed record ResidenceTaxAssessment(
    int FiscalYear,
    long TotalIncome,
    long BasicDeduction,
    long SocialInsuranceDeduction,
    long SpouseDeduction,
    long DependantDeduction,
    int Dependants,
    int DependantsUnder16,
    long TaxableIncome,
    long IncomeLevy,
    long PerCapitaLevy,
    ResidenceTaxStatus Status)
{
    public long TotalTax => IncomeLevy + PerCapitaLevy;
}

/// <summary>
/// Simplified rules of the special-ward residence tax (特別区民税・都民税), as in force for fiscal years from 2024 (令和6年度):
/// <list type="bullet">
/// <item>Tax for fiscal year Y is on income of calendar year Y−1, for people resident on 1 January of Y.</item>
/// <item>Deductions: basic 430,000 yen (total income ≤ 24M; 290,000 ≤ 24.5M; 150,000 ≤ 25M; none above), social insurance
/// premiums as paid, spouse 330,000 (own total income ≤ 10M), general dependant 330,000, specified dependant (19–22) 450,000,
/// none for dependants under 16.</item>
/// <item>Non-taxable limits for Tokyo's 23 wards (1級地), with n = 1 + spouse + all dependants: per-capita levy only if total
/// income &gt; 350,000·n + 100,000 (+ 210,000 when n &gt; 1); income levy only if &gt; 350,000·n + 100,000 (+ 320,000 when n &gt; 1).</item>
/// <item>Income levy: 10 % (ward 6 % + metropolis 4 %) of taxable income (rounded down to 1,000 yen) minus an adjustment
/// credit of 2,500 yen (a flat simplification of 調整控除), rounded down to 100 yen, never negative.</item>
/// <item>Per-capita levy: 5,000 yen (ward 3,000 + metropolis 1,000 + forest environment tax 1,000).</item>
/// </list>
/// Tax credits (住宅ローン控除, 配当控除 …) and separate taxation are left out.
/// </summary>
public static class ResidenceTaxRules
{
    public const long PerCapitaLevy = 5_000;
    public const long AdjustmentCredit = 2_500;

    /// <summary>The fiscal year (年度, April–March) a date falls in.</summary>
    public static int FiscalYearOf(DateOnly date) => date.Month >= 4 ? date.Year : date.Year - 1;

    public static ResidenceTaxAssessment Assess(int fiscalYear, ResidenceTaxInput input)
    {
        if (input.TotalIncome < 0 || input.SocialInsurancePremiums < 0 || input.GeneralDependants < 0 || input.SpecifiedDependants < 0 || input.DependantsUnder16 < 0)
            throw new BusinessSystemException(BusinessSystemException.InvalidInput, "所得・控除・扶養人数に負の値は使えません");
        var income = input.TotalIncome;
        var dependants = input.GeneralDependants + input.SpecifiedDependants;
        var n = 1 + (input.SpouseDeduction ? 1 : 0) + dependants + input.DependantsUnder16;

        var perCapitaLimit = 350_000L * n + 100_000 + (n > 1 ? 210_000 : 0);
        var incomeLimit = 350_000L * n + 100_000 + (n > 1 ? 320_000 : 0);

        var basic = income <= 24_000_000 ? 430_000L : income <= 24_500_000 ? 290_000L : income <= 25_000_000 ? 150_000L : 0L;
        var social = Math.Min(input.SocialInsurancePremiums, income);
        var spouse = input.SpouseDeduction && income <= 10_000_000 ? 330_000L : 0L;
        var dependant = 330_000L * input.GeneralDependants + 450_000L * input.SpecifiedDependants;
        var taxable = Math.Max(0, income - basic - social - spouse - dependant) / 1_000 * 1_000;

        var perCapita = income > perCapitaLimit ? PerCapitaLevy : 0;
        var incomeLevy = income > incomeLimit ? Math.Max(0, taxable / 10 - AdjustmentCredit) / 100 * 100 : 0;
        var status = perCapita == 0 && incomeLevy == 0 ? ResidenceTaxStatus.NonTaxable
            : incomeLevy == 0 ? ResidenceTaxStatus.PerCapitaOnly : ResidenceTaxStatus.Taxable;
        if (status == ResidenceTaxStatus.NonTaxable) incomeLevy = 0;
        return new ResidenceTaxAssessment(fiscalYear, income, basic, social, spouse, dependant, dependants, input.DependantsUnder16,
            taxable, incomeLevy, perCapita, status);
    }
}

/// <summary>A taxpayer to load: enrolled from <see cref="Since"/>, with one assessment per fiscal year.</summary>
public sealed record TaxpayerRecord(IntegratedAddresseeNumber Subject, DateOnly Since, IReadOnlyList<ResidenceTaxAssessment> Assessments);

/// <summary>The 地方税関係情報 body provided to other systems (no number, no name).</summary>
public sealed record LocalTaxInformation(int FiscalYear, long TotalIncome, long TaxableIncome, long IncomeLevy, long PerCapitaLevy,
    ResidenceTaxStatus Status, int Dependants, int DependantsUnder16);

/// <summary>
/// The individual residence tax system (個人住民税システム, tables <c>tax_*</c>): per person and fiscal year, income,
/// deductions, dependants, taxable income, income-based and per-capita levies and the taxable status, and the payments
/// received for each year's installments (収納, <c>tax_payments</c>: <see cref="Account"/>, <see cref="RecordPayment"/>). Serves the affair
/// <c>local-tax</c>; provides <c>local-tax</c> (地方税関係情報). Numbers are kept 7 years after the relationship ended
/// (the longest period in which a local-tax assessment can still be corrected, 地方税法第17条の5).
/// </summary>
public sealed partial class ResidenceTaxSystem(AddresseeSystem addressee, RetentionPolicy? retention = null)
    : BusinessSystemStore(addressee, Code, "tax_", retention ?? DefaultRetention)
{
    public const string Code = "individual-residence-tax";
    public const string LocalTax = "local-tax";
    public static readonly RetentionPolicy DefaultRetention = new(7);

    public override string Name => "個人住民税システム";
    public override IReadOnlyList<string> InformationKinds { get; } = [LocalTax];

    private const string Columns = "person_id, fiscal_year, total_income, basic_deduction, social_insurance_deduction, spouse_deduction, dependant_deduction, " +
        "dependants, dependants_under16, taxable_income, income_levy, per_capita_levy, status";

    /// <summary>Bulk load (one transaction): enrols the taxpayers and stores their assessments. Returns assessments stored.</summary>
    public long Import(IEnumerable<TaxpayerRecord> taxpayers)
    {
        var list = taxpayers.ToList();
        return Database.InTransaction((connection, transaction) =>
        {
            var ids = EnrolMany(connection, transaction, list.Select(t => (t.Subject, t.Since)).ToList());
            using var insert = BulkInsert.Begin(connection, "tax_assessments", Columns.Split(", "));
            foreach (var t in list)
                foreach (var a in t.Assessments) Row(insert, ids[t.Subject.ToInt64()], a);
            insert.Complete();
            return insert.Rows;
        });
    }

    /// <summary>Stores (or replaces) one assessment, enrolling the person if new; queued for the intermediate server.</summary>
    public void Record(IntegratedAddresseeNumber subject, DateOnly since, ResidenceTaxAssessment assessment) =>
        Database.InTransaction((connection, transaction) =>
        {
            var person = Enrol(connection, transaction, subject, since);
            connection.Command("DELETE FROM tax_assessments WHERE person_id = @p AND fiscal_year = @y", transaction)
                .With("@p", person).With("@y", (long)assessment.FiscalYear).ExecuteNonQuery();
            using (var insert = BulkInsert.Begin(connection, "tax_assessments", Columns.Split(", ")))
            {
                Row(insert, person, assessment);
                insert.Complete();
            }
            Changed(connection, transaction, subject);
        });

    private static void Row(BulkInsert insert, long person, ResidenceTaxAssessment a) =>
        insert.Row(person, (long)a.FiscalYear, a.TotalIncome, a.BasicDeduction, a.SocialInsuranceDeduction, a.SpouseDeduction, a.DependantDeduction,
            (long)a.Dependants, (long)a.DependantsUnder16, a.TaxableIncome, a.IncomeLevy, a.PerCapitaLevy, (long)a.Status);

    /// <summary>The assessment of a fiscal year, or null.</summary>
    public ResidenceTaxAssessment? Assessment(IntegratedAddresseeNumber subject, int fiscalYear) =>
        Read("AND a.fiscal_year = @y", subject, fiscalYear);

    /// <summary>The newest assessment for a fiscal year up to the one <paramref name="asOf"/> falls in, or null.</summary>
    public ResidenceTaxAssessment? Latest(IntegratedAddresseeNumber subject, DateOnly asOf) =>
        Read("AND a.fiscal_year <= @y", subject, ResidenceTaxRules.FiscalYearOf(asOf));

    private ResidenceTaxAssessment? Read(string condition, IntegratedAddresseeNumber subject, int fiscalYear)
    {
        using var connection = Database.Open();
        using var command = connection.Command($"""
            SELECT a.fiscal_year, a.total_income, a.basic_deduction, a.social_insurance_deduction, a.spouse_deduction, a.dependant_deduction,
                   a.dependants, a.dependants_under16, a.taxable_income, a.income_levy, a.per_capita_levy, a.status
            FROM tax_assessments a JOIN tax_persons p ON p.person_id = a.person_id
            WHERE p.addressee_number = @s {condition} ORDER BY a.fiscal_year DESC LIMIT 1
            """).With("@s", subject.ToInt64()).With("@y", (long)fiscalYear);
        using var r = command.ExecuteReader();
        if (!r.Read()) return null;
        return new ResidenceTaxAssessment((int)r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5),
            (int)r.GetInt64(6), (int)r.GetInt64(7), r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), (ResidenceTaxStatus)r.GetInt64(11));
    }

    public override ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf)
    {
        RequireKind(informationKind);
        var a = Latest(subject, asOf);
        return a is null ? null : Information(LocalTax, subject, asOf,
            new LocalTaxInformation(a.FiscalYear, a.TotalIncome, a.TaxableIncome, a.IncomeLevy, a.PerCapitaLevy, a.Status, a.Dependants, a.DependantsUnder16));
    }
}
