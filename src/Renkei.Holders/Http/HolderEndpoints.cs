using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Holders.Audit;
using Renkei.Holders.Feed;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Microsoft.Extensions.DependencyInjection;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Logging;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Http;

/// <summary>
/// The staff API on the routes of <see cref="HolderRoutes"/>. Every call but the health check needs the staff key, and
/// every call (refused ones too) is written to the operation log with the person ID, never the number. Errors are
/// <see cref="ProblemBody"/> objects with a stable code; a malformed body is a 400 naming the field without its value.
/// </summary>
internal static class HolderEndpoints
{
    /// <summary>A missing field is an error, not a zero or an empty request id.</summary>
    private static readonly JsonSerializerOptions Strict = RequestBodies.Strict;

    private const string TerminalHeader = "X-Renkei-Terminal";

    /// <summary>How the holder's staff API names itself to its intermediate server (its callers share one staff key, no staff id).</summary>
    private const string HolderStaffActor = "holder-staff-api";

    /// <summary>What an operation did: the answer, whom it concerned and how many people it touched.</summary>
    private sealed record Done(object Body, long? PersonId = null, long Count = 1);

    public static void Map(WebApplication app, HolderRuntime runtime, ILogger logger)
    {
        var records = runtime.Records;
        app.MapGet("/" + HolderRoutes.Health, async (CancellationToken cancellationToken) =>
        {
            try
            {
                return await records.Store.Database.PingAsync(cancellationToken)
                    ? Results.Json(new HealthBody("ok", "holder", runtime.InstitutionCode, runtime.Kind), JsonDefaults.Options)
                    : Unavailable();
            }
            catch (System.Data.Common.DbException)
            {
                return Unavailable();
            }
        }).Produces<HealthBody>().AllowPublic("health check for operators and load balancers (no data)");

        Map<PersonLookupRequest, PersonView>(app, runtime, logger, HolderRoutes.LookupPerson, "lookup", _ => null, (request, _) =>
        {
            var view = records.Find(request.IndividualNumber) ?? throw UnknownPerson();
            return Task.FromResult(new Done(view, view.PersonId));
        });

        if (runtime.Kind == HolderKind.PensionOrganisation)
        {
            Map<PensionRecordRequest, RecordResponse>(app, runtime, logger, HolderRoutes.PensionRecord, "pension-record", r => r.RequestId, async (request, ct) =>
            {
                var response = records.RecordPension(request);
                await AfterRecordAsync(runtime, logger, response.PersonId, response.Created, request.IndividualNumber, ct);
                return new Done(response with { CopyFed = await TryFeedAsync(runtime, logger, [response.PersonId], ct) }, response.PersonId);
            });
        }
        else
        {
            Map<QualificationRequest, RecordResponse>(app, runtime, logger, HolderRoutes.Qualification, "qualification", r => r.RequestId, async (request, ct) =>
            {
                var response = records.RecordQualification(request);
                await AfterRecordAsync(runtime, logger, response.PersonId, response.Created, request.IndividualNumber, ct);
                return new Done(response with { CopyFed = await TryFeedAsync(runtime, logger, [response.PersonId], ct) }, response.PersonId);
            });
            Map<QualificationLossRequest, QualificationLossResponse>(app, runtime, logger, HolderRoutes.QualificationLoss, "qualification-loss", r => r.RequestId, async (request, ct) =>
            {
                var response = records.RecordLoss(request);
                var fed = await TryFeedAsync(runtime, logger, [response.PersonId, .. response.DependantsLost], ct);
                return new Done(response with { CopyFed = fed }, response.PersonId, 1 + response.DependantsLost.Count);
            });
        }

        Map<HolderInquiryRequest, InquiryResponse>(app, runtime, logger, HolderRoutes.Query, "query", r => r.RequestId, async (request, ct) =>
        {
            if (request.RequestId == Guid.Empty) throw Invalid("requestId: required (要求番号がありません)");
            if (string.IsNullOrWhiteSpace(request.Affair) || string.IsNullOrWhiteSpace(request.Provider) || string.IsNullOrWhiteSpace(request.Kind))
                throw Invalid("affair, provider and kind: required (事務・情報提供者・情報の種類が必要です)");
            // The connection is returned before the query goes out: it is not held while the network answers.
            var personId = await records.Store.FindPersonAsync(request.IndividualNumber, ct) ?? throw UnknownPerson();
            try
            {
                var answer = await runtime.Linkage.QueryAsync(new InquiryRequest(request.RequestId, runtime.InstitutionCode, personId,
                    request.Affair, request.Provider, request.Kind, request.AsOf, request.PolicyDate,
                    Actor.System(HolderStaffActor, request.Affair)), ct);
                return new Done(answer, personId);
            }
            catch (IntermediateException e) when (e.Code == "no-token")
            {
                throw new RefusalException(StatusCodes.Status409Conflict, "no-token",
                    "the person has no token yet: acquire tokens first (符号が未取得です)");
            }
        });
        Map<FeedRequest, CopyFeedReport>(app, runtime, logger, HolderRoutes.FeedCopies, "feed", _ => null, async (request, ct) =>
        {
            var report = await runtime.Feed.FeedAsync(request.BatchSize ?? CopyFeed.DefaultBatchSize, null, ct);
            return new Done(report, null, report.Sent + report.Withdrawn);
        });
        Map<TokenAcquisitionRequest, TokenAcquisitionReport>(app, runtime, logger, HolderRoutes.AcquireTokens, "acquire-tokens", _ => null, async (request, ct) =>
        {
            var report = await runtime.Tokens.AcquireAsync(request.IndividualNumbers, request.BatchSize ?? TokenAcquirer.DefaultChunkSize, null, ct);
            return new Done(report, null, report.Requested);
        });
    }

