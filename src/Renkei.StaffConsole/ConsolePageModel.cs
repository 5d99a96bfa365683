using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Text;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;

namespace Renkei.StaffConsole;

/// <summary>What the page header shows about the ward and the staff member.</summary>
/// <param name="PasswordMessage">the password's expiry warning (14 days ahead) or the demand to change it, on every page</param>
public sealed record ConsoleHeader(string WardName, string? StaffName, string? RoleName, string? AffairName, bool NumbersVisible, string? VisibilityMessage,
    bool IsAuditor, bool IsAdministrator, string? PasswordMessage = null);

/// <summary>
/// Base of every console page: finds the session from the cookie, brings it up to date with the staff directory (a
/// disabled or locked account is logged out at once), sends anonymous visitors to the login page, refuses roles a page is
/// not for with 403 (and records the refusal), and decides number visibility for this request.
/// </summary>
public abstract class ConsolePageModel : PageModel
{
    private ConsoleRuntime? _runtime;

    internal ConsoleRuntime Runtime => _runtime ??= HttpContext.RequestServices.GetRequiredService<ConsoleRuntime>();

    /// <summary>The logged-in staff member; null only on pages that allow anonymous access.</summary>
    public StaffSession? Staff { get; private set; }

    /// <summary>Whether this request may see numbers; decided once per request from the session (trust rule 7).</summary>
    public NumberVisibilityDecision Decision { get; private set; } = null!;

    public ConsoleHeader Header { get; private set; } = null!;

    /// <summary>False for the login page.</summary>
    protected virtual bool RequiresLogin => true;

    /// <summary>Whether a role may open the page at all.</summary>
    protected virtual bool Allows(StaffRole role) => true;

    /// <summary>
    /// Whether the page opens while the password must be changed (temporary or expired): only the password page and logout;
    /// every other page sends the staff member to the password page first.
    /// </summary>
    protected virtual bool OpensBeforePasswordChange => false;

    /// <summary>A short description of the page for the refusal record (e.g. 操作記録の閲覧).</summary>
    protected virtual string PageDescription => "画面";

    /// <summary>
    /// What this request does with the resident register, if anything: the session's chosen affair must allow it
    /// (<see cref="ResidentRecordAccess"/>, the need-to-know rule the staff API applies too), else 403, recorded.
    /// </summary>
    protected virtual ResidentRecordUse? Needs => null;

    /// <summary>Added to the refusal record when <see cref="Needs"/> is refused (e.g. the register id of the person asked for).</summary>
    protected virtual string? RefusalDetail => null;

    protected string StaffIdText => Staff?.StaffId.Value ?? "anonymous";

    /// <summary>
    /// How operation-log sentences name things on this page (<see cref="EventText.Describe"/>): municipality codes by the
    /// directory's names, resident ids by 宛名番号 (enough for auditors, who never need the name), affairs by the catalogue.
    /// </summary>
    public EventNames LogNames => _logNames ??= new EventNames(
        ApplicationText.KnownInstitution,
        id => Runtime.Addressee.ForResident(id) is { } addressee ? "宛名番号 " + addressee.Digits : null,
        AffairName);

    private EventNames? _logNames;

    /// <summary>The affair catalogue's Japanese name of <paramref name="code"/> (as of today, else any version), or the code when it is unknown.</summary>
    public string AffairName(string code) => new ConsoleRuntimeView(Runtime).AffairName(code);

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var token = Request.Cookies[StaffConsoleService.SessionCookie];
        var session = Runtime.Sessions.Find(token);
        if (session is not null)
        {
            var refreshed = Runtime.Staff.Refresh(session);
            if (refreshed is null) Runtime.Sessions.Close(token);
            else Runtime.Sessions.Update(token!, refreshed);
            session = refreshed;
        }
        Staff = session;
        Decision = NumberVisibility.Decide(session, Runtime.Today);
        Header = BuildHeader();
        ViewData["Header"] = Header;

        if (session is null && RequiresLogin)
        {
            context.Result = new RedirectToPageResult("/Login");
            return;
        }
        if (session is not null && RequiresLogin && session.MustChangePassword && !OpensBeforePasswordChange)
        {
            context.Result = new RedirectToPageResult("/Password");
            return;
        }
        if (session is not null && RequiresLogin && !Allows(session.Role))
        {
            await Runtime.RecordAsync(HttpContext, session.StaffId.Value, session.ChosenAffair, null, OperationAction.View, OperationResult.Refused,
                $"{PageDescription}: 権限がありません", HttpContext.RequestAborted);
            context.Result = Forbidden();
            return;
        }
        if (session is not null && RequiresLogin && Needs is { } use && ResidentRecordAccess.Decide(session, use, Runtime.Today) is { Allowed: false } denied)
        {
            await Runtime.RecordAsync(HttpContext, session.StaffId.Value, session.ChosenAffair, null,
                use == ResidentRecordUse.Search ? OperationAction.Search : OperationAction.View, OperationResult.Refused,
                $"{PageDescription}: 拒否: {denied.ReasonCode}{(RefusalDetail is { } detail ? " " + detail : "")}", HttpContext.RequestAborted);
            context.Result = Forbidden(JapaneseText.ForPerson(denied.Message, denied.ReasonCode, StatusCodes.Status403Forbidden));
            return;
        }
        await next();
    }

    /// <summary>The session cookie's value (for replacing the session after a change).</summary>
    protected string? SessionToken => Request.Cookies[StaffConsoleService.SessionCookie];

    protected void ReplaceSession(StaffSession session)
    {
        Runtime.Sessions.Update(SessionToken!, session);
        Staff = session;
        Decision = NumberVisibility.Decide(session, Runtime.Today);
        Header = BuildHeader();
        ViewData["Header"] = Header;
    }

    private ConsoleHeader BuildHeader()
    {
        var affair = Staff?.ChosenAffair is { } code ? Runtime.Catalogue.Find(code, Runtime.Today)?.Name ?? code : null;
        return new ConsoleHeader(Runtime.WardName, Staff?.DisplayName, Staff?.Role.ToJapanese(), affair, Decision.Visible,
            Staff is null ? null : Decision.Message, Staff?.Role == StaffRole.Auditor, Staff?.Role == StaffRole.Administrator, Staff?.Password?.Message);
    }

    /// <summary>403 with a short Japanese page (no personal data).</summary>
    protected IActionResult Forbidden(string message = "この画面を利用する権限がありません。") => new ContentResult
    {
        StatusCode = StatusCodes.Status403Forbidden,
        ContentType = "text/html; charset=utf-8",
        Content = $"""
            <!DOCTYPE html>
            <html lang="ja"><head><meta charset="utf-8"><title>権限がありません — {System.Net.WebUtility.HtmlEncode(Runtime.WardName)} 職員用画面</title>
            <link rel="stylesheet" href="{ConsoleStyles.Path}"></head>
            <body><main id="main"><h1>権限がありません</h1><p role="alert">{System.Net.WebUtility.HtmlEncode(message)}</p>
            <p><a href="/residents">住民検索へ戻る</a></p></main></body></html>
            """,
    };
}
