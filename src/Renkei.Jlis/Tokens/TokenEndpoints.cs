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
/// How J-LIS reaches the network to have tokens issued (符号取得). J-LIS is an institution on the network (class
/// <see cref="InstitutionClass.NumberingAuthority"/>, code <see cref="InstitutionCode"/>) with its own signing and sealing
/// keys in <paramref name="KeyDirectory"/> (created on first use); the network must have it registered with that
/// signing key.
/// </summary>
/// <param name="NetworkAddress">The network's base address.</param>
/// <param name="KeyDirectory">J-LIS's institution keys (signing.key, sealing.key; mode 600).</param>
public sealed record JlisTokenOptions(Uri NetworkAddress, string KeyDirectory)
{
    /// <summary>J-LIS's code in the network's registry.</summary>
    public string InstitutionCode { get; init; } = JlisTokenRoutes.JlisInstitutionCode;

    /// <summary>Makes the handler for requests to the network; null: J-LIS's own mutual TLS (<see cref="JlisServiceOptions.Tls"/>) when set, else a plain <see cref="SocketsHttpHandler"/>.</summary>
    public Func<HttpMessageHandler>? OutgoingHandler { get; init; }

    /// <summary>The clock for request signatures (both ways) and the institution cache.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How long an institution's registry entry (class, signing key) is used before it is looked up again.</summary>
    public TimeSpan InstitutionCacheTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long J-LIS waits for the network (a batch of 50,000 includes delivery to the institution's intermediate server).</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

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
    public static void Map(WebApplication app, JlisServiceOptions options, NumberingService numbering)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var tokens = options.Tokens ?? throw new ArgumentException("the J-LIS options have no token settings", nameof(options));

        var keys = InstitutionKeys.LoadOrCreate(tokens.KeyDirectory);
        var http = SigningHandler.CreateClient(tokens.NetworkAddress, tokens.InstitutionCode, keys.Signing, NodeRoutes.NetworkInstitutionCode, tokens.OutgoingHandler?.Invoke() ?? options.Tls?.CreateHandler(),
            tokens.NetworkTimeout, tokens.Clock);
        var network = new NetworkHttpClient(http);
        var directory = new InstitutionDirectory(network, tokens.Clock, tokens.InstitutionCacheTime);
        var service = new TokenIssuanceService(numbering, network, tokens.Clock);
        service.EnsureSchema();
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            http.Dispose();
            directory.Dispose();
            keys.Dispose();
        });

        ((IApplicationBuilder)app).Properties[LinkProperty] = new NetworkLink(network, directory, tokens.Clock);

        app.MapPost("/" + JlisTokenRoutes.Request, (HttpRequest http) =>
            HandleAsync<TokenRequest, TokenResponse>(http.HttpContext, directory, tokens.Clock, TokenHolder, r => r.Institution, service.RequestAsync))
            .ExchangesJson<TokenRequest, TokenResponse>()
            .RequireInstitution("an institution that holds tokens, in its own name (not a numbering authority)");
        app.MapPost("/" + JlisTokenRoutes.Batches, (HttpRequest http) =>
            HandleAsync<TokenBatchRequest, TokenBatchResponse>(http.HttpContext, directory, tokens.Clock, TokenHolder, r => r.Institution, service.RequestBatchAsync))
            .ExchangesJson<TokenBatchRequest, TokenBatchResponse>()
            .RequireInstitution("an institution that holds tokens, in its own name (not a numbering authority)");
    }

    private const string LinkProperty = "renkei.jlis.network-link";

    /// <summary>J-LIS's signed client to the network, the institution directory over it, and the clock for signatures.</summary>
    internal sealed record NetworkLink(INetworkClient Network, InstitutionDirectory Directory, TimeProvider Clock)
    {
        /// <summary>The network's registry as a caller directory of J-LIS's routes (after J-LIS's own, <see cref="Institutions.JlisInstitutions"/>).</summary>
        public IInstitutionResolver Callers { get; } = new DirectoryCallers(Directory);
    }

    /// <summary>The link <see cref="Map"/> made for this service (other J-LIS routes mapped afterwards share it).</summary>
    internal static NetworkLink Link(WebApplication app) =>
        ((IApplicationBuilder)app).Properties.TryGetValue(LinkProperty, out var value) && value is NetworkLink link
            ? link
            : throw new InvalidOperationException("TokenEndpoints.Map has not set up J-LIS's link to the network for this service");

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

    /// <summary>The network's registry, as J-LIS's cache of it holds it, as the caller directory of J-LIS's routes.</summary>
    private sealed class DirectoryCallers(InstitutionDirectory directory) : IInstitutionResolver
    {
        public async ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken) =>
            await directory.FindAsync(code, cancellationToken) is { } entry
                ? new KnownInstitution(entry.Info.Code, entry.Info.Class.ToString(), entry.SigningKey)
                : null;
    }
}
