using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Json;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// The published HTTP contract of J-LIS's JPKI certificate authorities (公的個人認証サービス): the CA certificates and
/// CRLs (public, GET, DER by default or PEM with <c>?format=pem</c>) and the status of one certificate (POST, the serial
/// in the body: serial numbers are not put in URLs, so they do not become a matching key in access logs).
/// The profile is described in docs/jpki-profile.md.
/// </summary>
public static class PkiRoutes
{
    public const string RootCertificate = "jpki/certificates/root";
    public const string RootCrl = "jpki/crls/root";
    public const string Status = "jpki/status";

    /// <summary>The query that asks for PEM instead of DER: <c>?format=pem</c>.</summary>
    public const string PemQuery = "format=pem";

    /// <summary>The route segment of an issuing CA: <c>signing</c> or <c>user-authentication</c>.</summary>
    public static string Segment(JpkiCertificateKind kind) => kind switch
    {
        JpkiCertificateKind.Signing => "signing",
        JpkiCertificateKind.UserAuthentication => "user-authentication",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The issuing CA's certificate, e.g. <c>jpki/certificates/signing</c>.</summary>
    public static string CaCertificate(JpkiCertificateKind kind) => "jpki/certificates/" + Segment(kind);

    /// <summary>The issuing CA's current CRL (the URL in the CRL distribution point of the certificates it issues).</summary>
    public static string Crl(JpkiCertificateKind kind) => "jpki/crls/" + Segment(kind);
}

/// <summary>Which of the card's two certificates, and so which issuing CA.</summary>
public enum JpkiCertificateKind
{
    /// <summary>署名用電子証明書: carries the four basic facts; signs documents (e-applications).</summary>
    Signing,

    /// <summary>利用者証明用電子証明書: no personal information; proves "this is the holder" at login (portal, kiosk).</summary>
    UserAuthentication,
}

/// <summary>A certificate's revocation status as its CA records it.</summary>
public enum CertificateStatus
{
    /// <summary>Issued by this CA and neither revoked nor suspended (expiry is read from the certificate itself).</summary>
    Good,

    /// <summary>Revoked for good (失効).</summary>
    Revoked,

    /// <summary>Suspended (一時保留, certificateHold): listed on the CRL until resumed or revoked.</summary>
    Suspended,

    /// <summary>This CA never issued a certificate with that serial number.</summary>
    Unknown,
}

/// <summary>Ask for the status of one certificate. <see cref="SerialNumber"/> is hexadecimal (as OpenSSL prints it, colons allowed).</summary>
public sealed record CertificateStatusRequest(JpkiCertificateKind Kind, string SerialNumber);

/// <param name="SerialNumber">The serial normalised: upper-case hexadecimal without separators.</param>
/// <param name="RevokedAt">When it was revoked or suspended; null when good or unknown.</param>
/// <param name="Reason">The CRL reason (certificateHold when suspended); null when good or unknown.</param>
public sealed record CertificateStatusResponse(
    JpkiCertificateKind Kind,
    string SerialNumber,
    CertificateStatus Status,
    DateTimeOffset? RevokedAt,
    X509RevocationReason? Reason);

/// <summary>A relying party's view of J-LIS's JPKI (the portal, the kiosk): CA certificates, CRLs and status over HTTP.</summary>
public sealed class JpkiHttpClient(HttpClient http)
{
    public async Task<CertificateStatusResponse> StatusAsync(CertificateStatusRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(PkiRoutes.Status, request, JsonDefaults.Options, cancellationToken);
        await ThrowUnlessSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<CertificateStatusResponse>(JsonDefaults.Options, cancellationToken)
            ?? throw new JlisException(response.StatusCode, "empty-response", "J-LIS sent an empty body");
    }

    /// <summary>The root CA certificate.</summary>
    public async Task<X509Certificate2> RootCertificateAsync(CancellationToken cancellationToken = default) =>
        X509CertificateLoader.LoadCertificate(await GetDerAsync(PkiRoutes.RootCertificate, cancellationToken));

    /// <summary>The issuing CA certificate of <paramref name="kind"/>.</summary>
    public async Task<X509Certificate2> CaCertificateAsync(JpkiCertificateKind kind, CancellationToken cancellationToken = default) =>
        X509CertificateLoader.LoadCertificate(await GetDerAsync(PkiRoutes.CaCertificate(kind), cancellationToken));

    /// <summary>The issuing CA's current CRL (DER).</summary>
    public Task<byte[]> CrlAsync(JpkiCertificateKind kind, CancellationToken cancellationToken = default) =>
        GetDerAsync(PkiRoutes.Crl(kind), cancellationToken);

    private async Task<byte[]> GetDerAsync(string route, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(route, cancellationToken);
        await ThrowUnlessSuccessAsync(response, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    private static Task ThrowUnlessSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ServiceResponses.EnsureSuccessAsync(response, JlisException.From, cancellationToken);
}
