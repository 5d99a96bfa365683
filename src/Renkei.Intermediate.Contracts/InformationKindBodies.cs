using System.Text.Json;
using Renkei.Core.Json;

namespace Renkei.Intermediate.Contracts;

/// <summary>
/// Codes of the information kinds (情報の種類) the shipped schemas define (policy/intermediate/information-kinds.json).
/// They match the kind codes of the municipality's intra-linkage policy where both exist.
/// </summary>
public static class InformationKindCodes
{
    /// <summary>住民票関係情報</summary>
    public const string ResidentRecord = "resident-record";
    /// <summary>地方税関係情報</summary>
    public const string LocalTax = "local-tax";
    /// <summary>児童手当等関係情報</summary>
    public const string ChildAllowance = "child-allowance";
    /// <summary>介護保険関係情報</summary>
    public const string NursingCareInsurance = "nursing-care-insurance";
    /// <summary>国民健康保険関係情報</summary>
    public const string NationalHealthInsurance = "national-health-insurance";
    /// <summary>生活保護関係情報</summary>
    public const string PublicAssistance = "public-assistance";
}

/// <summary>
/// Typed bodies for the shipped kinds. <see cref="ToJson"/> gives the <see cref="CopyUpdate.Body"/>; the server
/// still validates it against the schema, which is the authority.
/// </summary>
public static class CopyBodies
{
    public static JsonElement ToJson<T>(T body) where T : notnull => JsonSerializer.SerializeToElement(body, JsonDefaults.Options);

    public static T FromJson<T>(JsonElement body) =>
        body.Deserialize<T>(JsonDefaults.Options) ?? throw new JsonException("the body is null");
}

/// <summary>
/// 地方税関係情報 (individual residence tax for one fiscal year). Amounts in yen.
/// </summary>
/// <param name="FiscalYear">賦課年度 (e.g. 2026 for the tax assessed in June 2026 on 2025's income).</param>
/// <param name="Taxable">課税 (true) or 非課税 (false).</param>
/// <param name="TotalIncome">総所得金額等.</param>
/// <param name="TotalDeductions">所得控除額の合計.</param>
/// <param name="TaxableIncome">課税標準額 (after deductions).</param>
/// <param name="IncomeBasedTaxAmount">所得割額.</param>
/// <param name="PerCapitaLevy">均等割額.</param>
/// <param name="DependantsCount">扶養親族の数.</param>
public sealed record LocalTaxBody(
    int FiscalYear,
    bool Taxable,
    long TotalIncome,
    long TotalDeductions,
    long TaxableIncome,
    long IncomeBasedTaxAmount,
    long PerCapitaLevy,
    int DependantsCount);

public enum ResidentStatus
{
    /// <summary>住民</summary>
    Resident,
    /// <summary>転出</summary>
    MovedOut,
    /// <summary>死亡</summary>
    Deceased,
    /// <summary>職権消除</summary>
    Erased,
}

/// <summary>
/// 住民票関係情報 as the network provides it: the household as addressee numbers and the relationship code, never
/// names, addresses or birth dates.
/// </summary>
/// <param name="HouseholdNumber">世帯番号, the municipality's own (digits).</param>
/// <param name="RelationshipCode">続柄 code (1 = head of household …).</param>
/// <param name="HouseholdMemberAddresseeNumbers">Integrated addressee numbers of everyone in the household, this person included.</param>
/// <param name="MovedInOn">The day the person became a resident here (転入日; for a birth, the birth date).</param>
/// <param name="MovedOutOn">転出日 (or the date of death / erasure for those statuses).</param>
/// <param name="UpdatedOn">更新日: the date of the register's last change to this person.</param>
/// <param name="MovedOutTo">転出先市町村: the destination's local government code, when the departure named one.</param>
public sealed record ResidentRecordBody(
    string HouseholdNumber,
    int RelationshipCode,
    IReadOnlyList<long> HouseholdMemberAddresseeNumbers,
    ResidentStatus Status,
    DateOnly? MovedInOn,
    DateOnly? MovedOutOn,
    DateOnly? UpdatedOn = null,
    string? MovedOutTo = null);

/// <summary>児童手当等関係情報.</summary>
/// <param name="Eligible">受給資格.</param>
/// <param name="ChildrenCount">支給対象児童数.</param>
/// <param name="MonthlyAmount">月額 (yen).</param>
public sealed record ChildAllowanceBody(bool Eligible, int ChildrenCount, long MonthlyAmount, DateOnly PeriodFrom, DateOnly? PeriodTo);

/// <summary>被保険者の区分: 第1号 (65 and over) or 第2号 (40–64 in a medical insurance).</summary>
public enum InsuredCategory
{
    First,
    Second,
}

/// <summary>要介護状態区分.</summary>
public enum CareLevel
{
    None,
    Support1,
    Support2,
    Care1,
    Care2,
    Care3,
    Care4,
    Care5,
}

/// <summary>介護保険関係情報.</summary>
/// <param name="PremiumStage">保険料段階 (1 …).</param>
/// <param name="CertifiedUntil">認定有効期間の終期; null without a certification.</param>
public sealed record NursingCareInsuranceBody(InsuredCategory InsuredCategory, CareLevel CareLevel, int PremiumStage, DateOnly? CertifiedUntil);

/// <summary>国民健康保険関係情報.</summary>
/// <param name="InsuredSince">資格取得日.</param>
/// <param name="InsuredUntil">資格喪失日; null while insured.</param>
/// <param name="HouseholdHead">世帯主.</param>
/// <param name="AnnualPremium">保険料（年額）, yen.</param>
public sealed record NationalHealthInsuranceBody(DateOnly InsuredSince, DateOnly? InsuredUntil, bool HouseholdHead, long AnnualPremium);

/// <summary>扶助の種類.</summary>
public enum AidType
{
    Livelihood,   // 生活扶助
    Housing,      // 住宅扶助
    Education,    // 教育扶助
    Medical,      // 医療扶助
    NursingCare,  // 介護扶助
    Maternity,    // 出産扶助
    Occupational, // 生業扶助
    Funeral,      // 葬祭扶助
}

/// <summary>生活保護関係情報.</summary>
/// <param name="Receiving">保護受給中.</param>
/// <param name="Since">保護開始日; null when not receiving.</param>
public sealed record PublicAssistanceBody(bool Receiving, DateOnly? Since, IReadOnlyList<AidType> AidTypes);
