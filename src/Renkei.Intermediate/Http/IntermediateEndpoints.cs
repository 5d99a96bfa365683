using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Copies;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Http;

/// <summary>
/// The HTTP face of <see cref="CopyService"/> on the routes of <see cref="IntermediateRoutes"/>. Everything but the
/// health check is a POST with a JSON (or NDJSON) body. Errors are <see cref="ProblemBody"/> objects with a stable
/// code; a malformed body is a 400 naming the field and the rule without repeating any value.
/// </summary>
public static class IntermediateEndpoints
{
    /// <summary>A missing field is an error, not a zero addressee number or an empty request id.</summary>
    private static readonly JsonSerializerOptions Strict = RequestBodies.Strict;

    /// <summary>Who the holder-system routes are for: the holder's own business systems and staff console.</summary>
    internal const string HolderSystems = "the holder's own systems (business systems, staff console), by the holder's certificate or signature";

    /// <summary>The class the server gives its own holder among its callers (it knows only the holder and the network).</summary>
    internal const string HolderClass = "Holder";

    public static void Map(IEndpointRouteBuilder app, CopyService service)
    {
        var loader = new StreamLoader(service);
        app.MapPost("/" + IntermediateRoutes.LoadBatch, (HttpRequest http) =>
            HandleAsync<LoadBatchRequest, LoadBatchResponse>(http.HttpContext, service.LoadBatch))
            .ExchangesJson<LoadBatchRequest, LoadBatchResponse>()
            .RequireInstitutionCode(HolderSystems, service.HolderCode);
        app.MapPost("/" + IntermediateRoutes.Upsert, (HttpRequest http) =>
            HandleAsync<UpsertCopyRequest, UpsertCopyResponse>(http.HttpContext, service.Upsert))
            .ExchangesJson<UpsertCopyRequest, UpsertCopyResponse>()
            .RequireInstitutionCode(HolderSystems, service.HolderCode);
        app.MapPost("/" + IntermediateRoutes.Delete, (HttpRequest http) =>
            HandleAsync<DeleteCopyRequest, DeleteCopyResponse>(http.HttpContext, service.Delete))
            .ExchangesJson<DeleteCopyRequest, DeleteCopyResponse>()
            .RequireInstitutionCode(HolderSystems, service.HolderCode);
        app.MapPost("/" + IntermediateRoutes.Provide, (HttpRequest http) =>
            HandleAsync<ProvisionRequest, ProvisionResponse>(http.HttpContext, (request, _) => service.ProvideAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<ProvisionRequest, ProvisionResponse>()
            .RequireInstitutionCode(HolderSystems, service.HolderCode);
        app.MapPost("/" + IntermediateRoutes.Kinds, (HttpRequest http) =>
            HandleAsync<ListKindsRequest, ListKindsResponse>(http.HttpContext, (request, _) => service.ListKinds(request)))
            .ExchangesJson<ListKindsRequest, ListKindsResponse>()
            .RequireInstitutionCode(HolderSystems, service.HolderCode);
        app.MapPost("/" + IntermediateRoutes.LoadStream, async (HttpRequest request) =>
        {
            var http = request.HttpContext;
            // A year's copies for a whole register is far beyond Kestrel's default 30 MB body limit.
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = null;
            if (http.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
            var batchSize = IntermediateRoutes.DefaultStreamBatchSize;
            if (http.Request.Query["batchSize"] is { Count: > 0 } text && !int.TryParse(text[0], out batchSize))
                return ErrorResponses.BadRequest("invalid-request", "batchSize: not an integer (一括件数が正しくありません)");
            var response = await loader.LoadAsync(http.Request.Query["holder"].FirstOrDefault(), StreamActor(http.Request.Query), http.Request.BodyReader,
                batchSize, http.RequestAborted);
            return Results.Json(response, JsonDefaults.Options,
                statusCode: response.Failure is null ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        }).Reads<CopyUpdate>(IntermediateRoutes.NdjsonMediaType).Produces<LoadStreamResponse>()
            .RequireInstitutionCode(HolderSystems, service.HolderCode).StreamsBody();
        app.MapGet("/" + IntermediateRoutes.Health, async (CancellationToken cancellationToken) =>
        {
            try
            {
                return await service.Store.Database.PingAsync(cancellationToken)
                    ? Results.Json(new HealthBody("ok", "intermediate", service.HolderCode), JsonDefaults.Options)
                    : Unavailable();
            }
            catch (System.Data.Common.DbException)
            {
                return Unavailable();
            }
        }).Produces<HealthBody>().AllowPublic("health check for operators and load balancers (no data)");
    }

    /// <summary>The stream's actor from its query (null when any part is missing: the loader refuses it, naming <c>actor</c>).</summary>
    private static Actor? StreamActor(IQueryCollection query) =>
        query[IntermediateRoutes.StreamActorStaff].FirstOrDefault() is { } staff
        && query[IntermediateRoutes.StreamActorTerminal].FirstOrDefault() is { } terminal
        && query[IntermediateRoutes.StreamActorAffair].FirstOrDefault() is { } affair
            ? new Actor(staff, terminal, affair)
            : null;

    public sealed record HealthBody(string Status, string Service, string Holder);

    private static IResult Unavailable() =>
        ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer (データベースが応答しません)");

    /// <summary>Reads the whole body (its SHA-256 is the request's fingerprint for idempotency), parses it strictly and runs the operation.</summary>
    internal static Task<IResult> HandleAsync<TRequest, TResponse>(HttpContext context, Func<TRequest, string, TResponse> operation)
        where TRequest : class =>
        HandleAsync<TRequest, TResponse>(context, (request, fingerprint) => Task.FromResult(operation(request, fingerprint)));

    internal static async Task<IResult> HandleAsync<TRequest, TResponse>(HttpContext context, Func<TRequest, string, Task<TResponse>> operation)
        where TRequest : class
    {
        var maxBytes = MaxBodyBytes<TRequest>();
        var body = await RequestBodies.ReadAsync(context, maxBytes);
        return body is null ? ErrorResponses.BodyTooLarge(maxBytes) : await RunAsync(body, operation);
    }

    /// <summary>The largest body a route takes: batches of copies, pending tokens and inquiries are bulk; everything else is one request.</summary>
    private static int MaxBodyBytes<TRequest>() =>
        typeof(TRequest) == typeof(LoadBatchRequest) || typeof(TRequest) == typeof(PendingTokenBatchRequest) || typeof(TRequest) == typeof(InquiryBatchRequest)
            ? RequestBodies.BulkMaxBytes
            : RequestBodies.DefaultMaxBytes;

    /// <summary>Parses <paramref name="bytes"/> strictly as <typeparamref name="TRequest"/> and runs the operation (its refusals reach the service's exception handler).</summary>
    internal static async Task<IResult> RunAsync<TRequest, TResponse>(ReadOnlyMemory<byte> bytes, Func<TRequest, string, Task<TResponse>> operation)
        where TRequest : class
    {
        var (request, problem) = RequestBodies.Parse<TRequest>(bytes.Span, Strict);
        if (problem is not null) return problem;
        var fingerprint = Convert.ToHexString(SHA256.HashData(bytes.Span));
        return Results.Json(await operation(request!, fingerprint), JsonDefaults.Options);
    }
}
