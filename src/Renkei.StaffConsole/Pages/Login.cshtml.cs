using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Text;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole.Pages;

/// <summary>ログイン: staff id, password and the one-time code; on success a new session (a fresh cookie, never reused).</summary>
public sealed class LoginModel : ConsolePageModel
{
    protected override bool RequiresLogin => false;

    [BindProperty] public string? StaffId { get; set; }
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public string? Totp { get; set; }

    public string? Error { get; private set; }
    public bool LoggedOut { get; private set; }

    public IActionResult OnGet([FromQuery(Name = "done")] string? done)
    {
        if (Staff is not null) return RedirectToPage("/Search");
        LoggedOut = done == "logout";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var result = Runtime.Staff.Authenticate(StaffId, Password, Totp, Runtime.Now);
        Password = null;
        Totp = null;
        // Only a well-formed id is logged and shown again; a number typed into the field is neither.
        var safeId = Municipality.Staff.StaffId.TryParse(StaffId, out var parsed) && !TypedNumber.In(parsed.Value) ? parsed.Value : null;
        var loggedId = safeId ?? "(invalid-id)";
        if (!result.Succeeded)
        {
            StaffId = safeId;
            await Runtime.RecordAsync(HttpContext, loggedId, null, null, OperationAction.LoginFailed, OperationResult.Refused,
                "ログイン失敗: " + OperationLog.Name(result.Outcome), HttpContext.RequestAborted);
            Error = JapaneseText.ForPerson(result.Message, OperationLog.Name(result.Outcome), StatusCodes.Status401Unauthorized);
            return Page();
        }

        var session = result.Session!;
        await Runtime.RecordAsync(HttpContext, session.StaffId.Value, null, null, OperationAction.Login, OperationResult.Success, null,
            HttpContext.RequestAborted);
        Runtime.Sessions.Close(SessionToken);
        var token = Runtime.Sessions.Open(session);
        Response.Cookies.Append(StaffConsoleService.SessionCookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        // A temporary or expired password is changed before anything else; the administrator's work is the accounts.
        return session.MustChangePassword ? RedirectToPage("/Password")
            : session.Role == Municipality.Staff.StaffRole.Administrator ? RedirectToPage("/Accounts")
            : RedirectToPage("/Affair");
    }
}
