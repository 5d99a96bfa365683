using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;

namespace Renkei.ServiceDefaults.Access;

/// <summary>One route of a service and who may call it.</summary>
/// <param name="Methods">The HTTP methods (empty: any).</param>
/// <param name="Pattern">The route pattern, e.g. <c>/numbering/derive</c>.</param>
/// <param name="Caller">Its declaration; null when it has none (the service then does not start).</param>
public sealed record RouteEntry(IReadOnlyList<string> Methods, string Pattern, CallerDeclaration? Caller)
{
    /// <summary>The route streams its body (<see cref="RouteAccess.StreamsBody"/>): a signed caller signs its headers only.</summary>
    public bool StreamsBody { get; init; }

    /// <summary>A Razor Page (HTML for people): listed in the API description's <c>x-renkei-pages</c>, not described as an operation.</summary>
    public bool IsPage { get; init; }

    public override string ToString() => $"{(Methods.Count == 0 ? "*" : string.Join(",", Methods))} {Pattern} → {Caller?.ToString() ?? "UNDECLARED"}";
}

/// <summary>The routes of a service as its endpoint data sources hold them (the route inventory test and the route tables read this).</summary>
public static class RouteInventory
{
    public static IReadOnlyList<RouteEntry> Of(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return Of(app.DataSources.SelectMany(source => source.Endpoints));
    }

    /// <summary>The routes among <paramref name="endpoints"/>, in route order.</summary>
    public static IReadOnlyList<RouteEntry> Of(IEnumerable<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => new RouteEntry(
                endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? [],
                "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/'),
                Declaration(endpoint))
            {
                StreamsBody = endpoint.Metadata.GetMetadata<StreamedBodyRoute>() is not null,
                IsPage = endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null,
            })
            .OrderBy(route => route.Pattern, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Throws when a route states no caller, or states one inconsistently (a public route that requires authorization,
    /// a non-public one that does not): the service does not start with an open door.
    /// </summary>
    public static void EnsureDeclared(IEndpointRouteBuilder app, string service)
    {
        var undeclared = Of(app).Where(route => route.Caller is null).Select(route => route.ToString()).ToList();
        if (undeclared.Count > 0)
            throw new InvalidOperationException($"{service}: every route must declare who may call it (RouteAccess); undeclared: {string.Join("; ", undeclared)}");
    }

    /// <summary>The endpoint's declaration when it is consistent with its authorization metadata, else null.</summary>
    private static CallerDeclaration? Declaration(RouteEndpoint endpoint)
    {
        var declared = endpoint.Metadata.GetOrderedMetadata<CallerDeclaration>();
        if (declared.Count != 1) return null;
        var caller = declared[0];
        var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
        var authorized = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0 || endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>().Count > 0;
        return caller.Kind == CallerKind.Public ? (anonymous && !authorized ? caller : null) : (!anonymous && authorized ? caller : null);
    }
}
