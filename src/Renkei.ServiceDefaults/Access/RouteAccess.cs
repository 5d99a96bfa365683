using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.DependencyInjection;

namespace Renkei.ServiceDefaults.Access;

/// <summary>
/// Deny by default (DESIGN.md trust rule 10): every route states who may call it where it is mapped, with one of these
/// ASP.NET Core conventions; a route without one makes the service refuse to start (<see cref="RouteInventory"/>), and a
/// request that matches no declared route is refused by the fallback policy.
/// <code>
/// app.MapPost("/numbering/derive", …).RequireInstitution("a ward (its own residents only)", "Municipality");
/// app.MapGet("/health", …).AllowPublic("health check for load balancers");
/// </code>
/// Whether the caller may act on the resource in the body (a ward only for its own municipality code) is the handler's
/// check, with <see cref="CallerClaims.RefuseUnlessSelf"/>.
/// </summary>
public static class RouteAccess
{
    /// <summary>403: the caller is authenticated but the route (or the resource) is not for it.</summary>
    public const string NotPermittedCode = "caller-not-permitted";

    /// <summary>Anyone may call it; <paramref name="why"/> says why that is right (the real system publishes it).</summary>
    public static TBuilder AllowPublic<TBuilder>(this TBuilder builder, string why) where TBuilder : IEndpointConventionBuilder =>
        builder.AllowAnonymous().WithMetadata(new CallerDeclaration(CallerKind.Public, why, []));

    /// <summary>A registered institution of one of <paramref name="classes"/> (none: any registered institution).</summary>
    public static TBuilder RequireInstitution<TBuilder>(this TBuilder builder, string who, params string[] classes) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireInstitution(new CallerDeclaration(CallerKind.Institution, who, classes));

