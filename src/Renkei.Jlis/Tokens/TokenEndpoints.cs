using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Numbering;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tokens;

/// <summary>
/// J-LIS's token routes (<see cref="JlisTokenRoutes"/>): an institution's signed request → its number's resident-record
/// code → the network (<see cref="TokenIssuanceService"/>). A request is answered only when it carries a valid signature
/// of a registered institution (the key comes from the network's registry) and names that institution in its body;
/// J-LIS itself and other numbering authorities cannot ask. Errors are <see cref="ProblemBody"/> objects with stable
/// codes: 401 for signature failures (<see cref="SignedRequestVerifier"/> codes), 403 <c>institution-mismatch</c> /
/// <c>not-a-token-holder</c>, 400 for malformed bodies, 409 for refused numbers (<see cref="TokenRefusalCodes"/>) and
/// reused ids, 502/503 when the network refused or did not answer. No response repeats a number.
/// </summary>
public static class TokenEndpoints
{
    /// <summary>Maps the token routes over J-LIS's link to the network (<see cref="JlisNetworkLink"/>) and the issuance service.</summary>
    internal static void Map(WebApplication app, JlisNetworkLink link, TokenIssuanceService service)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/" + JlisTokenRoutes.Request, (HttpRequest http) =>
            HandleAsync<TokenRequest, TokenResponse>(http.HttpContext, link.Directory, link.Clock, TokenHolder, r => r.Institution, service.RequestAsync))
            .ExchangesJson<TokenRequest, TokenResponse>()
            .RequireInstitution("an institution that holds tokens, in its own name (not a numbering authority)");
        app.MapPost("/" + JlisTokenRoutes.Batches, (HttpRequest http) =>
            HandleAsync<TokenBatchRequest, TokenBatchResponse>(http.HttpContext, link.Directory, link.Clock, TokenHolder, r => r.Institution, service.RequestBatchAsync))
            .ExchangesJson<TokenBatchRequest, TokenBatchResponse>()
            .RequireInstitution("an institution that holds tokens, in its own name (not a numbering authority)");
    }

    private static IResult? TokenHolder(InstitutionInfo sender) => sender.Class == InstitutionClass.NumberingAuthority
        ? ErrorResponses.Problem(StatusCodes.Status403Forbidden, "not-a-token-holder",
            "a numbering authority does not hold tokens (符号を取得できる機関ではありません)")
        : null;

    /// <summary>
    /// A signed request of a registered institution: verifies the signature with the registry's key, lets
    /// <paramref name="authorize"/> refuse the sender (a problem result) by its registry entry, parses the body strictly,
    /// requires the body to name the signer, and runs <paramref name="operation"/> (its refusals reach the service's exception handler).
    /// </summary>
    internal static async Task<IResult> HandleAsync<TRequest, TResponse>(HttpContext context, InstitutionDirectory directory, TimeProvider clock,
        Func<InstitutionInfo, IResult?> authorize, Func<TRequest, string> institutionOf, Func<TRequest, CancellationToken, Task<TResponse>> operation)
        where TRequest : class
    {
        var ct = context.RequestAborted;
        // Look the claimed sender up first (asynchronously, cached); the verifier then checks the signature with its key.
        var headers = context.Request.Headers;
        var claimed = headers[SignatureHeaders.Institution].ToString();
        InstitutionDirectory.Entry? sender = null;
        if (claimed.Length > 0 && headers[SignatureHeaders.Signature].Count > 0 && headers[SignatureHeaders.Timestamp].Count > 0)
            sender = await directory.FindAsync(claimed, ct);
        var callers = context.RequestServices.GetRequiredService<InstitutionCallers>();
        var signed = await SignedRequestVerifier.ReadAsync(context, code => code == claimed ? sender?.SigningKey : null, clock, callers.Audience, callers.Replays);
        if (!signed.IsVerified) return signed.ToProblem();
        if (authorize(sender!.Info) is { } refused) return refused;

        TRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<TRequest>(signed.Body, JlisEndpoints.Strict);
        }
        catch (JsonException e)
        {
            return ErrorResponses.BadRequest("invalid-request", ErrorResponses.DescribeJsonError(e));
        }
        if (request is null) return ErrorResponses.BadRequest("invalid-request", "the request body is empty (要求が空です)");
        if (institutionOf(request) != signed.Institution)
            return ErrorResponses.Problem(StatusCodes.Status403Forbidden, "institution-mismatch",
                "the institution in the body is not the one that signed the request (署名した機関と要求の機関が一致しません)");
        return Results.Json(await operation(request, ct), JsonDefaults.Options);
    }
}
