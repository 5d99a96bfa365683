using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults.Web;
using Renkei.ServiceDefaults;

namespace Renkei.Portal;

/// <summary>
/// The citizen portal as a module of a service: <see cref="AddPortal"/> reads <see cref="PortalOptions"/> from the section
/// <c>Portal</c> and registers its runtime, pages and session scheme; <see cref="MapPortal"/> maps its pages and assets. The
/// host's application name must be <see cref="PortalService.ServiceName"/> (ASP.NET Core finds the compiled pages by it).
/// </summary>
public static class PortalModule
{
    /// <summary>
    /// Binds and validates <see cref="PortalOptions"/> (at start, naming the setting) and registers the portal's runtime
    /// (keys, signed clients, sessions), disposed with the host. A <see cref="TimeProvider"/>, <see cref="MutualTls"/> or
    /// <see cref="PortalOutgoingHandler"/> the composer registered before is used.
    /// </summary>
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        // The portal keeps nothing of its own: no database.
        var services = builder.AddModuleOptions<PortalOptions>(PortalOptions.Section, (_, _) => new PortalOptionsValidator());
        // A factory registration: the container disposes the runtime (keys, clients) with the host.
        services.AddSingleton(sp => new PortalRuntime(sp.GetRequiredService<IOptions<PortalOptions>>().Value, sp.GetRequiredService<TimeProvider>(),
            sp.GetService<MutualTls>(), sp.GetService<PortalOutgoingHandler>()));
        ServerRenderedPages.AddServices(services, "renkei_portal_csrf", pages =>
            RouteAccess.DeclarePages(pages, CallerKind.ResidentSession, PortalService.SessionScheme,
                "a resident logged in with the card; only their own records", "the top, login and logout pages (no personal data)",
                "/Index", "/Login", "/Logout"));
        services.AddSessionScheme(PortalService.SessionScheme, o =>
        {
            // The resident is named by an opaque digest of the session cookie: nothing about the person.
            o.Authenticate = http => http.Request.Cookies[PortalService.SessionCookie] is { } cookie
                && http.RequestServices.GetRequiredService<PortalRuntime>().Sessions.Find(cookie) is not null
                ? RouteAccess.SessionPrincipal(PortalService.SessionScheme, "session-" + Convert.ToHexStringLower(
                    System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(cookie)))[..16])
                : null;
            o.Challenge = ServerRenderedPages.RedirectToLogin;
        }, everyRequest: true);
        return builder;
    }

    /// <summary>
    /// Creates the portal's runtime (its keys on first start), then maps the security headers, the embedded scripts and
    /// styles (public) and the pages (each declared by <see cref="AddPortal"/>: a resident session but for the top, login and
    /// logout pages).
    /// </summary>
    public static WebApplication MapPortal(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<PortalRuntime>();
        app.Use(SecurityHeaders);
        app.MapGet(PortalService.AssetsPath + "{name}", (string name) => EmbeddedAssets.Serve(typeof(PortalModule).Assembly, "portal", name))
            .Produces<Stream>(StatusCodes.Status200OK, "text/javascript", "text/css")
            .AllowPublic("the portal's own scripts and styles (no data)");
        app.MapRazorPages();
        return app;
    }

    // Scripts and styles from the portal only (no inline code), fetches to the portal only, never framed.
    private static readonly Func<HttpContext, Func<Task>, Task> SecurityHeaders = ServerRenderedPages.SecurityHeaders(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}
