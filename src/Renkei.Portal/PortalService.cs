using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Web;
using Renkei.ServiceDefaults;

namespace Renkei.Portal;

/// <summary>
/// The citizen portal (マイナポータル): a Japanese web application on Kestrel, usable on a phone-sized screen. A resident
/// logs in with the individual number card through the in-page card reader (the software card's user-authentication key
/// signs a challenge after the PIN opens it; the portal checks the certificate's chain and status at J-LIS and obtains the
/// person's portal token through J-LIS), then sees who used their information (やりとり履歴, with an inclusion proof per
/// record), their own information from holders (わたしの情報), notices (お知らせ) and submits one-stop e-applications.
/// </summary>
public static partial class PortalService
{
    /// <summary>The assembly name doubles as the host's application name so ASP.NET Core finds the compiled pages in it.</summary>
    public const string ServiceName = "Renkei.Portal";

    /// <summary>Session cookie: an opaque random token; the session itself stays in the portal's memory.</summary>
    public const string SessionCookie = "renkei_portal";

    /// <summary>The portal's session cookie as an authentication scheme: every page but the top, login and logout pages needs a live session.</summary>
    internal const string SessionScheme = "portal-session";

    /// <summary>Where the portal's own scripts and styles are served from (embedded wwwroot files): <c>/assets/card-reader.js</c>.</summary>
    public const string AssetsPath = "/assets/";

    public static async Task<ServiceHost> StartAsync(PortalServiceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.InstitutionCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Name);
        if (string.IsNullOrWhiteSpace(options.NetworkSigningPublicKey))
            throw new ArgumentException("the network's signing key must be pinned (NetworkSigningPublicKey): the history page trusts no key a tree head carries",
                nameof(options));
        var runtime = new PortalRuntime(options);
        try
        {
            return await ServiceHost.StartAsync(ServiceName,
                builder =>
                {
                    var services = builder.Services;
                    services.AddSingleton(_ => runtime); // a factory registration: the container disposes it with the host
                    ServerRenderedPages.AddServices(services, "renkei_portal_csrf", pages =>
                        RouteAccess.DeclarePages(pages, CallerKind.ResidentSession, SessionScheme,
                            "a resident logged in with the card; only their own records", "the top, login and logout pages (no personal data)",
                            "/Index", "/Login", "/Logout"));
                    services.AddSessionScheme(SessionScheme, o =>
                    {
                        // The resident is named by an opaque digest of the session cookie: nothing about the person.
                        o.Authenticate = http => http.Request.Cookies[SessionCookie] is { } cookie && runtime.Sessions.Find(cookie) is not null
                            ? RouteAccess.SessionPrincipal(SessionScheme, "session-" + Convert.ToHexStringLower(
                                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(cookie)))[..16])
                            : null;
                        o.Challenge = ServerRenderedPages.RedirectToLogin;
                    }, everyRequest: true);
                },
                app =>
                {
                    app.Use(SecurityHeaders);
                    app.MapGet(AssetsPath + "{name}", (string name) => Asset(name))
                        .Produces<Stream>(StatusCodes.Status200OK, "text/javascript", "text/css")
                        .AllowPublic("the portal's own scripts and styles (no data)");
                    app.MapRazorPages();
                },
                new ServiceHostOptions(options.Port, options.Address), cancellationToken);
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }

    /// <summary>One of the embedded wwwroot files (flat names only: <c>card-reader.js</c>, <c>portal.css</c>).</summary>
    private static IResult Asset(string name)
    {
        if (!AssetName().IsMatch(name)) return Results.NotFound();
        var stream = typeof(PortalService).Assembly.GetManifestResourceStream("portal/" + name);
        if (stream is null) return Results.NotFound();
        var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
        return Results.Stream(stream, type);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,60}\\.(js|css)$")]
    private static partial Regex AssetName();

    // Scripts and styles from the portal only (no inline code), fetches to the portal only, never framed.
    private static readonly Func<HttpContext, Func<Task>, Task> SecurityHeaders = ServerRenderedPages.SecurityHeaders(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}
