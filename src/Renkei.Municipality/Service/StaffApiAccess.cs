using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Renkei.ServiceDefaults.Access;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Service;

/// <summary>What a staff route records when it refuses a caller without a live session (operation log action and name).</summary>
internal sealed record StaffRoute(OperationAction? Action, string What);

/// <summary>
/// The ward API's staff sessions as an authentication scheme: a request is a staff member's when its
/// <c>Authorization: Bearer …</c> token names a live session. A request without one is refused before its handler runs,
/// and the refusal is written to the ward's operation log as the route says (<see cref="StaffRoute"/>). What the session's
/// affair allows is decided in the handlers (need to know, number use).
/// </summary>
internal static class StaffApiAccess
{
    public const string Scheme = "ward-staff";

    public static void AddScheme(IServiceCollection services) =>
        services.AddSessionScheme(Scheme, o =>
        {
            o.Authenticate = http => http.RequestServices.GetRequiredService<StaffApi>().SessionPrincipal(http);
            o.Challenge = http => http.RequestServices.GetRequiredService<StaffApi>().ChallengeAsync(http);
        });

    /// <summary>Declares a staff route and what its refusals record.</summary>
    public static RouteHandlerBuilder RequireStaff(this RouteHandlerBuilder builder, OperationAction? action, string what) =>
        builder.RequireSession(CallerKind.StaffSession, Scheme, "a logged-in staff member of the ward; the chosen affair decides what is allowed")
            .WithMetadata(new StaffRoute(action, what));
}
