using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>Care need certification (要介護認定).</summary>
public enum CareLevel
{
    None = 0,
    Support1 = 1,
    Support2 = 2,
    Care1 = 3,
    Care2 = 4,
    Care3 = 5,
    Care4 = 6,
    Care5 = 7,
}

public static class CareLevels
{
    public static string ToJapanese(this CareLevel level) => level switch
    {
        CareLevel.None => "非該当",
        CareLevel.Support1 => "要支援1",
        CareLevel.Support2 => "要支援2",
        CareLevel.Care1 => "要介護1",
        CareLevel.Care2 => "要介護2",
        CareLevel.Care3 => "要介護3",
        CareLevel.Care4 => "要介護4",
        CareLevel.Care5 => "要介護5",
        _ => level.ToString(),
    };
}

/// <summary>What decides a first-category insured person's premium stage.</summary>
/// <param name="PensionAndOtherIncome">public pension income plus other total income (課税年金収入額＋その他の合計所得金額)</param>
public sealed record NursingCarePremiumInput(bool PublicAssistance, bool HouseholdTaxable, bool SelfTaxable, long PensionAndOtherIncome, long TotalIncome);

/// <summary>
/// Simplified first-category premium rules (介護保険料, 第1号被保険者), the national standard of nine stages with the
/// FY2024 (令和6年度) ratios after the low-income reduction; the demo base premium is 76,800 yen a year (6,400 a month):
/// <list type="table">
/// <item>1 (×0.285): public assistance, or household non-taxable and pension+other income ≤ 800,000</item>
/// <item>2 (×0.485): household non-taxable, ≤ 1,200,000</item>
/// <item>3 (×0.685): household non-taxable, above</item>
/// <item>4 (×0.9): household taxable, self non-taxable, ≤ 800,000</item>
/// <item>5 (×1.0, base): household taxable, self non-taxable, above</item>
/// <item>6 (×1.2), 7 (×1.3), 8 (×1.5), 9 (×1.7): self taxable with total income &lt; 1.2M, &lt; 2.1M, &lt; 3.2M, and above</item>
/// </list>
/// Annual premiums are rounded down to 100 yen. The ward's own finer stages are not modelled.
/// </summary>
public static class NursingCarePremiumRules
{
    public const long BaseAnnualPremium = 76_800;
    private static readonly decimal[] Ratios = [0.285m, 0.485m, 0.685m, 0.9m, 1.0m, 1.2m, 1.3m, 1.5m, 1.7m];

    /// <summary>First category: 65 and over (第1号被保険者). Second category: 40–64 on a health insurance (第2号).</summary>
    public const int FirstCategoryAge = 65;
    public const int SecondCategoryAge = 40;

    public static int Stage(NursingCarePremiumInput input)
    {
        if (input.PublicAssistance) return 1;
        if (!input.HouseholdTaxable)
            return input.PensionAndOtherIncome <= 800_000 ? 1 : input.PensionAndOtherIncome <= 1_200_000 ? 2 : 3;
        if (!input.SelfTaxable) return input.PensionAndOtherIncome <= 800_000 ? 4 : 5;
        return input.TotalIncome < 1_200_000 ? 6 : input.TotalIncome < 2_100_000 ? 7 : input.TotalIncome < 3_200_000 ? 8 : 9;
    }

    public static long AnnualPremium(int stage) =>
        stage is < 1 or > 9 ? throw new ArgumentOutOfRangeException(nameof(stage)) : (long)(BaseAnnualPremium * Ratios[stage - 1]) / 100 * 100;
}

/// <summary>An insured person: category 1 (65+) with a premium, or category 2 (40–64) with a care certification.</summary>
public sealed record NursingCareInsured(IntegratedAddresseeNumber Subject, int Category, DateOnly QualifiedOn, CareLevel CareLevel, int FiscalYear, int? PremiumStage, long AnnualPremium);

