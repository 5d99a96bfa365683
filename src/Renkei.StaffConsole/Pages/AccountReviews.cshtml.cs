using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// アカウントの棚卸し: for the system administrator only — the active accounts due for review (privileged ids monthly,
/// others quarterly; overdue ones marked), the confirmation of the chosen accounts (stored with who and when, and written to
/// the operation log by <see cref="AccountReviews.Confirm"/>), and the latest confirmations. Others get 403, recorded.
/// </summary>
public sealed class AccountReviewsModel : ConsolePageModel
{
    /// <summary>The accounts the administrator confirms.</summary>
    [BindProperty] public List<string> Confirmed { get; set; } = [];

    public IReadOnlyList<AccountReviewStatus> Due { get; private set; } = [];
    public IReadOnlyList<AccountReviewRecord> History { get; private set; } = [];
    public string? Error { get; private set; }
    public string? Done { get; private set; }

    protected override bool Allows(StaffRole role) => role == StaffRole.Administrator;
    protected override string PageDescription => "アカウントの棚卸し";

    public async Task OnGetAsync()
    {
        await Runtime.RecordAsync(HttpContext, StaffIdText, null, null, OperationAction.View, OperationResult.Success, "アカウントの棚卸しの一覧",
            HttpContext.RequestAborted);
        Load();
    }

    public IActionResult OnPost()
    {
        var ids = new List<StaffId>();
        foreach (var text in Confirmed)
        {
            if (!StaffId.TryParse(text, out var id) || TypedNumber.In(id.Value))
            {
                Error = "職員IDの形式が正しくありません。";
                Response.StatusCode = StatusCodes.Status400BadRequest;
                Load();
                return Page();
            }
            ids.Add(id);
        }
        try
        {
            var recorded = Runtime.AccountReviews.Confirm(Staff!.StaffId, ids, Runtime.Log, ConsoleRuntime.Terminal(HttpContext));
            Done = $"{recorded.Count} 件のアカウントの確認を記録しました（操作記録に記録しました）。";
        }
        catch (StaffException refused)
        {
            Error = refused.Code switch
            {
                StaffException.InvalidReason => "確認したアカウントを選んでください。",
                StaffException.UnknownStaff => "有効なアカウントではないIDが含まれています。",
                _ => "確認を記録できませんでした。",
            };
            Response.StatusCode = refused.Code == StaffException.NotAdministrator ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
        }
        Load();
        return Page();
    }

    private void Load()
    {
        Due = Runtime.AccountReviews.Due(Runtime.Today);
        History = Runtime.AccountReviews.History(30);
    }

    public static string Interval(AccountReviewStatus status) => status.Privileged ? "毎月（特権ID）" : "四半期ごと";
}
