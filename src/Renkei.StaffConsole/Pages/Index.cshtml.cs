using Microsoft.AspNetCore.Mvc;

namespace Renkei.StaffConsole.Pages;

/// <summary>The start page: the search for staff who are logged in, the login page for everyone else.</summary>
public sealed class IndexModel : ConsolePageModel
{
    public IActionResult OnGet() => RedirectToPage("/Search");
}