    public sealed record HealthBody(string Status, string Service, string Institution, HolderKind Kind);

    private static IResult Unavailable() =>
        ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer (データベースが応答しません)");

    private static RefusalException Invalid(string message) => new(StatusCodes.Status400BadRequest, "invalid-request", message);

    private static RefusalException UnknownPerson() => new(StatusCodes.Status404NotFound, "unknown-person",
        "no person with this individual number is recorded (この個人番号の記録はありません)");

    /// <summary>A person new to the holder gets a token right away when the holder is set up for it (like a ward's first recording); failure leaves it to the next bulk run.</summary>
    private static async Task AfterRecordAsync(HolderRuntime runtime, ILogger logger, long personId, bool created, IndividualNumber number, CancellationToken ct)
    {
        if (!created || !runtime.Tokens.Configured) return;
        try
        {
            await runtime.Tokens.AcquireOneAsync(personId, number, ct);
        }
        catch (Exception e) when (e is JlisException or IntermediateException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            HolderLog.TokenAcquisitionFailed(logger, personId, e.GetType().Name);
        }
    }

    /// <summary>Sends the people's changed copies now; false when the intermediate server could not take them (the next feed will).</summary>
    private static async Task<bool> TryFeedAsync(HolderRuntime runtime, ILogger logger, IReadOnlyCollection<long> personIds, CancellationToken ct)
    {
        try
        {
            await runtime.Feed.FeedAsync(CopyFeed.DefaultBatchSize, personIds, ct);
            return true;
        }
        catch (Exception e) when (e is IntermediateException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning("feeding copies to the intermediate server failed ({ExceptionType}); the next feed will send them", e.GetType().Name);
            return false;
        }
    }

    /// <summary>Maps a staff API route that reads a <typeparamref name="TRequest"/> and answers with the operation's <typeparamref name="TResponse"/>.</summary>
    private static void Map<TRequest, TResponse>(WebApplication app, HolderRuntime runtime, ILogger logger, string route, string action,
        Func<TRequest, Guid?> requestIdOf, Func<TRequest, CancellationToken, Task<Done>> operation) where TRequest : class =>
        app.MapPost("/" + route, async (HttpContext http) =>
        {
            var terminal = TerminalOf(http);
            var ct = http.RequestAborted;
            async Task<IResult> Refuse(int status, string code, string message, Guid? requestId)
            {
                await Log(runtime, terminal, action, code, null, requestId, 0);
                return ErrorResponses.Problem(status, code, message);
            }

            var maxBytes = typeof(TRequest) == typeof(TokenAcquisitionRequest) ? RequestBodies.BulkMaxBytes : RequestBodies.DefaultMaxBytes;
            if (await RequestBodies.ReadAsync(http, maxBytes) is not { } body)
            {
                await Log(runtime, terminal, action, "body-too-large", null, null, 0);
                return ErrorResponses.BodyTooLarge(maxBytes);
            }
            var (request, problem) = RequestBodies.Parse<TRequest>(body, Strict);
            if (request is null)
            {
                await Log(runtime, terminal, action, "invalid-request", null, null, 0);
                return problem!;
            }
            var requestId = requestIdOf(request);
            try
            {
                var done = await operation(request, ct);
                await Log(runtime, terminal, action, "ok", done.PersonId, requestId, done.Count);
                return Results.Json(done.Body, JsonDefaults.Options);
            }
            catch (RefusalException refusal)
            {
                // Logged as the holder's operation; the service's exception handler answers it.
                await Log(runtime, terminal, action, refusal.Code, null, requestId, 0);
                throw;
            }
            catch (IntermediateException e)
            {
                logger.LogWarning("the intermediate server refused ({Code})", e.Code);
                return await Refuse(StatusCodes.Status502BadGateway, "intermediate-refused",
                    $"the intermediate server refused the request ({e.Code}) (中間サーバーが要求を拒否しました)", requestId);
            }
            catch (JlisException e)
            {
                logger.LogWarning("J-LIS refused ({Code})", e.Code);
                return await Refuse(StatusCodes.Status502BadGateway, "jlis-refused",
                    $"J-LIS refused the request ({e.Code}) (J-LISが要求を拒否しました)", requestId);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return await Refuse(StatusCodes.Status503ServiceUnavailable, "service-unavailable",
                    "the intermediate server or J-LIS did not answer (中間サーバーまたはJ-LISが応答しません)", requestId);
            }
        }).ExchangesJson<TRequest, TResponse>()
            .RequireSession(CallerKind.StaffSession, StaffScheme, "the holder's own staff systems (staff API key)")
            .WithMetadata(new HolderRoute(action));

