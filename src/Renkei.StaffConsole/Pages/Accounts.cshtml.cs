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

    /// <summary>A new account: id, display name, role; or the account a change is for (<see cref="Target"/>).</summary>
    [BindProperty] public string? NewId { get; set; }
    [BindProperty] public string? NewName { get; set; }
    [BindProperty] public string? NewRole { get; set; }

    /// <summary>The affairs to assign (to a new account or to <see cref="Target"/>).</summary>
    [BindProperty] public List<string> Affairs { get; set; } = [];

    /// <summary>The day the person leaves (退職日・異動日), in any form <see cref="DateInput"/> reads.</summary>
    [BindProperty] public string? LeavesOn { get; set; }

    public IReadOnlyList<StaffMember> Accounts { get; private set; } = [];

    /// <summary>Accounts whose periodic review (棚卸し) is overdue: shown to the administrator at the top of the page.</summary>
    public int OverdueReviews => Runtime.AccountReviews.Status(Runtime.Today).Count(s => s.Overdue);

    /// <summary>A temporary password (and, for a new account, the authenticator secret) to hand over: shown once, never stored.</summary>
    public TemporaryPassword? Issued { get; private set; }
    public TotpEnrolment? Enrolment { get; private set; }

    /// <summary>The affairs an account may be given, as the catalogue names them today.</summary>
    public IReadOnlyList<(string Code, string Name)> AffairChoices =>
        Runtime.Catalogue.Affairs.Where(a => a.InForceOn(Runtime.Today)).Select(a => (a.Code, a.Name)).OrderBy(a => a.Code, StringComparer.Ordinal).ToList();

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

    public IActionResult OnPostAdd()
    {
        var role = NewRole switch
        {
            "clerk" => StaffRole.Clerk,
            "supervisor" => StaffRole.Supervisor,
            "auditor" => StaffRole.Auditor,
            "administrator" => StaffRole.Administrator,
            _ => (StaffRole?)null,
        };
        if (!StaffId.TryParse(NewId, out var id) || TypedNumber.In(id.Value))
            return Refused("職員IDは英小文字・数字・「.」「_」「-」の3〜32文字で、英数字で始めてください。");
        if (role is null) return Refused("役割を選んでください。");
        return Administer(() =>
        {
            (Enrolment, Issued) = Runtime.Staff.Add(Staff!.StaffId, new NewStaffMember(id, NewName ?? "", role.Value, Affairs), Runtime.Log,
                ConsoleRuntime.Terminal(HttpContext));
            Done = $"職員アカウント {id} を発行しました（操作記録に記録しました）。仮パスワードと認証アプリの登録情報を本人に直接交付してください。この画面を離れると再表示できません。";
            NewId = NewName = null;
        });
    }

    public IActionResult OnPostDisable()
    {
        if (!StaffId.TryParse(Target, out var target) || TypedNumber.In(target.Value)) return Refused("職員IDの形式が正しくありません。");
        var day = string.IsNullOrWhiteSpace(LeavesOn) ? Runtime.Today : DateInput.TryParse(LeavesOn, out var parsed, out _) ? parsed : null;
        if (day is null) return Refused("退職・異動日の形式が正しくありません（例: 令和8年3月31日、2026-03-31）。", target.Value);
        return Administer(() =>
        {
            Runtime.Staff.Disable(Staff!.StaffId, target, day.Value, Runtime.Log, ConsoleRuntime.Terminal(HttpContext));
            Done = day <= Runtime.Today
                ? $"職員アカウント {target} を失効させました（操作記録に記録しました）。"
                : $"職員アカウント {target} は {ConsoleText.Date(day.Value)} から失効します（操作記録に記録しました）。";
        }, target.Value);
    }

    public IActionResult OnPostAssign()
    {
        if (!StaffId.TryParse(Target, out var target) || TypedNumber.In(target.Value)) return Refused("職員IDの形式が正しくありません。");
        return Administer(() =>
        {
            Runtime.Staff.Assign(Staff!.StaffId, target, Affairs, Runtime.Log, ConsoleRuntime.Terminal(HttpContext));
            Done = $"職員アカウント {target} の担当事務を変更しました（操作記録に記録しました）。";
        }, target.Value);
    }

    public IActionResult OnPostReset()
    {
        if (!StaffId.TryParse(Target, out var target) || TypedNumber.In(target.Value)) return Refused("職員IDの形式が正しくありません。");
        return Administer(() =>
        {
            Issued = Runtime.Staff.ResetPassword(Staff!.StaffId, target, Runtime.Log, ConsoleRuntime.Terminal(HttpContext));
            Done = $"職員アカウント {target} に仮パスワードを発行しました（操作記録に記録しました）。次回ログイン時に変更が必要です。この画面を離れると再表示できません。";
        }, target.Value);
    }

    private IActionResult Administer(Action change, string? target = null)
    {
        try
        {
            change();
        }
        catch (StaffException refused)
        {
            Response.StatusCode = refused.Code == StaffException.NotAdministrator ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            ErrorTarget = target;
            Error = refused.Code switch
            {
                StaffException.GenericStaffId => "職員IDは一人ひとりに発行します。部署名や共用の名前のIDは発行できません。",
                StaffException.StaffExists => "その職員IDは既に発行されています。失効したIDも再利用できません。",
                StaffException.UnknownStaff => "その職員IDのアカウントはありません。",
                StaffException.UnknownAffair => "事務一覧にない事務が選ばれています。",
                StaffException.InvalidDisplayName => "氏名は1〜64文字で入力してください。",
                StaffException.OwnAccount => "自分自身のアカウントは失効させられません。別の管理者に依頼してください。",
                _ => "この操作はできませんでした。",
            };
        }
        Accounts = Runtime.Staff.List();
        return Page();
    }

    private IActionResult Refused(string message, string? target = null)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        Error = message;
        ErrorTarget = target;
        Accounts = Runtime.Staff.List();
        return Page();
    }

    /// <summary>An account's state in words: 利用停止, ロック中（…まで）or 有効.</summary>
    public static string State(StaffMember member) =>
        !member.Active ? "利用停止" + (member.LeavesOn is { } left ? $"（{ConsoleText.Date(left)} 退職・異動）" : "")
        : member.Locked ? $"ロック中（{ConsoleText.EraDateTime(member.LockedUntil!.Value)} まで）"
        : member.LeavesOn is { } leaves ? $"有効（{ConsoleText.Date(leaves)} から失効）"
        : "有効";

    /// <summary>The affairs' Japanese names, as the catalogue calls them.</summary>
    public string AffairNames(StaffMember member) => member.Affairs.Count == 0
        ? "—"
        : string.Join("、", member.Affairs.Select(code => Runtime.Catalogue.Find(code, Runtime.Today)?.Name ?? Runtime.Catalogue.Find(code)?.Name ?? code));
}
