using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Renkei.ServiceDefaults.Web;

/// <summary>
/// What every server-rendered Japanese web application of Renkei (the staff console, the portal) sets up the same way:
/// Razor Pages, Japanese text as characters, antiforgery on every POST, keys in memory (sessions live in memory too), and
/// response headers that keep pages with personal data out of caches, referrers and frames.
/// </summary>
public static class ServerRenderedPages
{
    public const string AntiforgeryFormField = "__RequestVerificationToken";

    /// <summary>
    /// Razor Pages under <c>/Pages</c>, the HTML encoder, antiforgery with <paramref name="antiforgeryCookie"/>, ephemeral
    /// data protection. <paramref name="declarePages"/> states who may open each page (<c>RouteAccess.DeclarePages</c>).
    /// </summary>
    public static void AddServices(IServiceCollection services, string antiforgeryCookie, Action<RazorPagesOptions> declarePages)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(declarePages);
        // Japanese text as characters, not numeric entities.
        services.AddSingleton(HtmlEncoder.Create(UnicodeRanges.All));
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Pages";
            declarePages(pages);
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = antiforgeryCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = AntiforgeryFormField;
        });
        // Sessions live in memory, so antiforgery (and other data-protection) keys may too: nothing to persist or protect.
        services.Replace(ServiceDescriptor.Singleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider()));
    }

    /// <summary>A session scheme's challenge for pages: to the login page.</summary>
    public static Task RedirectToLogin(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Redirect(context.Request.PathBase.Add("/login"));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Middleware setting <paramref name="contentSecurityPolicy"/>, no sniffing, no framing, no referrer and no caching
    /// (<c>no-cache, no-store</c>: the value antiforgery sets too, so it need not override it and warn).
    /// </summary>
    public static Func<HttpContext, Func<Task>, Task> SecurityHeaders(string contentSecurityPolicy) => (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache, no-store";
        headers.Pragma = "no-cache";
        return next();
    };
}
