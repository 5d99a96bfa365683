using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace Renkei.Portal;

/// <summary>What the page header shows: the portal's name and whether someone is logged in.</summary>
public sealed record PortalHeader(string PortalName, bool LoggedIn, string? CurrentPage);

/// <summary>
/// Base of every portal page: finds the session from the cookie and sends anonymous visitors to the login page (pages
/// that need no login override <see cref="RequiresLogin"/>). Pages use <see cref="Runtime"/> for the network, J-LIS and
/// wards, and <see cref="Session"/>'s token for the person — never anything else about them.
/// </summary>
public abstract class PortalPageModel : PageModel
{
    private PortalRuntime? _runtime;

    internal PortalRuntime Runtime => _runtime ??= HttpContext.RequestServices.GetRequiredService<PortalRuntime>();

    /// <summary>The logged-in person's session; null only on pages that allow anonymous access.</summary>
    internal PortalSession? Session { get; private set; }

    public PortalHeader Header { get; private set; } = null!;

    /// <summary>False for the login page and the top page.</summary>
    protected virtual bool RequiresLogin => true;

    /// <summary>The navigation entry this page belongs to (history, my-information, notices, e-application), for aria-current.</summary>
    protected virtual string? NavigationKey => null;

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        Session = Runtime.Sessions.Find(Request.Cookies[PortalService.SessionCookie]);
        Header = new PortalHeader(Runtime.Options.Name, Session is not null, NavigationKey);
        ViewData["Header"] = Header;
        if (Session is null && RequiresLogin)
        {
            context.Result = new RedirectToPageResult("/Login");
            return;
        }
        await next();
    }

    /// <summary>The session cookie's value.</summary>
    protected string? SessionCookie => Request.Cookies[PortalService.SessionCookie];

    /// <summary>Starts a new session (always a fresh cookie, never the old one).</summary>
    internal void StartSession(PortalSession session)
    {
        Runtime.Sessions.Close(SessionCookie);
        var cookie = Runtime.Sessions.Open(session);
        Response.Cookies.Append(PortalService.SessionCookie, cookie, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        Session = session;
    }

    internal void EndSession()
    {
        Runtime.Sessions.Close(SessionCookie);
        Response.Cookies.Delete(PortalService.SessionCookie, new CookieOptions { Path = "/" });
        Session = null;
    }
}
