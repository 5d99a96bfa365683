using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Core.Numbers;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Numbering;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Http;

/// <summary>
/// The HTTP face of <see cref="NumberingService"/> on the routes of <see cref="JlisRoutes"/>. Numbers and codes
/// travel only in JSON bodies. Errors are <see cref="ProblemBody"/> objects with a stable code; a malformed body is
/// a 400 that says what was wrong (which field, which rule) without repeating any value.
/// </summary>
public static class JlisEndpoints
{
    /// <summary>Stricter than the shared defaults: a missing field is an error, not a zero code or an empty ID.</summary>
    internal static readonly JsonSerializerOptions Strict = RequestBodies.Strict;

    /// <summary>Who numbering and card routes are for: a ward, for its own residents.</summary>
    internal const string Wards = "a ward (Municipality), for its own municipality code and residents";

    /// <summary>Who certificate status is for (seed 001: bodies and businesses the minister approves).</summary>
    internal const string ApprovedVerifiers = "an approved verifier registered at J-LIS or the network (the portal, wards, verifiers, the card call centre)";

    public static void Map(IEndpointRouteBuilder app, NumberingService service)
    {
        app.MapPost("/" + JlisRoutes.DeriveNumber, (HttpRequest http) =>
            Handle<DeriveNumberRequest, NumberAssignment>(http.HttpContext, r => OwnMunicipality(http.HttpContext, r.Municipality), service.DeriveNumber))
            .ExchangesJson<DeriveNumberRequest, NumberAssignment>()
            .RequireInstitution(Wards, JlisRoles.Municipality);
        app.MapPost("/" + JlisRoutes.NumberingBatch, (HttpRequest http) =>
            Handle<NumberingBatchRequest, NumberingBatchResponse>(http.HttpContext, r => OwnMunicipality(http.HttpContext, r.Municipality), service.RequestBatch))
            .ExchangesJson<NumberingBatchRequest, NumberingBatchResponse>()
            .RequireInstitution(Wards, JlisRoles.Municipality);
        app.MapPost("/" + JlisRoutes.VerifyNumber, (HttpRequest http) =>
            Handle<VerifyNumberRequest, VerifyNumberResponse>(http.HttpContext, _ => null,
                r => service.VerifyNumber(r, CallerMunicipality(http.HttpContext) ?? throw NotAWard())))
            .ExchangesJson<VerifyNumberRequest, VerifyNumberResponse>()
            .RequireInstitution(Wards, JlisRoles.Municipality);
        app.MapPost("/" + JlisRoutes.ChangeNumber, (HttpRequest http) =>
            Handle<ChangeNumberRequest, ChangeNumberResponse>(http.HttpContext, r => OwnMunicipality(http.HttpContext, r.Municipality), service.ChangeNumber))
            .ExchangesJson<ChangeNumberRequest, ChangeNumberResponse>()
            .RequireInstitution(Wards, JlisRoles.Municipality);
        app.MapPost("/" + JlisRoutes.IssueResidentCode, (HttpRequest http) =>
            Handle<IssueResidentCodeRequest, IssueResidentCodeResponse>(http.HttpContext, r => OwnMunicipality(http.HttpContext, r.Municipality),
                service.IssueResidentCode))
            .ExchangesJson<IssueResidentCodeRequest, IssueResidentCodeResponse>()
            .RequireInstitution(Wards, JlisRoles.Municipality);
        app.MapGet("/" + JlisRoutes.Health, async (CancellationToken cancellationToken) =>
        {
            try
            {
                return await service.Store.Database.PingAsync(cancellationToken)
                    ? Results.Json(new HealthBody("ok", "jlis"), JsonDefaults.Options)
                    : ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer");
            }
            catch (System.Data.Common.DbException)
            {
                return ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer");
            }
        }).Produces<HealthBody>().AllowPublic("health check for operators and load balancers (no data)");
    }

    public sealed record HealthBody(string Status, string Service);

    /// <summary>
    /// The largest body a route takes: a numbering batch (up to a million codes) is bulk, a card application carries a face
    /// photo; everything else is one request about one person.
    /// </summary>
    internal static int MaxBodyBytes<TRequest>() =>
        typeof(TRequest) == typeof(NumberingBatchRequest) ? RequestBodies.BulkMaxBytes
        : typeof(TRequest) == typeof(CardApplicationRequest) ? Cards.CardService.MaxPhotoLength + RequestBodies.DefaultMaxBytes
        : RequestBodies.DefaultMaxBytes;

    /// <summary>The calling ward's municipality code (its institution code), or null when the caller is no ward.</summary>
    internal static LocalGovernmentCode? CallerMunicipality(HttpContext context) =>
        CallerClaims.ClassOf(context) == JlisRoles.Municipality && LocalGovernmentCode.Parse(CallerClaims.InstitutionOf(context)) is { IsValid: true } code
            ? code.Value
            : null;

    /// <summary>403 unless the calling ward is <paramref name="municipality"/> (a ward acts only for its own municipality code).</summary>
    internal static IResult? OwnMunicipality(HttpContext context, LocalGovernmentCode municipality) =>
        CallerClaims.RefuseUnlessSelf(context, municipality.Digits, "municipality");

    internal static RefusalException NotAWard() => new(StatusCodes.Status403Forbidden, RouteAccess.NotPermittedCode,
        "only a ward may ask this (市区町村以外からは要求できません)");

    /// <summary>
    /// Parses the body strictly, lets <paramref name="authorize"/> refuse it for this caller (a problem result; it may also
    /// throw <see cref="RefusalException"/>), and runs <paramref name="operation"/>; its refusals reach the service's exception handler.
    /// </summary>
    internal static async Task<IResult> Handle<TRequest, TResponse>(HttpContext context, Func<TRequest, IResult?> authorize, Func<TRequest, TResponse> operation)
        where TRequest : class
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<TRequest>(context, Strict, MaxBodyBytes<TRequest>());
        if (problem is not null) return problem;
        if (authorize(request!) is { } refused) return refused;
        return Results.Json(operation(request!), JsonDefaults.Options);
    }

    /// <summary><see cref="Handle{TRequest,TResponse}(HttpContext,Func{TRequest,IResult?},Func{TRequest,TResponse})"/> for an asynchronous operation.</summary>
    internal static async Task<IResult> HandleAsync<TRequest, TResponse>(HttpContext context, Func<TRequest, IResult?> authorize,
        Func<TRequest, CancellationToken, Task<TResponse>> operation)
        where TRequest : class
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<TRequest>(context, Strict, MaxBodyBytes<TRequest>());
        if (problem is not null) return problem;
        if (authorize(request!) is { } refused) return refused;
        return Results.Json(await operation(request!, context.RequestAborted), JsonDefaults.Options);
    }
}
