using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 操作記録の検査・分析: the monthly review for auditors (監査担当) only — a month's unusual events (numbers shown outside
/// office hours, many person views by one staff member in a day, refused attempts, lockouts), the record that the review was
/// done (by whom, the period, the remarks; <see cref="OperationLogReviews.Record"/>) and the reviews recorded before. Last
/// month without a review is flagged. Others get 403, recorded.
/// </summary>
public sealed class LogReviewModel : ConsolePageModel
{
    /// <summary>The month reviewed, yyyy-MM (default: last month).</summary>
    [BindProperty(SupportsGet = true, Name = "month")] public string? Month { get; set; }

    [BindProperty] public string? Remarks { get; set; }

    public DateOnly From { get; private set; }
    public DateOnly To { get; private set; }
    public IReadOnlyList<UnusualEvent> Findings { get; private set; } = [];
    public IReadOnlyList<OperationLogReviewRecord> History { get; private set; } = [];
    public bool LastMonthUnreviewed { get; private set; }
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    protected override bool Allows(StaffRole role) => role == StaffRole.Auditor;
    protected override string PageDescription => "操作記録の検査・分析";

    public async Task OnGetAsync()
    {
        if (!ReadMonth()) Response.StatusCode = StatusCodes.Status400BadRequest;
        await Runtime.RecordAsync(HttpContext, StaffIdText, null, null, OperationAction.View, OperationResult.Success,
            $"操作記録の検査・分析（{From:yyyy年M月}）の一覧", HttpContext.RequestAborted);
        Load();
    }

    public IActionResult OnPost()
    {
        if (!ReadMonth())
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Load();
            return Page();
        }
        try
        {
            var record = Runtime.LogReviews.Record(Staff!.StaffId, From, To, Remarks, ConsoleRuntime.Terminal(HttpContext));
            Done = $"{From:yyyy年M月}の操作記録の検査・分析を記録しました（確認が必要な事象 {record.Findings} 件、操作記録に記録しました）。";
            Remarks = null;
        }
        catch (StaffException refused)
        {
            Error = refused.Code == StaffException.InvalidReason
                ? $"所見を1〜{OperationLogReviews.MaxRemarksLength}文字で入力してください（個人番号や住民票コードは含めないでください）。"
                : "検査・分析を記録できませんでした。";
            Response.StatusCode = refused.Code == StaffException.NotAuditor ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            // Refused remarks are not shown again: they may hold what must not be echoed.
            Remarks = null;
        }
        Load();
        return Page();
    }

    private bool ReadMonth()
    {
        var today = Runtime.Today;
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        var ok = true;
        if (!string.IsNullOrWhiteSpace(Month))
        {
            if (DateOnly.TryParseExact(Month.Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var chosen)
                && chosen <= today)
                first = chosen;
            else
            {
                Error = "対象月は 2026-11 の形式で、今月以前を指定してください。";
                ok = false;
            }
        }
        Month = first.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        From = first;
        To = first.AddMonths(1).AddDays(-1);
        return ok;
    }

    private void Load()
    {
        Findings = Runtime.LogReviews.Analyse(From, To, LogNames);
        History = Runtime.LogReviews.History(24);
        LastMonthUnreviewed = Runtime.LogReviews.LastMonthUnreviewed(Runtime.Today);
    }

    public static string Kind(UnusualEventKind kind) => kind switch
    {
        UnusualEventKind.NumberShownOutsideOfficeHours => "勤務時間外の個人番号表示",
        UnusualEventKind.ManyPersonViews => "大量の閲覧",
        UnusualEventKind.Refused => "拒否された操作",
        UnusualEventKind.Lockout => "ロックアウト",
        _ => "その他",
    };
}
