using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Institutions;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;

namespace Renkei.Jlis.Issuance;

/// <summary>
/// J-LIS's route for the certificate issuance centre (<see cref="IssuanceHolderRoutes.Holder"/>, <see cref="IssuanceHolderService"/>).
/// Only an institution registered at J-LIS with the role <see cref="JlisRoles.IssuanceCentre"/> (<c>Jlis:Institutions</c>)
/// may call it, with a valid request signature and naming itself in the body. Errors are problem bodies: 401 for signature
/// failures, 403 <see cref="NotIssuanceCentreCode"/> / <c>caller-not-permitted</c>, 400 for malformed bodies, 409 for refused
/// proofs (<see cref="PortalLoginRefusalCodes"/>) and reused ids.
/// </summary>
public static class IssuanceHolderEndpoints
{
    /// <summary>403: the caller is not the registered issuance centre.</summary>
    public const string NotIssuanceCentreCode = "not-issuance-centre";

    /// <summary>The card operation record's event for a holder lookup (operator: the centre; detail: the centre and the user certificate's serial).</summary>
    public const string LookupEvent = IssuanceHolderService.LookupEvent;

    internal static void Map(WebApplication app, IssuanceHolderService service)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/" + IssuanceHolderRoutes.Holder, (HttpRequest http) =>
            JlisEndpoints.HandleAsync<IssuanceHolderRequest, IssuanceHolder>(http.HttpContext,
                r => CallerClaims.RefuseUnlessSelf(http.HttpContext, r.Centre, "centre"), service.HolderAsync))
            .ExchangesJson<IssuanceHolderRequest, IssuanceHolder>()
            .RequireInstitution(new CallerDeclaration(CallerKind.Institution,
                "the certificate issuance centre registered at J-LIS, in its own name, for a card a kiosk just read", [JlisRoles.IssuanceCentre])
            {
                RefusalCode = NotIssuanceCentreCode,
                RefusalMessage = "only the certificate issuance centre may ask whose card signed a kiosk's challenge (証明書交付センター以外からは要求できません)",
            });
    }
}
