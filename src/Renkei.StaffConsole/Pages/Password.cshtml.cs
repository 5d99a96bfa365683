using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// パスワード変更: every staff member sets a new password here with the current one. A temporary password (from an
/// administrator) or an expired one (older than three months) sends every other page here first. The change, and a refused
/// attempt, is in the operation log (<see cref="StaffDirectory.ChangeOwnPassword"/>); no password is ever shown or logged.
/// </summary>
public sealed class PasswordModel : ConsolePageModel
{
    [BindProperty] public string? Current { get; set; }
    [BindProperty] public string? New { get; set; }
    [BindProperty] public string? Confirm { get; set; }

    public string? Error { get; private set; }
    public bool Done { get; private set; }

    /// <summary>How many months a password lasts (the directory's setting).</summary>
    public int LifetimeMonths => Runtime.Staff.Options.PasswordLifetimeMonths;

    protected override bool OpensBeforePasswordChange => true;
    protected override string PageDescription => "パスワード変更";

    public void OnGet([FromQuery(Name = "done")] string? done) => Done = done == "1";

    public IActionResult OnPost()
    {
        var (current, replacement, confirm) = (Current, New, Confirm);
        Current = New = Confirm = null;
        if (!string.Equals(replacement, confirm, StringComparison.Ordinal))
        {
            Error = "新しいパスワードと確認用のパスワードが一致しません。";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        try
        {
            Runtime.Staff.ChangeOwnPassword(Staff!.StaffId, current, replacement, Runtime.Log, ConsoleRuntime.Terminal(HttpContext));
        }
        catch (StaffException refused)
        {
            Error = refused.Code switch
            {
                StaffException.WrongPassword => "現在のパスワードが正しくありません。",
                StaffException.SamePassword => "新しいパスワードは現在のものと別にしてください。",
                StaffException.WeakPassword => $"新しいパスワードは{PasswordHashing.MinimumPasswordLength}文字以上{PasswordHashing.MaximumPasswordLength}文字以内で、制御文字を含めないでください。",
                _ => "パスワードを変更できませんでした。",
            };
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (Runtime.Staff.Refresh(Staff!) is { } refreshed) ReplaceSession(refreshed);
        return RedirectToPage("/Password", new { done = "1" });
    }
}
