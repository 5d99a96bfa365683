using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Audit;

namespace Renkei.StaffConsole.Pages;

/// <summary>ログアウト (POST only): closes the session and removes the cookie.</summary>
public sealed class LogoutModel : ConsolePageModel
{
    protected override bool OpensBeforePasswordChange => true;

    public IActionResult OnGet() => RedirectToPage("/Search");

    public async Task<IActionResult> OnPostAsync()
    {
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.Logout, OperationResult.Success, null,
            HttpContext.RequestAborted);
        Runtime.Sessions.Close(SessionToken);
        Response.Cookies.Delete(StaffConsoleService.SessionCookie, new Microsoft.AspNetCore.Http.CookieOptions { Path = "/" });
        return RedirectToPage("/Login", new { done = "logout" });
    }
}
