using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Tls;

namespace Renkei.ServiceDefaults.Tls;

/// <summary>
/// The institution at the other end of a mutual-TLS connection: the CN of its client certificate, which the
/// <see cref="ServiceHost"/> has already checked against the network's CA. Services that verify signed requests use
/// <see cref="Permits"/> so that a node can sign only as itself (<see cref="SignatureHeaders.Institution"/> must name the
/// certificate's institution); a <see cref="ServiceHost"/> with <see cref="MutualTls"/> also refuses, before any endpoint,
/// a request whose <see cref="SignatureHeaders.Institution"/> header names another institution.
/// </summary>
public static class CallerCertificate
{
    /// <summary>The stable problem code of a request whose institution header and client certificate disagree (401).</summary>
    public const string MismatchCode = "certificate-mismatch";

    /// <summary>The institution code the caller's client certificate names; null on a connection without one (plain HTTP).</summary>
    public static string? InstitutionOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Connection.ClientCertificate is { } certificate ? InstitutionOf(certificate) : null;
    }

    /// <summary>The subject CN of a node certificate (null when it has none or it is not an institution code).</summary>
    public static string? InstitutionOf(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return NodeCertificateAuthority.IsInstitutionCode(name) ? name : null;
    }

    /// <summary>
    /// Whether a request from this connection may speak for <paramref name="institution"/>: true when the client
    /// certificate names exactly that institution, or when the connection has no client certificate at all (the
    /// single-process demo on plain loopback HTTP, where the request signature alone authenticates).
    /// </summary>
    public static bool Permits(HttpContext context, string institution)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Connection.ClientCertificate is null) return true;
        return string.Equals(InstitutionOf(context), institution, StringComparison.Ordinal);
    }

    /// <summary>The stable problem code of a request without a client certificate to a route that is not public (401).</summary>
    public const string RequiredCode = "client-certificate-required";

    /// <summary>
    /// Middleware of every mutual-TLS host (after routing): a connection without a client certificate may only read
    /// routes declared public (<see cref="Access.CallerKind.Public"/>, GET or HEAD: health, the provision records' log and
    /// name table, JPKI's CA certificates and CRLs), so anyone can audit the log without a node certificate. Everything
    /// else answers 401 <see cref="RequiredCode"/> — a public POST too, such as the ward's staff login, so a deployed ward
    /// still takes logins only from terminals holding its certificate. A certificate that is given must chain to the
    /// network's CA (checked in the handshake).
    /// </summary>
    public static async Task RequireCertificateUnlessPublic(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.Connection.ClientCertificate is null
            && (!(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                || context.GetEndpoint()?.Metadata.GetMetadata<Access.CallerDeclaration>()?.Kind != Access.CallerKind.Public))
        {
            await ErrorResponses.Problem(StatusCodes.Status401Unauthorized, RequiredCode,
                    "this route needs a node certificate from the network's CA (ネットワークの認証局が発行した機関の証明書が必要です)")
                .ExecuteAsync(context);
            return;
        }
        await next();
    }

    /// <summary>
    /// Middleware of every mutual-TLS host: a request that carries <see cref="SignatureHeaders.Institution"/> must come
    /// over a connection whose certificate names that institution, else 401 <see cref="MismatchCode"/>.
    /// </summary>
    public static async Task RequireMatchingInstitution(HttpContext context, Func<Task> next)
    {
        if (context.Request.Headers.TryGetValue(SignatureHeaders.Institution, out var claimed)
            && (claimed.Count != 1 || !Permits(context, claimed[0] ?? "")))
        {
            await ErrorResponses.Problem(StatusCodes.Status401Unauthorized, MismatchCode,
                    $"the {SignatureHeaders.Institution} header names another institution than the client certificate (クライアント証明書の機関と要求の機関が一致しません)")
                .ExecuteAsync(context);
            return;
        }
        await next();
    }
}