/// <summary>The 介護保険関係情報 body provided to other systems.</summary>
public sealed record NursingCareInformation(int Category, DateOnly QualifiedOn, CareLevel CareLevel, string CareLevelName, int FiscalYear, int? PremiumStage, long AnnualPremium);

/// <summary>
/// The nursing-care insurance system (介護保険システム, tables <c>ltc_*</c>): first-category insured (65+) with premium stage
/// and annual premium from tax status, and care-level certifications (second-category insured, 40–64, appear only when
/// certified). Serves <c>nursing-care-insurance</c> and <c>ord-care-burden-reduction</c>; provides
/// <c>nursing-care-insurance</c>. Numbers are kept 5 years after the loss of qualification.
/// </summary>
public sealed class NursingCareInsuranceSystem(AddresseeSystem addressee, RetentionPolicy? retention = null)
    : BusinessSystemStore(addressee, Code, "ltc_", retention ?? DefaultRetention)
{
    public const string Code = "nursing-care-insurance";
    public const string Kind = "nursing-care-insurance";
    public static readonly RetentionPolicy DefaultRetention = new(5);

    public override string Name => "介護保険システム";
    public override IReadOnlyList<string> InformationKinds { get; } = [Kind];

    public long Import(IEnumerable<NursingCareInsured> insured)
    {
        var list = insured.ToList();
        foreach (var i in list)
            if (i.Category is not (1 or 2)) throw new BusinessSystemException(BusinessSystemException.InvalidInput, "被保険者区分は1号か2号です");
        return Database.InTransaction((connection, transaction) =>
        {
            var ids = EnrolMany(connection, transaction, list.Select(i => (i.Subject, i.QualifiedOn)).ToList());
            using var insert = BulkInsert.Begin(connection, "ltc_insured",
                "person_id", "category", "qualified_on", "care_level", "fiscal_year", "premium_stage", "annual_premium");
            foreach (var i in list)
                insert.Row(ids[i.Subject.ToInt64()], (long)i.Category, Dates.Format(i.QualifiedOn), (long)i.CareLevel, (long)i.FiscalYear,
                    i.PremiumStage is { } s ? (long)s : null, i.AnnualPremium);
            insert.Complete();
            return insert.Rows;
        });
    }

    public NursingCareInsured? Insured(IntegratedAddresseeNumber subject)
    {
        using var connection = Database.Open();
        using var command = connection.Command("""
            SELECT i.category, i.qualified_on, i.care_level, i.fiscal_year, i.premium_stage, i.annual_premium
            FROM ltc_insured i JOIN ltc_persons p ON p.person_id = i.person_id WHERE p.addressee_number = @a AND i.lost_on IS NULL
            """).With("@a", subject.ToInt64());
        using var r = command.ExecuteReader();
        if (!r.Read()) return null;
        return new NursingCareInsured(subject, (int)r.GetInt64(0), Dates.Parse(r.GetString(1)), (CareLevel)r.GetInt64(2), (int)r.GetInt64(3),
            r.IsDBNull(4) ? null : (int)r.GetInt64(4), r.GetInt64(5));
    }

    protected override void OnRelationshipEnded(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        IntegratedAddresseeNumber addressee, DateOnly endedOn) =>
        connection.Command("UPDATE ltc_insured SET lost_on = @d WHERE lost_on IS NULL AND person_id = (SELECT person_id FROM ltc_persons WHERE addressee_number = @a)", transaction)
            .With("@d", Dates.Format(endedOn)).With("@a", addressee.ToInt64()).ExecuteNonQuery();

    public override ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf)
    {
        RequireKind(informationKind);
        var i = Insured(subject);
        return i is null ? null : Information(Kind, subject, asOf,
            new NursingCareInformation(i.Category, i.QualifiedOn, i.CareLevel, i.CareLevel.ToJapanese(), i.FiscalYear, i.PremiumStage, i.AnnualPremium));
    }
}
