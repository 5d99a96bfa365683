using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 職員アカウント: the ward's staff accounts for the system administrator (システム管理者) only — role, affairs, whether
/// the account is active or locked out and until when — and the early unlock of a locked account with a reason, which
/// <see cref="StaffDirectory.Unlock"/> writes to the operation log (administrator, terminal, account and reason) before it
/// clears the lockout, as <c>renkei staff unlock</c> does. Others get 403 and the refusal is recorded. Never shows a
/// password, a hash or a one-time code.
/// </summary>
public sealed class AccountsModel : ConsolePageModel
{
    /// <summary>The account to unlock.</summary>
    [BindProperty] public string? Target { get; set; }

    /// <summary>Why it is unlocked early (1–<see cref="StaffDirectory.MaxUnlockReasonLength"/> characters, one line).</summary>
    [BindProperty] public string? Reason { get; set; }

    public IReadOnlyList<StaffMember> Accounts { get; private set; } = [];

    /// <summary>The account whose unlock form the error belongs to.</summary>
    public string? ErrorTarget { get; private set; }

    public string? Error { get; private set; }
    public string? Done { get; private set; }

    protected override bool Allows(StaffRole role) => role == StaffRole.Administrator;
    protected override string PageDescription => "職員アカウントの管理";

    public async Task OnGetAsync()
    {
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.View, OperationResult.Success,
            "職員アカウントの一覧", HttpContext.RequestAborted);
        Accounts = Runtime.Staff.List();
    }

    public IActionResult OnPostUnlock()
    {
        if (!StaffId.TryParse(Target, out var target) || TypedNumber.In(target.Value))
        {
            Error = "解除する職員IDの形式が正しくありません";
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            var wasLocked = Runtime.Staff.Find(target)?.Locked == true;
            try
            {
                // Logs the unlock (or its refusal) before anything changes.
                Runtime.Staff.Unlock(Staff!.StaffId, target, Reason, Runtime.Log, ConsoleRuntime.Terminal(HttpContext));
                Done = wasLocked
                    ? $"職員 {target} のロックを解除しました（操作記録に記録しました）。"
                    : $"職員 {target} はロックされていませんでした。ログイン失敗の回数を消去しました（操作記録に記録しました）。";
                Reason = null;
            }
            catch (StaffException refused)
            {
                ErrorTarget = target.Value;
                Error = refused.Code switch
                {
                    StaffException.InvalidReason => $"解除の理由を1〜{StaffDirectory.MaxUnlockReasonLength}文字の1行で入力してください（個人番号や住民票コードは含めないでください）。",
                    StaffException.UnknownStaff => "その職員IDのアカウントはありません。",
                    _ => "ロックを解除できませんでした。",
                };
                Response.StatusCode = refused.Code == StaffException.NotAdministrator ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
                // A refused reason is not shown again: it may hold what must not be echoed (a number).
                Reason = null;
            }
        }
        Accounts = Runtime.Staff.List();
        return Page();
    }

    /// <summary>An account's state in words: 利用停止, ロック中（…まで）or 有効.</summary>
    public static string State(StaffMember member) =>
        !member.Active ? "利用停止"
        : member.Locked ? $"ロック中（{ConsoleText.EraDateTime(member.LockedUntil!.Value)} まで）"
        : "有効";

    /// <summary>The affairs' Japanese names, as the catalogue calls them.</summary>
    public string AffairNames(StaffMember member) => member.Affairs.Count == 0
        ? "—"
        : string.Join("、", member.Affairs.Select(code => Runtime.Catalogue.Find(code, Runtime.Today)?.Name ?? Runtime.Catalogue.Find(code)?.Name ?? code));
}
