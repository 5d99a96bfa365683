using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tokens;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Portal;

/// <summary>
/// J-LIS's portal login route (<see cref="PortalLoginRoutes.PortalToken"/>, <see cref="PortalLoginService"/>). Only a
/// registered institution of class <see cref="InstitutionClass.Portal"/> may call it, with a valid request signature
/// (key from the network's registry) and naming itself in the body. Errors are problem bodies: 401 for signature
/// failures, 403 <c>not-portal</c> / <c>institution-mismatch</c>, 400 for malformed bodies, 409 for refused proofs
/// (<see cref="PortalLoginRefusalCodes"/>) and reused ids, 502/503 when the network refused or did not answer.
/// </summary>
public static class PortalEndpoints
{
    /// <summary>The card operation record's event for a portal login (operator: the portal; detail: the portal and the user certificate's serial).</summary>
    public const string LoginEvent = "portal-login";

    /// <summary>Maps the route over J-LIS's link to the network (<see cref="JlisNetworkLink"/>) and the login service.</summary>
    internal static void Map(WebApplication app, JlisNetworkLink link, PortalLoginService service)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/" + PortalLoginRoutes.PortalToken, (HttpRequest http) =>
            TokenEndpoints.HandleAsync<PortalTokenRequest, PortalTokenResponse>(http.HttpContext, link.Directory, link.Clock, PortalOnly,
                r => r.Portal, service.TokenAsync))
            .ExchangesJson<PortalTokenRequest, PortalTokenResponse>()
            .RequireInstitution(new CallerDeclaration(CallerKind.Institution, "the citizen portal, for a resident who logged in with the card", [nameof(InstitutionClass.Portal)])
            {
                RefusalCode = PortalLoginRefusalCodes.NotPortal,
                RefusalMessage = "only the citizen portal may exchange a card login for a portal token (マイナポータル以外からは要求できません)",
            });
    }

    private static IResult? PortalOnly(InstitutionInfo sender) => sender.Class == InstitutionClass.Portal
        ? null
        : ErrorResponses.Problem(StatusCodes.Status403Forbidden, PortalLoginRefusalCodes.NotPortal,
            "only the citizen portal may exchange a card login for a portal token (マイナポータル以外からは要求できません)");
}
