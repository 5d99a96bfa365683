using Microsoft.AspNetCore.Mvc;

namespace Renkei.Portal.Pages;

/// <summary>ログアウト (POST only, with the antiforgery token): closes the session and removes the cookie.</summary>
public sealed class LogoutModel : PortalPageModel
{
    protected override bool RequiresLogin => false;

    public IActionResult OnGet() => Redirect("/");

    public IActionResult OnPost()
    {
        EndSession();
        return Redirect("/login?done=logout");
    }
}
