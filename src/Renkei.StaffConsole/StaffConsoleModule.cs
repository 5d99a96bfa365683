using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Renkei.Core.Numbers;
using Renkei.Core.Pia;
using Renkei.Infrastructure;
using Renkei.Municipality.Pia;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.Web;
using Renkei.ServiceDefaults;

namespace Renkei.StaffConsole;

/// <summary>
/// The ward's staff console (<see cref="StaffConsoleService"/>) as a module: it adds and maps itself. Its host is named
/// <see cref="StaffConsoleService.ServiceName"/>, so ASP.NET Core finds the compiled pages in this assembly.
/// </summary>
public static class StaffConsoleModule
{
    /// <summary>
    /// Binds and validates <see cref="StaffConsoleOptions"/> (section <c>StaffConsole</c>) and registers the console's
    /// runtime (register, sessions, the intermediate server's client, disposed by the container), the Razor Pages with
    /// antiforgery, and the session cookie as the authentication scheme every page but the login page needs. The composer
    /// registers the <see cref="StaffDirectory"/> and the <see cref="OperationLog"/> first (and, to override the defaults, a
    /// <see cref="Database"/>, a <see cref="TimeProvider"/> or <see cref="StaffConsoleOutgoing"/>).
    /// </summary>
    public static WebApplicationBuilder AddStaffConsole(this WebApplicationBuilder builder)
    {
        var services = builder.AddModuleOptions<StaffConsoleOptions>(StaffConsoleOptions.Section,
            (databaseRegistered, sp) => new StaffConsoleOptionsValidator(databaseRegistered, sp), o => o.Database);
        services.TryAddSingleton(new StaffConsoleOutgoing());
        // A factory registration: the container disposes it (the intermediate server's client).
        services.AddSingleton(sp =>
        {
            var options = Options(sp);
            return new ConsoleRuntime(options, new ResidentRegister(sp.GetRequiredService<Database>(), LocalGovernmentCode.ParseOrThrow(options.Municipality)),
                sp.GetRequiredService<StaffDirectory>(), sp.GetRequiredService<OperationLog>(), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<StaffConsoleOutgoing>())
            {
                // The law's thresholds and the shipped inventory unless the host registers others (a small test country).
                Pia = new PiaAssessor(sp.GetRequiredService<Database>(), sp.GetService<PiaInventory>(), sp.GetService<AssessmentThresholds>(),
                    sp.GetRequiredService<TimeProvider>()),
            };
        });
        ServerRenderedPages.AddServices(services, "renkei_csrf", pages =>
            RouteAccess.DeclarePages(pages, CallerKind.StaffSession, StaffConsoleService.SessionScheme,
                "a logged-in staff member; each page checks the role and the chosen affair", "the login page", "/Login"));
        services.AddSessionScheme(StaffConsoleService.SessionScheme, o =>
        {
            o.Authenticate = http => http.RequestServices.GetRequiredService<ConsoleRuntime>().Sessions.Find(http.Request.Cookies[StaffConsoleService.SessionCookie])
                is { } session
                ? RouteAccess.SessionPrincipal(StaffConsoleService.SessionScheme, session.StaffId.Value,
                    new System.Security.Claims.Claim(CallerClaims.Staff, session.StaffId.Value))
                : null;
            o.Challenge = ServerRenderedPages.RedirectToLogin;
        }, everyRequest: true);
        return builder;
    }

    /// <summary>Maps the console: its security headers, the style sheet (public) and the pages (a live session but on the login page).</summary>
    public static WebApplication MapStaffConsole(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<ConsoleRuntime>(); // options validated and the register opened before anything listens
        app.Use(SecurityHeaders);
        app.MapGet(ConsoleStyles.Path, () => Results.Text(ConsoleStyles.Css, "text/css; charset=utf-8"))
            .Produces<string>(StatusCodes.Status200OK, "text/css")
            .AllowPublic("the console's style sheet (no data)");
        app.MapRazorPages();
        return app;
    }

    private static StaffConsoleOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<StaffConsoleOptions>>().Value;

    // No script at all, nothing from elsewhere, never framed.
    private static readonly Func<HttpContext, Func<Task>, Task> SecurityHeaders = ServerRenderedPages.SecurityHeaders(
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
}
