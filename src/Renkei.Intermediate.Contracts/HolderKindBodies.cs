namespace Renkei.Intermediate.Contracts;

/// <summary>
/// Codes of the information kinds the other information holders provide (policy/intermediate/information-kinds.json):
/// the pension organisation (日本年金機構) and medical insurers (健康保険組合 …). Kept beside
/// <see cref="InformationKindCodes"/> (the municipality's kinds).
/// </summary>
public static class HolderInformationKindCodes
{
    /// <summary>年金給付関係情報</summary>
    public const string PensionBenefit = "pension-benefit";
    /// <summary>医療保険資格関係情報</summary>
    public const string HealthInsuranceQualification = "health-insurance-qualification";
}

/// <summary>年金の種類.</summary>
public enum PensionType
{
    /// <summary>老齢</summary>
    OldAge,
    /// <summary>障害</summary>
    Disability,
    /// <summary>遺族</summary>
    Survivor,
}

/// <summary>The pension scheme a benefit is paid from.</summary>
public enum PensionScheme
{
    /// <summary>基礎年金 (国民年金)</summary>
    Basic,
    /// <summary>厚生年金</summary>
    Employees,
}

/// <summary>One public pension a person has the right to (年金給付).</summary>
/// <param name="DisabilityGrade">障害等級 1–3 for disability pensions (3 only in the employees' scheme); null otherwise.</param>
/// <param name="AnnualAmount">年金額 (yen per year) for <see cref="PensionBenefitBody.AmountFiscalYear"/>.</param>
/// <param name="RightAcquiredOn">受給権発生日.</param>
/// <param name="PaymentFrom">支給開始月: the first day of the month after the right arose.</param>
/// <param name="PaymentUntil">支給終了月: the first day of the month in which the right ended (失権); null while it lasts.</param>
/// <param name="Suspended">全額支給停止 (e.g. a working pensioner's 在職老齢年金, or a survivor's pension while another is paid).</param>
/// <param name="SuspendedFrom">支給停止の始期; null unless suspended.</param>
public sealed record PensionBenefitItem(
    PensionType PensionType,
    PensionScheme Scheme,
    int? DisabilityGrade,
    long AnnualAmount,
    DateOnly RightAcquiredOn,
    DateOnly PaymentFrom,
    DateOnly? PaymentUntil,
    bool Suspended,
    DateOnly? SuspendedFrom);

/// <summary>
/// 年金給付関係情報 as the pension organisation provides it: every benefit the person has (had) the right to, and the total
/// paid per year (suspended and ended benefits excluded). No basic pension number and none of the four basic facts.
/// </summary>
/// <param name="AmountFiscalYear">The fiscal year the amounts are for (amounts are revised every April).</param>
public sealed record PensionBenefitBody(int AmountFiscalYear, long TotalAnnualAmount, IReadOnlyList<PensionBenefitItem> Benefits);

/// <summary>保険者の種別.</summary>
public enum InsurerType
{
    /// <summary>健康保険組合</summary>
    HealthInsuranceSociety,
    /// <summary>全国健康保険協会 (協会けんぽ)</summary>
    JapanHealthInsuranceAssociation,
    /// <summary>共済組合</summary>
    MutualAidAssociation,
    /// <summary>船員保険</summary>
    SeamensInsurance,
}

/// <summary>被保険者 or 被扶養者 of an employee health insurance.</summary>
public enum HealthInsuranceMemberCategory
{
    /// <summary>被保険者</summary>
    Insured,
    /// <summary>被扶養者</summary>
    Dependant,
}

/// <summary>資格喪失事由.</summary>
public enum QualificationLossReason
{
    /// <summary>退職</summary>
    Retirement,
    /// <summary>死亡</summary>
    Death,
    /// <summary>後期高齢者医療制度へ移行 (75 years)</summary>
    LateElderlyMedicalCare,
    /// <summary>転出・他の保険者へ (e.g. a new employer with another insurer)</summary>
    Transfer,
    /// <summary>被扶養者でなくなった (own income, own insurance …)</summary>
    DependencyEnded,
    /// <summary>被保険者の資格喪失に伴う (a dependant loses with the insured person)</summary>
    InsuredLost,
    /// <summary>その他</summary>
    Other,
}

/// <summary>
/// 医療保険資格関係情報: the person's latest qualification at the insurer. A lost qualification carries the loss date
/// (資格喪失日, the day after retirement) and reason, which is what a municipality's national health insurance needs instead
/// of a 資格喪失証明書. No insurance card symbol or number and none of the four basic facts.
/// </summary>
/// <param name="InsurerNumber">保険者番号 (8 digits).</param>
/// <param name="AcquiredOn">資格取得日.</param>
/// <param name="LostOn">資格喪失日; null while qualified.</param>
/// <param name="LossReason">喪失事由; null while qualified.</param>
public sealed record HealthInsuranceQualificationBody(
    InsurerType InsurerType,
    string InsurerNumber,
    HealthInsuranceMemberCategory InsuredCategory,
    DateOnly AcquiredOn,
    DateOnly? LostOn,
    QualificationLossReason? LossReason);
