using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.StaffConsole;

/// <summary>
/// The ward's staff console: a server-rendered Japanese web application on Kestrel (loopback by default) where staff log
/// in with password and one-time code, choose the affair they act in, search residents and open a person's page. The
/// individual number appears only through <see cref="NumberMask.Display(IndividualNumber, NumberVisibilityDecision)"/>
/// for the session's <see cref="NumberVisibility"/> decision and only after an explicit reveal; every login, affair
/// choice, search, person view and reveal is written to the operation log before the page is sent. Auditors read and
/// verify the operation log. Pages use no script; every POST carries an antiforgery token.
/// </summary>
public static class StaffConsoleService
{
    /// <summary>Session cookie: an opaque random token; the session itself stays in the console's memory.</summary>
    public const string SessionCookie = "renkei_staff";

    /// <summary>The console's session cookie as an authentication scheme: every page but the login page needs a live session.</summary>
    internal const string SessionScheme = "console-session";

    /// <summary>
    /// The assembly name doubles as the host's application name so ASP.NET Core finds the compiled pages in it
    /// (<see cref="ServiceHost"/> names the application after its service).
    /// </summary>
    public const string ServiceName = "Renkei.StaffConsole";
}
