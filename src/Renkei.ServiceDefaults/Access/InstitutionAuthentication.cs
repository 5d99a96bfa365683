using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults.Tls;

namespace Renkei.ServiceDefaults.Access;

/// <summary>An institution as the receiving service knows it: its code, its registry class and its signing key (the resolver's; not disposed here).</summary>
public sealed record KnownInstitution(string Code, string Class, ECDsa SigningKey);

/// <summary>
/// Where a service looks callers up: the network's registry (the network itself, or a cache of it at J-LIS), or the few
/// institutions an intermediate server knows (the network, its own holder). Null: not registered.
/// </summary>
public interface IInstitutionResolver
{
    ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken);
}

/// <summary>A resolver over a fixed set (an intermediate server: the network's pinned key and its own holder's key).</summary>
public sealed class FixedInstitutions(params KnownInstitution[] institutions) : IInstitutionResolver
{
    private readonly Dictionary<string, KnownInstitution> _byCode = institutions.ToDictionary(i => i.Code, StringComparer.Ordinal);

    public ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_byCode.GetValueOrDefault(code));
}

/// <summary>
/// The caller settings of one service: its own institution code (the audience every signed request must name), how it
/// looks callers up, and its memory of nonces. Set once, while the service maps its routes
/// (<see cref="RouteAccess.UseInstitutionCallers"/>), before it starts.
/// </summary>
public sealed class InstitutionCallers
{
    private string? _audience;
    private IInstitutionResolver? _resolver;

    public InstitutionCallers(TimeProvider? clock = null)
    {
        Clock = clock ?? TimeProvider.System;
        Replays = new ReplayGuard(Clock);
    }

    public TimeProvider Clock { get; private set; }
    public ReplayGuard Replays { get; private set; }

    public bool IsConfigured => _resolver is not null;

    public string Audience => _audience ?? throw new InvalidOperationException("the service has not said who it is (RouteAccess.UseInstitutionCallers)");

    public IInstitutionResolver Resolver => _resolver ?? throw new InvalidOperationException("the service has no institution resolver (RouteAccess.UseInstitutionCallers)");

    internal void Configure(string audience, IInstitutionResolver resolver, TimeProvider? clock)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        ArgumentNullException.ThrowIfNull(resolver);
        if (_resolver is not null) throw new InvalidOperationException("the service's institution callers are already configured");
        _audience = audience;
        _resolver = resolver;
        if (clock is not null && !ReferenceEquals(clock, Clock))
        {
            Clock = clock;
            Replays = new ReplayGuard(clock);
        }
    }

    /// <summary>The key lookup <see cref="SignedRequestVerifier"/> takes.</summary>
    public async ValueTask<ECDsa?> SigningKeyOfAsync(string code, CancellationToken cancellationToken) =>
        (await Resolver.FindAsync(code, cancellationToken).ConfigureAwait(false))?.SigningKey;
}

/// <summary>
/// The <c>institution</c> authentication scheme: a caller is the institution its mutual-TLS client certificate names
/// (deployed; the chain was checked against the network's CA by the TLS layer) or whose request signature verifies with
/// its registered key (demo), and when both are present they must agree and both hold. Signed requests must be meant for
/// this service (audience) and not replayed. The caller must be registered with the service's resolver. Refusals are
/// problem bodies: 401 with the signature's code (<c>unsigned-request</c>, <c>bad-signature</c>, <c>wrong-audience</c>,
/// <c>replayed-request</c>, <c>stale-timestamp</c>, <c>unknown-institution</c>, <c>certificate-mismatch</c>), 403
/// <c>caller-not-permitted</c> when the route is not for this institution.
/// </summary>
public sealed class InstitutionAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, InstitutionCallers callers)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "institution";

    /// <summary>503: the service has institution routes but no caller directory (an intermediate server without node settings).</summary>
    public const string NotConfiguredCode = "institution-calls-not-configured";

    private const string FailureItem = "renkei.institution-auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!callers.IsConfigured)
            return Fail(NotConfiguredCode, "this service is not set up to take calls from institutions (機関からの要求を受け付ける設定がありません)",
                StatusCodes.Status503ServiceUnavailable);
        var certified = CallerCertificate.InstitutionOf(Context);
        if (Context.Connection.ClientCertificate is not null && certified is null)
            return Fail(CallerCertificate.MismatchCode, "the client certificate names no institution (クライアント証明書に機関がありません)");
        var signedHeaders = Request.Headers.ContainsKey(SignatureHeaders.Signature) || Request.Headers.ContainsKey(SignatureHeaders.Institution);

        string code;
        string proof;
        if (signedHeaders)
        {
            var streamed = Context.GetEndpoint()?.Metadata.GetMetadata<StreamedBodyRoute>() is not null;
            var signed = await SignedRequestVerifier.ReadAsync(Context, callers.SigningKeyOfAsync, callers.Clock, callers.Audience, callers.Replays,
                streamedBody: streamed);
            if (!signed.IsVerified) return Fail(signed.FailureCode!, signed.FailureMessage!, signed.FailureStatus);
            if (certified is not null && !string.Equals(certified, signed.Institution, StringComparison.Ordinal))
                return Fail(CallerCertificate.MismatchCode,
                    $"the {SignatureHeaders.Institution} header names another institution than the client certificate (クライアント証明書の機関と要求の機関が一致しません)");
            code = signed.Institution!;
            proof = certified is null ? "signature" : "certificate+signature";
        }
        else if (certified is not null)
        {
            code = certified;
            proof = "certificate";
        }
        else
        {
            return Fail(SignedRequestVerifier.UnsignedRequest,
                $"the caller is not identified: a client certificate or a signed request ({SignatureHeaders.Institution}, {SignatureHeaders.Signature}, …) is required (呼出し元の機関を確認できません)");
        }

        var known = await callers.Resolver.FindAsync(code, Context.RequestAborted);
        if (known is null) return Fail(SignedRequestVerifier.UnknownInstitution, "the calling institution is not registered (登録されていない機関です)");
        var identity = new ClaimsIdentity(
            [
                new Claim(CallerClaims.Institution, known.Code),
                new Claim(CallerClaims.InstitutionClass, known.Class),
                new Claim(CallerClaims.Proof, proof),
            ], SchemeName, CallerClaims.Institution, null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private AuthenticateResult Fail(string code, string message, int status = StatusCodes.Status401Unauthorized)
    {
        Context.Items[FailureItem] = (code, message, status);
        return AuthenticateResult.Fail(code);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (code, message, status) = Context.Items.TryGetValue(FailureItem, out var failure) && failure is (string c, string m, int s)
            ? (c, m, s)
            : (SignedRequestVerifier.UnsignedRequest, "the caller is not identified: a client certificate or a signed request is required (呼出し元の機関を確認できません)",
                StatusCodes.Status401Unauthorized);
        return ErrorResponses.Problem(status, code, message).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var declared = Context.GetEndpoint()?.Metadata.GetMetadata<CallerDeclaration>();
        return ErrorResponses.Problem(StatusCodes.Status403Forbidden, declared?.RefusalCode ?? RouteAccess.NotPermittedCode,
            declared?.RefusalMessage ?? "this route is not open to the calling institution (この機関はこの機能を利用できません)").ExecuteAsync(Context);
    }
}
