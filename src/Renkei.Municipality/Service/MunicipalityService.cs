using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Service;

/// <summary>How to run one municipality's node. <paramref name="Affairs"/> null uses <see cref="AffairCatalogue.LoadDefault"/>.</summary>
public sealed record MunicipalityServiceOptions(
    Database Database,
    LocalGovernmentCode Code,
    string Name,
    Uri JlisBaseAddress,
    int Port = 0,
    string Address = "127.0.0.1",
    AffairCatalogue? Affairs = null);

/// <summary>Routes of the municipality's HTTP service. Every body is JSON; numbers and codes never appear in a URL.</summary>
public static class MunicipalityRoutes
{
    public const string Health = "health";
    public const string Births = "residents/births";
    public const string Arrivals = "residents/arrivals";
    public const string ArrivalsFromAbroad = "residents/arrivals-from-abroad";
    public const string Departures = "residents/departures";
    public const string Deaths = "residents/deaths";
    public const string AddressChanges = "residents/address-changes";
    public const string NameChanges = "residents/name-changes";
    public const string HouseholdChanges = "residents/household-changes";
    public const string HeadChanges = "households/head-changes";
    public const string NumberChanges = "residents/number-changes";
    public const string Search = "residents/search";
    public const string ResidenceCertificate = "certificates/residence";
}

public sealed record MunicipalityHealth(string Status, string Municipality, string Name);

/// <summary>
/// One municipality's resident-register service (住民基本台帳) over HTTP on Kestrel. It talks to
/// J-LIS only through <see cref="JlisHttpClient"/> at <see cref="MunicipalityServiceOptions.JlisBaseAddress"/>.
/// </summary>
public static class MunicipalityService
{
    public static Task<ServiceHost> StartAsync(MunicipalityServiceOptions options, CancellationToken ct = default)
    {
        var register = new ResidentRegister(options.Database, options.Code);
        var http = new HttpClient { BaseAddress = options.JlisBaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        var events = new RegisterEvents(register, new JlisHttpClient(http));
        var certificates = new ResidenceCertificates(register, options.Affairs ?? AffairCatalogue.LoadDefault());

        return ServiceHost.StartAsync(
            $"municipality-{options.Code.Digits}",
            services => services.AddSingleton(http),
            app =>
            {
                app.MapGet("/" + MunicipalityRoutes.Health, () => Results.Json(new MunicipalityHealth("ok", options.Code.Digits, options.Name)));
                MapEvent<BirthRequest>(app, MunicipalityRoutes.Births, events.BirthAsync);
                MapEvent<ArrivalRequest>(app, MunicipalityRoutes.Arrivals, events.ArrivalAsync);
                MapEvent<ArrivalFromAbroadRequest>(app, MunicipalityRoutes.ArrivalsFromAbroad, events.ArrivalFromAbroadAsync);
                MapEvent<DepartureRequest>(app, MunicipalityRoutes.Departures, events.DepartureAsync);
                MapEvent<DeathRequest>(app, MunicipalityRoutes.Deaths, events.DeathAsync);
                MapEvent<AddressChangeRequest>(app, MunicipalityRoutes.AddressChanges, events.AddressChangeAsync);
                MapEvent<NameChangeRequest>(app, MunicipalityRoutes.NameChanges, events.NameChangeAsync);
                MapEvent<HouseholdChangeRequest>(app, MunicipalityRoutes.HouseholdChanges, events.HouseholdChangeAsync);
                MapEvent<HeadChangeRequest>(app, MunicipalityRoutes.HeadChanges, events.HeadChangeAsync);
                MapEvent<NumberChangeRequest>(app, MunicipalityRoutes.NumberChanges, events.ChangeNumberAsync);
                app.MapPost("/" + MunicipalityRoutes.Search, (ResidentSearch search) =>
                    Guard(() => Results.Json(register.Search(search))));
                app.MapPost("/" + MunicipalityRoutes.ResidenceCertificate, (ResidenceCertificateRequest request) =>
                    Guard(() => Results.Json(certificates.Build(request))));
            },
            options.Port,
            options.Address,
            ct);
    }

    private static void MapEvent<TRequest>(IEndpointRouteBuilder app, string route, Func<TRequest, CancellationToken, Task<RegisterEventResult>> handler)
        where TRequest : class =>
        app.MapPost("/" + route, async (TRequest? request, CancellationToken ct) =>
        {
            if (request is null) return ErrorResponses.BadRequest("empty-body", "a JSON body is required (リクエスト本文がありません)");
            try
            {
                var result = await handler(request, ct);
                return Results.Json(result, statusCode: result.Replayed ? StatusCodes.Status200OK : StatusCodes.Status201Created);
            }
            catch (Exception e) when (Refusal(e) is { } refusal) { return refusal; }
        });

    private static IResult Guard(Func<IResult> work)
    {
        try { return work(); }
        catch (Exception e) when (Refusal(e) is { } refusal) { return refusal; }
    }

    /// <summary>Expected refusals as problem bodies; their messages are written never to contain numbers.</summary>
    private static IResult? Refusal(Exception e) => e switch
    {
        RegisterException r => ErrorResponses.Problem(StatusFor(r.Code), r.Code, r.Message),
        AffairNumberUseRefusedException n => ErrorResponses.Problem(StatusCodes.Status403Forbidden, n.Code, n.Message),
        JlisException j => ErrorResponses.Problem(StatusCodes.Status502BadGateway, "jlis-" + j.Code, e.Message),
        HttpRequestException => ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "jlis-unreachable",
            "J-LIS could not be reached; send the same request again later (J-LISに接続できません)"),
        _ => null,
    };

    private static int StatusFor(string code) => code switch
    {
        "unknown-resident" or "unknown-household" => StatusCodes.Status404NotFound,
        "already-registered" or "head-exists" or "request-id-reused" or "number-in-use" or "not-resident" or "deceased" => StatusCodes.Status409Conflict,
        "number-mismatch" or "number-superseded" or "no-number-designated" => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status400BadRequest,
    };
}