    /// <summary>The scheme of the holder's staff API key (<see cref="Authorized"/>).</summary>
    internal const string StaffScheme = "holder-staff";

    /// <summary>The staff API key as a login scheme: the key's bearer is the holder's staff systems.</summary>
    internal static void AddStaffScheme(IServiceCollection services) =>
        services.AddSessionScheme(StaffScheme, o =>
        {
            o.Authenticate = http => Authorized(http.RequestServices.GetRequiredService<HolderRuntime>(), http)
                ? RouteAccess.SessionPrincipal(StaffScheme, "holder-staff-api")
                : null;
            o.Challenge = async http =>
            {
                // Refused at the door, logged as the handler would have.
                if (http.GetEndpoint()?.Metadata.GetMetadata<HolderRoute>() is { } route)
                    await Log(http.RequestServices.GetRequiredService<HolderRuntime>(), TerminalOf(http), route.Action, "unauthorized", null, null, 0);
                await ErrorResponses.Problem(StatusCodes.Status401Unauthorized, "unauthorized", "the staff API key is missing or wrong (認証に失敗しました)")
                    .ExecuteAsync(http);
            };
        });

    /// <summary>The operation-log action of a staff route, for refusals at the door.</summary>
    private sealed record HolderRoute(string Action);

    /// <summary>The terminal for the log: the terminal header when plausible, else the client address.</summary>
    /// <summary>
    /// The terminal for the log: the terminal header when it is 1–64 of A–Z a–z 0–9 . _ : - with no run of 11 or more
    /// digits (it must not carry a number or a resident-record code into the log), else the client address.
    /// </summary>
    private static string TerminalOf(HttpContext http) =>
        http.Request.Headers[TerminalHeader].FirstOrDefault() is { Length: > 0 and <= 64 } given && IsPlainTerminalName(given)
            ? given
            : http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    internal static bool IsPlainTerminalName(string name)
    {
        var digitRun = 0;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')) return false;
            digitRun = char.IsAsciiDigit(c) ? digitRun + 1 : 0;
            if (digitRun >= 11) return false;
        }
        return true;
    }

    internal static bool Authorized(HolderRuntime runtime, HttpContext http)
    {
        var header = http.Request.Headers.Authorization.FirstOrDefault();
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        var token = header.AsSpan("Bearer ".Length).Trim();
        // Anything that is not base64url of at most 64 bytes is simply not the key (decoding it would throw).
        Span<byte> presented = stackalloc byte[64];
        return System.Buffers.Text.Base64Url.IsValid(token, out var decodedLength) && decodedLength <= presented.Length
            && System.Buffers.Text.Base64Url.TryDecodeFromChars(token, presented, out var length)
            && runtime.IsStaffKey(presented[..length]);
    }

    private static Task Log(HolderRuntime runtime, string terminal, string action, string result, long? personId, Guid? requestId, long count) =>
        runtime.OperationLog.AppendAsync(new HolderOperationEntry(runtime.Clock.GetUtcNow(), action, result, personId, requestId, count, terminal));
}

/// <summary>The holder's log entries: a person id is an identifier the log pseudonymises.</summary>
internal static partial class HolderLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "token acquisition for person {PersonId} failed ({ExceptionType}); the next run will retry")]
    public static partial void TokenAcquisitionFailed(ILogger logger, [IdentifierData] long personId, string exceptionType);
}
