using Renkei.Core.Dates;
using Renkei.Core.Pia;

namespace Renkei.Municipality.Pia;

/// <summary>An alert on a file's assessment: a stable <see cref="Code"/> for programs and a Japanese sentence for the privacy officer.</summary>
public sealed record PiaAlert(string FileCode, string Code, string Message)
{
    /// <summary>The live figures call for more than the published assessment declares (再評価が必要).</summary>
    public const string Reassess = "reassess";

    /// <summary>重要な変更: a contractor added, a linkage row of the file's affairs added or changed, or the file's system changed since the published version.</summary>
    public const string SignificantChange = "significant-change";

    /// <summary>5年経過前の再評価: more than 4 years 6 months since publication (due at 5 years).</summary>
    public const string FiveYears = "five-years";

    /// <summary>毎年度の点検: not recorded for the current fiscal year (shown from 1 October).</summary>
    public const string YearlyReview = "yearly-review";
}

/// <summary>
/// The alerts that keep an assessment true to the system (seed 000 §6: re-assessment before a significant change and within
/// 5 years of the last one, and the yearly review), computed from the live figures (<see cref="PiaAssessor"/>), the file's
/// published version and what it recorded (<see cref="PiaAssessments"/>), the contractor records and the linkage policy.
/// </summary>
public sealed class PiaAlerts(PiaAssessments assessments)
{
    /// <summary>The five-year alert starts this long after publication (half a year before it is due).</summary>
    public const int FiveYearWarningMonths = 54;

    /// <summary>
    /// The month of the fiscal year (October, its second half) from which a missing yearly review is an alert: half a year left
    /// to do it, and no alert on every file on 1 April when nobody could yet have done that year's review.
    /// </summary>
    public const int YearlyReviewFromMonth = 10;

    /// <summary>Every alert of every file of <paramref name="files"/>, in the files' order.</summary>
    public IReadOnlyList<PiaAlert> For(IEnumerable<PiaFileAssessment> files) => files.SelectMany(For).ToList();

    /// <summary>The alerts of one file (its figures as <see cref="PiaAssessor.Assess"/> computes them today).</summary>
    public IReadOnlyList<PiaAlert> For(PiaFileAssessment assessment)
    {
        ArgumentNullException.ThrowIfNull(assessment);
        var file = assessment.File;
        var alerts = new List<PiaAlert>();
        if (assessment.NeedsReassessment) alerts.Add(new PiaAlert(file.Code, PiaAlert.Reassess, assessment.FollowUp));
        if (assessments.Published(file.Code) is not { PublishedOn: { } publishedOn } published) return alerts;

        var changes = new List<string>();
        if (assessments.ContractorsThrough(file.Code) > published.ContractorsThrough) changes.Add("外部委託先の追加");
        if (assessments.LinkageFingerprint(file) != published.LinkageFingerprint) changes.Add("庁内連携の追加又は変更");
        if (file.System != published.SystemCode) changes.Add("システムの変更");
        if (changes.Count > 0)
            alerts.Add(new PiaAlert(file.Code, PiaAlert.SignificantChange,
                $"公表している評価書（第{published.Version}版）の後に重要な変更（{string.Join("、", changes)}）があります。変更の前に評価を再実施してください。"));

        var today = assessments.Today;
        var due = publishedOn.AddYears(5);
        if (today >= publishedOn.AddMonths(FiveYearWarningMonths))
            alerts.Add(new PiaAlert(file.Code, PiaAlert.FiveYears, today >= due
                ? $"評価書（第{published.Version}版）の公表から5年を経過しました（{JapaneseEraDate.Format(due)}）。直ちに評価を再実施してください。"
                : $"評価書（第{published.Version}版）の公表から{JapaneseEraDate.Format(due)}に5年を経過します。それまでに評価を再実施してください。"));

        var year = PiaAssessments.FiscalYear(today);
        var publishedThisYear = PiaAssessments.FiscalYear(publishedOn) == year;
        if (!publishedThisYear && today >= new DateOnly(year, YearlyReviewFromMonth, 1) && assessments.YearlyReviews(file.Code).All(r => r.FiscalYear != year))
            alerts.Add(new PiaAlert(file.Code, PiaAlert.YearlyReview,
                $"{FiscalYearName(year)}の評価書の点検（毎年度の点検）が記録されていません。{JapaneseEraDate.Format(new DateOnly(year + 1, 3, 31))}までに実施してください。"));
        return alerts;
    }

    /// <summary>令和7年度 for 2025.</summary>
    public static string FiscalYearName(int year)
    {
        var text = JapaneseEraDate.Format(new DateOnly(year, 4, 1));
        return text[..(text.IndexOf('年', StringComparison.Ordinal) + 1)] + "度";
    }
}
