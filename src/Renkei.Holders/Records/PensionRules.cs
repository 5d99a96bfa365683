using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Records;

/// <summary>
/// The shape a pension record must have, and the amounts the demo uses. Amounts are modelled on FY2025 (令和7年度):
/// the full old-age basic pension 831,700 yen a year (829,300 for people born before 2 April 1956), the disability basic
/// pension grade 1 at 1.25 times that and grade 2 equal to it, the child addition 239,300 yen for each of the first two
/// children, and the minimum employees' disability pension of grade 3 623,800 yen. A pension is paid from the month after
/// the right arose (受給権発生の翌月分から) to the month in which it ends (失権した月分まで).
/// </summary>
public static class PensionRules
{
    public const long FullBasicPension = 831_700;
    public const long FullBasicPensionBornBefore1956April2 = 829_300;
    public const long ChildAddition = 239_300;
    public const long EmployeesDisabilityGrade3Minimum = 623_800;
    public const int FullContributionMonths = 480;
    public const int MaxBenefits = 20;
    public const long MaxAnnualAmount = 100_000_000;
    public const int BasicPensionNumberLength = 10;

    /// <summary>The old-age basic pension for <paramref name="contributionMonths"/> of 480, in yen (rounded to the yen).</summary>
    public static long OldAgeBasic(DateOnly birthDate, int contributionMonths)
    {
        var full = birthDate < new DateOnly(1956, 4, 2) ? FullBasicPensionBornBefore1956April2 : FullBasicPension;
        return (long)Math.Round(full * (decimal)Math.Clamp(contributionMonths, 0, FullContributionMonths) / FullContributionMonths, MidpointRounding.AwayFromZero);
    }

    /// <summary>The disability basic pension: grade 1 is 1.25 times the full basic pension, grade 2 equal to it, plus child additions.</summary>
    public static long DisabilityBasic(int grade, int children) =>
        (grade == 1 ? FullBasicPension * 5 / 4 : FullBasicPension) + ChildAddition * Math.Min(children, 2);

    /// <summary>The survivor's basic pension (paid to a spouse with children or to the children): the full amount plus child additions.</summary>
    public static long SurvivorBasic(int children) => FullBasicPension + ChildAddition * Math.Min(children, 2);

    /// <summary>The first day of the month after <paramref name="date"/>: when payment starts for a right that arose on that date.</summary>
    public static DateOnly PaymentStart(DateOnly date) => new DateOnly(date.Year, date.Month, 1).AddMonths(1);

    /// <summary>
    /// Checks a pension record and returns its basic pension number as ten digits. Throws a refusal that names the field
    /// and the rule (never the value).
    /// </summary>
    public static string Validate(PensionRecordRequest request)
    {
        if (request.RequestId == Guid.Empty) throw HolderRecords.Invalid("requestId: required (要求番号がありません)");
        var digits = DigitText.Normalize(request.BasicPensionNumber, out var error);
        if (digits is null || DigitText.CheckLength(digits, BasicPensionNumberLength) is not null)
            throw HolderRecords.Invalid($"basicPensionNumber: {BasicPensionNumberLength} digits (基礎年金番号は10桁です)"
                + (error is null ? "" : "; " + error.Message));
        if (request.AmountFiscalYear is < 2000 or > 2100)
            throw HolderRecords.Invalid("amountFiscalYear: between 2000 and 2100 (年度が正しくありません)");
        var benefits = request.Benefits ?? throw HolderRecords.Invalid("benefits: required, possibly empty (年金給付がありません)");
        if (benefits.Count > MaxBenefits) throw HolderRecords.Invalid($"benefits: at most {MaxBenefits} (年金給付が多すぎます)");
        for (var i = 0; i < benefits.Count; i++)
        {
            var b = benefits[i] ?? throw HolderRecords.Invalid($"benefits[{i}]: missing (年金給付がありません)");
            var at = $"benefits[{i}]";
            if (!Enum.IsDefined(b.PensionType)) throw HolderRecords.Invalid($"{at}.pensionType: oldAge, disability or survivor (年金の種類が正しくありません)");
            if (!Enum.IsDefined(b.Scheme)) throw HolderRecords.Invalid($"{at}.scheme: basic or employees (制度が正しくありません)");
            if (b.PensionType == PensionType.Disability)
            {
                if (b.DisabilityGrade is not (1 or 2 or 3))
                    throw HolderRecords.Invalid($"{at}.disabilityGrade: 1, 2 or 3 for a disability pension (障害等級が正しくありません)");
                if (b.DisabilityGrade == 3 && b.Scheme != PensionScheme.Employees)
                    throw HolderRecords.Invalid($"{at}.disabilityGrade: grade 3 exists only in the employees' pension (3級は厚生年金のみです)");
            }
            else if (b.DisabilityGrade is not null)
                throw HolderRecords.Invalid($"{at}.disabilityGrade: only for a disability pension (障害年金以外に障害等級は不要です)");
            if (b.AnnualAmount is < 0 or > MaxAnnualAmount)
                throw HolderRecords.Invalid($"{at}.annualAmount: between 0 and {MaxAnnualAmount} yen (年金額が正しくありません)");
            if (b.PaymentFrom.Day != 1 || b.PaymentFrom < PaymentStart(b.RightAcquiredOn))
                throw HolderRecords.Invalid($"{at}.paymentFrom: the first day of a month after the right arose (支給開始月が正しくありません)");
            if (b.PaymentUntil is { } until && (until.Day != 1 || until < b.PaymentFrom))
                throw HolderRecords.Invalid($"{at}.paymentUntil: the first day of a month not before paymentFrom (支給終了月が正しくありません)");
            if (b.Suspended != b.SuspendedFrom.HasValue)
                throw HolderRecords.Invalid($"{at}.suspendedFrom: given exactly when the benefit is suspended (支給停止の始期が正しくありません)");
            if (b.SuspendedFrom is { } suspendedFrom && suspendedFrom < b.RightAcquiredOn)
                throw HolderRecords.Invalid($"{at}.suspendedFrom: before the right arose (支給停止の始期が受給権発生日より前です)");
            for (var j = 0; j < i; j++)
                if (benefits[j] is { } other && other.PensionType == b.PensionType && other.Scheme == b.Scheme && other.RightAcquiredOn == b.RightAcquiredOn)
                    throw HolderRecords.Invalid($"{at}: the same benefit as benefits[{j}] (同じ年金給付が重複しています)");
        }
        if (request.Person?.BirthDate is { } birth && benefits.Any(b => b.RightAcquiredOn < birth))
            throw HolderRecords.Invalid("benefits: a right arose before the birth date (受給権発生日が生年月日より前です)");
        return digits;
    }
}
