using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Infrastructure.Access;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Renkei.Core.Json;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Pki;

namespace Renkei.Jlis.Cards;

/// <summary>
/// J-LIS's card routes (<see cref="CardRoutes"/>): application, issuance, handover, suspension, resumption, revocation,
/// counter unlock, changes of facts, certificates and status, over the JPKI authority <see cref="JpkiEndpoints"/> opened.
/// Bodies are parsed strictly; refusals are problem bodies with stable codes.
/// </summary>
public static class CardEndpoints
{
    public static void Map(WebApplication app, JlisServiceOptions options, NumberingService numbering)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var pki = options.Pki ?? throw new ArgumentException("JlisServiceOptions.Pki is not set", nameof(options));
        var keys = CardService.LoadKeys(pki);
        app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(keys.Dispose);
        Map(app, new CardService(options.Database, numbering, JpkiEndpoints.Authority(app), keys, app.Services.GetService<TimeProvider>()));
    }

    /// <summary>Who may suspend or resume: the card call centre (a J-LIS role, by the four facts) or the resident's ward.</summary>
    private const string CallCentreOrWard = "the card call centre (コールセンター, by the four facts) or the resident's ward";

    /// <summary>Maps the routes over a service the caller owns.</summary>
    public static void Map(WebApplication app, CardService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        app.MapPost("/" + CardRoutes.Applications, (HttpRequest http) =>
            JlisEndpoints.Handle<CardApplicationRequest, CardApplicationResponse>(http.HttpContext, service.Apply))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.Issue, (HttpRequest http) =>
            JlisEndpoints.Handle<IssueCardRequest, CardStatusResponse>(http.HttpContext, service.Issue))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.HandoverData, (HttpRequest http) =>
            JlisEndpoints.Handle<HandoverDataRequest, HandoverDataResponse>(http.HttpContext, service.HandoverData))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.Handover, (HttpRequest http) =>
            JlisEndpoints.Handle<HandoverRequest, CertificatesResponse>(http.HttpContext, service.Handover))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.Suspend, (HttpRequest http) =>
            JlisEndpoints.Handle<SuspendCardRequest, CardStatusResponse>(http.HttpContext, service.Suspend))
            .NotYetLocked(CallCentreOrWard);
        app.MapPost("/" + CardRoutes.Resume, (HttpRequest http) =>
            JlisEndpoints.Handle<ResumeCardRequest, CardStatusResponse>(http.HttpContext, service.Resume))
            .NotYetLocked(CallCentreOrWard);
        app.MapPost("/" + CardRoutes.Revoke, (HttpRequest http) =>
            JlisEndpoints.Handle<RevokeCardRequest, CardStatusResponse>(http.HttpContext, service.Revoke))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.Unlock, (HttpRequest http) =>
            JlisEndpoints.Handle<UnlockPinRequest, UnlockPinResponse>(http.HttpContext, service.Unlock))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.ChangeFacts, (HttpRequest http) =>
            JlisEndpoints.Handle<ChangeFactsRequest, ChangeFactsResponse>(http.HttpContext, service.ChangeFacts))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.Certificates, (HttpRequest http) =>
            JlisEndpoints.Handle<CertificatesRequest, CertificatesResponse>(http.HttpContext, service.RenewCertificates))
            .NotYetLocked(JlisEndpoints.Wards);
        app.MapPost("/" + CardRoutes.Status, (HttpRequest http) =>
            JlisEndpoints.Handle<CardStatusRequest, CardStatusResponse>(http.HttpContext, service.Status))
            .NotYetLocked(JlisEndpoints.ApprovedVerifiers);
        app.MapGet("/" + CardRoutes.Keys, () => Results.Json(service.Keys(), JsonDefaults.Options))
            .AllowPublic("J-LIS's public keys that verify the card's text-entry-support data (公開鍵)");
    }
}
