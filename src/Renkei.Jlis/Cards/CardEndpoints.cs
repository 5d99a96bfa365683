using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Cards;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Jlis.Institutions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Renkei.Core.Json;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Pki;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Cards;

/// <summary>
/// J-LIS's card routes (<see cref="CardRoutes"/>): application, issuance, handover, suspension, resumption, revocation,
/// counter unlock, changes of facts, certificates and status, over the JPKI authority <see cref="JpkiEndpoints"/> opened.
/// Bodies are parsed strictly; refusals are problem bodies with stable codes.
/// </summary>
public static class CardEndpoints
{
    /// <summary>Who may suspend or resume: the card call centre (a J-LIS role, by the four facts) or the resident's ward.</summary>
    private const string CallCentreOrWard = "the card call centre (コールセンター, by the four facts) or the resident's ward";

    /// <summary>Who may read a card's status and history: the resident's ward, or the card call centre.</summary>
    private const string WardOrCallCentre = "the resident's ward (its own residents), or the card call centre";

    /// <summary>403 when the four facts a caller gave the call centre are not the card's holder's.</summary>
    public const string FourFactsMismatchCode = "four-facts-mismatch";

    /// <summary>Maps the routes over a service the caller owns.</summary>
    public static void Map(WebApplication app, CardService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        string[] wards = [JlisRoles.Municipality];
        string[] wardsOrCallCentre = [JlisRoles.Municipality, JlisRoles.CardCallCentre];
        app.MapPost("/" + CardRoutes.Applications, (HttpRequest http) =>
            JlisEndpoints.Handle<CardApplicationRequest, CardApplicationResponse>(http.HttpContext,
                r => JlisEndpoints.OwnMunicipality(http.HttpContext, r.Municipality) ?? Resident(http.HttpContext, service.MunicipalityOfHolder(r.IndividualNumber)),
                service.Apply))
            .ExchangesJson<CardApplicationRequest, CardApplicationResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.Issue, (HttpRequest http) =>
            JlisEndpoints.Handle<IssueCardRequest, CardStatusResponse>(http.HttpContext,
                r => Resident(http.HttpContext, service.MunicipalityOfApplication(r.ApplicationId)), service.Issue))
            .ExchangesJson<IssueCardRequest, CardStatusResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.HandoverData, (HttpRequest http) =>
            JlisEndpoints.Handle<HandoverDataRequest, HandoverDataResponse>(http.HttpContext,
                r => Resident(http.HttpContext, service.MunicipalityOfCard(r.CardNumber)), service.HandoverData))
            .ExchangesJson<HandoverDataRequest, HandoverDataResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.Handover, (HttpRequest http) =>
            JlisEndpoints.Handle<HandoverRequest, CertificatesResponse>(http.HttpContext,
                r => Resident(http.HttpContext, service.MunicipalityOfCard(r.CardNumber)), service.Handover))
            .ExchangesJson<HandoverRequest, CertificatesResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.Suspend, (HttpRequest http) =>
            JlisEndpoints.Handle<SuspendCardRequest, CardStatusResponse>(http.HttpContext,
                r => CallCentreOrResident(http.HttpContext, service, r.CardNumber, r.IndividualNumber, r.CallerFacts), service.Suspend))
            .ExchangesJson<SuspendCardRequest, CardStatusResponse>()
            .RequireInstitution(CallCentreOrWard, wardsOrCallCentre);
        app.MapPost("/" + CardRoutes.Resume, (HttpRequest http) =>
            JlisEndpoints.Handle<ResumeCardRequest, CardStatusResponse>(http.HttpContext,
                r => CallCentreOrResident(http.HttpContext, service, r.CardNumber, null, r.CallerFacts), service.Resume))
            .ExchangesJson<ResumeCardRequest, CardStatusResponse>()
            .RequireInstitution(CallCentreOrWard, wardsOrCallCentre);
        app.MapPost("/" + CardRoutes.Revoke, (HttpRequest http) =>
            JlisEndpoints.Handle<RevokeCardRequest, CardStatusResponse>(http.HttpContext,
                r => Resident(http.HttpContext, CardOrHolder(service, r.CardNumber, r.IndividualNumber)), service.Revoke))
            .ExchangesJson<RevokeCardRequest, CardStatusResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.Unlock, (HttpRequest http) =>
            JlisEndpoints.Handle<UnlockPinRequest, UnlockPinResponse>(http.HttpContext,
                r => Resident(http.HttpContext, service.MunicipalityOfCard(r.CardNumber)), service.Unlock))
            .ExchangesJson<UnlockPinRequest, UnlockPinResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.ChangeFacts, (HttpRequest http) =>
            JlisEndpoints.Handle<ChangeFactsRequest, ChangeFactsResponse>(http.HttpContext,
                r => Resident(http.HttpContext, service.MunicipalityOfCard(r.CardNumber)), service.ChangeFacts))
            .ExchangesJson<ChangeFactsRequest, ChangeFactsResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.Certificates, (HttpRequest http) =>
            JlisEndpoints.Handle<CertificatesRequest, CertificatesResponse>(http.HttpContext,
                r => Resident(http.HttpContext, service.MunicipalityOfCard(r.CardNumber)), service.RenewCertificates))
            .ExchangesJson<CertificatesRequest, CertificatesResponse>()
            .RequireInstitution(JlisEndpoints.Wards, wards);
        app.MapPost("/" + CardRoutes.Status, (HttpRequest http) =>
            JlisEndpoints.Handle<CardStatusRequest, CardStatusResponse>(http.HttpContext,
                r => IsCallCentre(http.HttpContext) ? null : Resident(http.HttpContext, CardOrHolder(service, r.CardNumber, r.IndividualNumber)),
                service.Status))
            .ExchangesJson<CardStatusRequest, CardStatusResponse>()
            .RequireInstitution(WardOrCallCentre, wardsOrCallCentre);
        app.MapGet("/" + CardRoutes.Keys, () => Results.Json(service.Keys(), JsonDefaults.Options))
            .Produces<CardKeysResponse>()
            .AllowPublic("J-LIS's public keys that verify the card's text-entry-support data (公開鍵)");
    }

    private static bool IsCallCentre(HttpContext context) => CallerClaims.ClassOf(context) == JlisRoles.CardCallCentre;

    /// <summary>The municipality of the card (by card number) or of the holder (by number); null when neither names anything J-LIS knows.</summary>
    private static LocalGovernmentCode? CardOrHolder(CardService service, CardNumber? cardNumber, IndividualNumber? number) =>
        cardNumber is { } card ? service.MunicipalityOfCard(card) : number is { } given ? service.MunicipalityOfHolder(given) : null;

    /// <summary>
    /// 403 unless the calling ward is the resident's (<paramref name="owner"/>). Null owner: the card, application or number
    /// is unknown, and the operation answers that itself (404) the same way to every ward.
    /// </summary>
    private static IResult? Resident(HttpContext context, LocalGovernmentCode? owner)
    {
        if (owner is null) return null;
        var caller = JlisEndpoints.CallerMunicipality(context);
        return caller == owner ? null : throw NumberingService.OtherMunicipality();
    }

    /// <summary>The call centre with the four facts of the card's holder; a ward for its own residents.</summary>
    private static IResult? CallCentreOrResident(HttpContext context, CardService service, CardNumber? cardNumber, IndividualNumber? number, FourFacts? facts)
    {
        if (!IsCallCentre(context)) return Resident(context, CardOrHolder(service, cardNumber, number));
        if (facts is null)
            return ErrorResponses.BadRequest("invalid-request", "callerFacts is required: the call centre identifies the caller by the four facts (基本4情報が必要です)");
        return service.FactsMatch(cardNumber, number, facts)
            ? null
            : ErrorResponses.Problem(StatusCodes.Status403Forbidden, FourFactsMismatchCode,
                "the four facts the caller gave are not those of the card's holder (基本4情報がカードの記録と一致しません)");
    }
}
