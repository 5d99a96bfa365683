using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Renkei.ServiceDefaults.Access;

/// <summary>
/// The <c>local-screen</c> scheme (<see cref="CallerKind.LocalScreen"/>): the caller is the device's own screen when the
/// connection comes from the loopback interface and the browser says the request comes from a page of this origin
/// (<c>Sec-Fetch-Site: same-origin</c>, or an <c>Origin</c> equal to this host; a request without either — not a
/// browser's cross-site request — is accepted from loopback). Everything else is refused with 403 <see cref="RefusedCode"/>:
/// another machine, or another site's page in the device's browser.
/// </summary>
public sealed class LocalScreenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "local-screen";

    public const string RefusedCode = "not-local-screen";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(IsLocalScreen(Context)
            ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "local-screen")], SchemeName)), SchemeName))
            : AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorResponses.Problem(StatusCodes.Status403Forbidden, RefusedCode,
            "この機能は端末の画面からだけ利用できます (only the device's own screen may call this route)").ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => HandleChallengeAsync(properties);

    /// <summary>Loopback, and not a cross-site browser request.</summary>
    public static bool IsLocalScreen(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Connection.RemoteIpAddress is not { } remote || !IPAddress.IsLoopback(remote)) return false;
        var headers = context.Request.Headers;
        var site = headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none")) return false;
        var origin = headers.Origin.ToString();
        if (origin.Length == 0) return true;
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Scheme, context.Request.Scheme, StringComparison.OrdinalIgnoreCase);
    }
}
