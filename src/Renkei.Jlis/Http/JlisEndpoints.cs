using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Access;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;

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
    internal const string ApprovedVerifiers = "an approved verifier (the portal, the issuance centre, wards, registered verifiers)";

    public static void Map(IEndpointRouteBuilder app, NumberingService service)
    {
        app.MapPost("/" + JlisRoutes.DeriveNumber, (HttpRequest http) =>
            Handle<DeriveNumberRequest, NumberAssignment>(http.HttpContext, service.DeriveNumber))
            .NotYetLocked(Wards);
        app.MapPost("/" + JlisRoutes.NumberingBatch, (HttpRequest http) =>
            Handle<NumberingBatchRequest, NumberingBatchResponse>(http.HttpContext, service.RequestBatch))
            .NotYetLocked(Wards);
        app.MapPost("/" + JlisRoutes.VerifyNumber, (HttpRequest http) =>
            Handle<VerifyNumberRequest, VerifyNumberResponse>(http.HttpContext, service.VerifyNumber))
            .NotYetLocked(Wards);
        app.MapPost("/" + JlisRoutes.ChangeNumber, (HttpRequest http) =>
            Handle<ChangeNumberRequest, ChangeNumberResponse>(http.HttpContext, service.ChangeNumber))
            .NotYetLocked(Wards);
        app.MapPost("/" + JlisRoutes.IssueResidentCode, (HttpRequest http) =>
            Handle<IssueResidentCodeRequest, IssueResidentCodeResponse>(http.HttpContext, service.IssueResidentCode))
            .NotYetLocked(Wards);
        app.MapGet("/" + JlisRoutes.Health, () =>
        {
            try
            {
                return service.Store.Ping()
                    ? Results.Json(new HealthBody("ok", "jlis"), JsonDefaults.Options)
                    : ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer");
            }
            catch (System.Data.Common.DbException)
            {
                return ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer");
            }
        }).AllowPublic("health check for operators and load balancers (no data)");
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

    internal static async Task<IResult> Handle<TRequest, TResponse>(HttpContext context, Func<TRequest, TResponse> operation)
        where TRequest : class
    {
        var (request, _, problem) = await RequestBodies.ReadJsonAsync<TRequest>(context, Strict, MaxBodyBytes<TRequest>());
        if (problem is not null) return problem;
        try
        {
            return Results.Json(operation(request!), JsonDefaults.Options);
        }
        catch (JlisRefusalException refusal)
        {
            return ErrorResponses.Problem(refusal.Status, refusal.Code, refusal.Message);
        }
    }
}