    /// <summary>
    /// A registered institution of the declaration's classes, refused with the declaration's own code and message (a
    /// route that keeps the refusal code its clients know, e.g. <c>portal-only</c>).
    /// </summary>
    public static TBuilder RequireInstitution<TBuilder>(this TBuilder builder, CallerDeclaration declaration) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(declaration);
        if (declaration.Kind != CallerKind.Institution) throw new ArgumentException("not an institution declaration", nameof(declaration));
        var policy = new AuthorizationPolicyBuilder(InstitutionAuthentication.SchemeName).RequireAuthenticatedUser();
        if (declaration.Institutions.Count > 0) policy.RequireClaim(CallerClaims.InstitutionClass, declaration.Institutions);
        return builder.RequireAuthorization(policy.Build()).WithMetadata(declaration);
    }

    /// <summary>Exactly the institution <paramref name="code"/> (the holder itself on its intermediate server; the network on a node's routes).</summary>
    public static TBuilder RequireInstitutionCode<TBuilder>(this TBuilder builder, string who, string code) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        var policy = new AuthorizationPolicyBuilder(InstitutionAuthentication.SchemeName).RequireAuthenticatedUser()
            .RequireClaim(CallerClaims.Institution, code).Build();
        return builder.RequireAuthorization(policy).WithMetadata(new CallerDeclaration(CallerKind.OneInstitution, who, [code]));
    }

    /// <summary>The device's own screen only (<see cref="CallerKind.LocalScreen"/>): loopback, same origin.</summary>
    public static TBuilder RequireLocalScreen<TBuilder>(this TBuilder builder, string who) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizationPolicyBuilder(LocalScreenAuthentication.SchemeName).RequireAuthenticatedUser().Build())
            .WithMetadata(new CallerDeclaration(CallerKind.LocalScreen, who, []));

    /// <summary>
    /// The route streams its request body (never buffered whole): a signed caller signs
    /// <see cref="Renkei.Core.Crypto.RequestSignature.StreamedBody"/> in place of the body's digest
    /// (<see cref="Signing.SigningHandler.StreamedBodyOption"/>), so the signature proves who calls the route, and the
    /// connection (mutual TLS when deployed) carries the body.
    /// </summary>
    public static TBuilder StreamsBody<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(StreamedBodyRoute.Instance);

    /// <summary>A live session of the service's own login scheme <paramref name="scheme"/> (<see cref="AddSessionScheme"/>).</summary>
    public static TBuilder RequireSession<TBuilder>(this TBuilder builder, CallerKind kind, string scheme, string who) where TBuilder : IEndpointConventionBuilder
    {
        if (kind is not (CallerKind.StaffSession or CallerKind.ResidentSession))
            throw new ArgumentException("a session is a staff member's or a resident's", nameof(kind));
        return builder.RequireAuthorization(SessionPolicy(scheme)).WithMetadata(new CallerDeclaration(kind, who, []));
    }

    /// <summary>
    /// Razor Pages: every page needs a live session of <paramref name="scheme"/>, except <paramref name="publicPages"/>
    /// (the login page), which are public for <paramref name="publicWhy"/>.
    /// </summary>
    public static void DeclarePages(RazorPagesOptions pages, CallerKind kind, string scheme, string who, string publicWhy, params string[] publicPages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var policy = SessionPolicy(scheme);
        pages.Conventions.AddFolderApplicationModelConvention("/", model =>
        {
            if (publicPages.Contains(model.ViewEnginePath, StringComparer.Ordinal))
            {
                model.EndpointMetadata.Add(new AllowAnonymousAttribute());
                model.EndpointMetadata.Add(new CallerDeclaration(CallerKind.Public, publicWhy, []));
            }
            else
            {
                model.EndpointMetadata.Add(policy);
                model.EndpointMetadata.Add(new CallerDeclaration(kind, who, []));
            }
        });
    }

    /// <summary>
    /// Adds a login-session scheme (<see cref="SessionAuthenticationOptions"/>). With <paramref name="everyRequest"/> the
    /// session is read on every request, public pages too (a web application whose forms antiforgery binds to the user:
    /// a form rendered for a logged-in user and posted to a public page must see the same user).
    /// </summary>
    public static AuthenticationBuilder AddSessionScheme(this IServiceCollection services, string scheme, Action<SessionAuthenticationOptions> configure,
        bool everyRequest = false)
    {
        var builder = services.AddAuthentication().AddScheme<SessionAuthenticationOptions, SessionAuthentication>(scheme, configure);
        if (everyRequest) services.Configure<AuthenticationOptions>(o => o.DefaultAuthenticateScheme = scheme);
        return builder;
    }

    /// <summary>Says who the service is and how it finds its callers: required before any institution route answers.</summary>
    public static void UseInstitutionCallers(this IServiceProvider services, string ownCode, IInstitutionResolver resolver, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetRequiredService<InstitutionCallers>().Configure(ownCode, resolver, clock);
    }

    /// <summary>
    /// A principal for a session scheme's <see cref="SessionAuthenticationOptions.Authenticate"/>. <paramref name="name"/>
    /// identifies the session's user (antiforgery binds its tokens to it): a staff id, or an opaque value for a resident.
    /// </summary>
    public static ClaimsPrincipal SessionPrincipal(string scheme, string name, params Claim[] claims)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. claims], scheme));
    }

    private static AuthorizationPolicy SessionPolicy(string scheme) =>
        new AuthorizationPolicyBuilder(scheme).RequireAuthenticatedUser().Build();

    /// <summary>The authentication and authorization every <see cref="ServiceHost"/> sets up: the institution scheme, the fallback that denies.</summary>
    internal static void AddDenyByDefault(IServiceCollection services)
    {
        services.AddSingleton<InstitutionCallers>();
        services.AddAuthentication(NoRouteAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, NoRouteAuthentication>(NoRouteAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, InstitutionAuthentication>(InstitutionAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, LocalScreenAuthentication>(LocalScreenAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(NoRouteAuthentication.SchemeName).RequireAssertion(_ => false).Build());
    }
}

/// <summary>Endpoint metadata: the route streams its body (<see cref="RouteAccess.StreamsBody"/>).</summary>
public sealed class StreamedBodyRoute
{
    public static readonly StreamedBodyRoute Instance = new();

    private StreamedBodyRoute()
    {
    }
}
