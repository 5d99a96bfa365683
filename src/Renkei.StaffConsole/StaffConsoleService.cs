using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Web;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;

namespace Renkei.StaffConsole;

/// <summary>
/// How to run one ward's staff console (職員用画面).
/// </summary>
/// <param name="Database">The ward's own database (its resident register).</param>
/// <param name="Municipality">The ward's local government code.</param>
/// <param name="WardName">Shown in every page header, e.g. 品川区.</param>
/// <param name="Staff">The ward's staff accounts; its <see cref="StaffDirectory.Catalogue"/> is the affair catalogue the console uses.</param>
/// <param name="OperationLog">
/// The ward's operation log, opened for writing (<see cref="OperationLog.Open"/>). The caller owns it (and may share it with
/// the ward's other services in the same process) and disposes it after the console.
/// </param>
public sealed record StaffConsoleOptions(
    Database Database,
    LocalGovernmentCode Municipality,
    string WardName,
    StaffDirectory Staff,
    OperationLog OperationLog)
{
    /// <summary>The clock for logins (TOTP), session expiry, the day number use is decided for, and log times.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    public string Address { get; init; } = "127.0.0.1";

    /// <summary>A session unused this long is closed; the staff member logs in again.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The ward's own intermediate server (中間サーバー), through which the attachment-omission workflows ask the network
    /// for linked data and read the linkages the network's policy offers. Null: the application pages still open, decide
    /// and export, but offer no linkage and say why.
    /// </summary>
    public Uri? IntermediateAddress { get; init; }

    /// <summary>
    /// The ward's institution key directory (<c>signing.key</c>): the console calls the intermediate server as the ward,
    /// its requests signed with the ward's key. Required with <see cref="IntermediateAddress"/>.
    /// </summary>
    public string? InstitutionKeyDirectory { get; init; }

    /// <summary>Builds the handler under the signed client for <see cref="IntermediateAddress"/> (e.g. mutual TLS); plain sockets when null.</summary>
    public Func<HttpMessageHandler>? IntermediateHandler { get; init; }
}

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

    public static async Task<ServiceHost> StartAsync(StaffConsoleOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.WardName)) throw new ArgumentException("the ward name is required", nameof(options));
        if (options.OperationLog.Municipality != options.Municipality)
            throw new ArgumentException("the operation log belongs to another municipality", nameof(options));
        if (options.IntermediateAddress is not null && string.IsNullOrWhiteSpace(options.InstitutionKeyDirectory))
            throw new ArgumentException("InstitutionKeyDirectory is required with IntermediateAddress: the console calls the intermediate server as the ward", nameof(options));
        var runtime = new ConsoleRuntime(options, new ResidentRegister(options.Database, options.Municipality));

        return await ServiceHost.StartAsync(ServiceName,
            builder =>
            {
                var services = builder.Services;
                services.AddSingleton(_ => runtime); // a factory registration: the container disposes it (the intermediate server's client)
                ServerRenderedPages.AddServices(services, "renkei_csrf", pages =>
                    RouteAccess.DeclarePages(pages, CallerKind.StaffSession, SessionScheme,
                        "a logged-in staff member; each page checks the role and the chosen affair", "the login page", "/Login"));
                services.AddSessionScheme(SessionScheme, o =>
                {
                    o.Authenticate = http => runtime.Sessions.Find(http.Request.Cookies[SessionCookie]) is { } session
                        ? RouteAccess.SessionPrincipal(SessionScheme, session.StaffId.Value, new System.Security.Claims.Claim(CallerClaims.Staff, session.StaffId.Value))
                        : null;
                    o.Challenge = ServerRenderedPages.RedirectToLogin;
                }, everyRequest: true);
            },
            app =>
            {
                app.Use(SecurityHeaders);
                app.MapGet(ConsoleStyles.Path, () => Results.Text(ConsoleStyles.Css, "text/css; charset=utf-8"))
                    .Produces<string>(StatusCodes.Status200OK, "text/css")
                    .AllowPublic("the console's style sheet (no data)");
                app.MapRazorPages();
            },
            options.Port, options.Address, cancellationToken);
    }

    // No script at all, nothing from elsewhere, never framed.
    private static readonly Func<HttpContext, Func<Task>, Task> SecurityHeaders = ServerRenderedPages.SecurityHeaders(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}
