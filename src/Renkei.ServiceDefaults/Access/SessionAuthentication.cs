using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Renkei.ServiceDefaults.Access;

/// <summary>
/// How a service's own login sessions authenticate (a staff member's bearer token at the ward API, the console's or the
/// portal's session cookie): <see cref="Authenticate"/> turns the request into a principal, or null when it carries no
/// live session. <see cref="Challenge"/> answers a request without one (a 401 problem, or a redirect to the login page),
/// <see cref="Forbid"/> one whose session may not use the route.
/// </summary>
public sealed class SessionAuthenticationOptions : AuthenticationSchemeOptions
{
    public Func<HttpContext, ClaimsPrincipal?> Authenticate { get; set; } = _ => null;

    public Func<HttpContext, Task> Challenge { get; set; } = context =>
        ErrorResponses.Problem(StatusCodes.Status401Unauthorized, "session-required", "ログインしてください (a session is required)").ExecuteAsync(context);

    public Func<HttpContext, Task> Forbid { get; set; } = context =>
        ErrorResponses.Problem(StatusCodes.Status403Forbidden, RouteAccess.NotPermittedCode, "この機能は利用できません (not permitted)").ExecuteAsync(context);
}

/// <summary>The handler of every session scheme (<see cref="SessionAuthenticationOptions"/>).</summary>
public sealed class SessionAuthentication(IOptionsMonitor<SessionAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<SessionAuthenticationOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() =>
        Task.FromResult(Options.Authenticate(Context) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name))
            : AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Options.Challenge(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Options.Forbid(Context);
}

/// <summary>
/// The default scheme: authenticates nobody. It answers a request that matched no route (the fallback policy denies those
/// too) with 404, so unknown paths look the same whether or not a route exists behind them.
/// </summary>
public sealed class NoRouteAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "renkei-none";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        ErrorResponses.Problem(StatusCodes.Status404NotFound, "route-not-found", "no such route (該当する機能がありません)").ExecuteAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => HandleChallengeAsync(properties);
}
