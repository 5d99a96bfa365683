using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Json;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// The published HTTP contract of J-LIS's certificate-signing CA (docs/paper.md; LGPKI's role for official seals in the real
/// system): the root certificate and the CRL are public (GET, DER or PEM with <c>?format=pem</c>); a ward asks for the
/// certificate of its own signing key in its own name (POST, request signed as the ward).
/// </summary>
public static class PaperSigningRoutes
{
    public const string RootCertificate = "paper/certificates/root";
    public const string Crl = "paper/crls/root";
    public const string Certificates = "paper/certificates";
}

/// <summary>A ward asks for the certificate of its certificate-signing key.</summary>
/// <param name="Municipality">The ward's own municipality code (6 digits); J-LIS refuses any other caller.</param>
/// <param name="Name">The ward's name as its certificates print it (品川区); J-LIS's own registry's name wins when it has the ward.</param>
/// <param name="PublicKey">The key's SubjectPublicKeyInfo (DER, base64): ECDSA P-256.</param>
public sealed record PaperCertificateRequest(string Municipality, string Name, string PublicKey);

/// <param name="Certificate">The certificate (DER, base64).</param>
/// <param name="SerialNumber">Its serial (upper-case hexadecimal).</param>
public sealed record PaperCertificateResponse(string Certificate, string SerialNumber, DateTimeOffset NotAfter);

/// <summary>J-LIS's certificate-signing CA over HTTP: the public root and CRL, and (with a client signing as a ward) a certificate.</summary>
public sealed class PaperSigningHttpClient(HttpClient http)
{
    public async Task<PaperCertificateResponse> RequestCertificateAsync(PaperCertificateRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(PaperSigningRoutes.Certificates, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<PaperCertificateResponse>(response, JlisException.From, cancellationToken);
    }

    public async Task<X509Certificate2> RootCertificateAsync(CancellationToken cancellationToken = default) =>
        X509CertificateLoader.LoadCertificate(await GetDerAsync(PaperSigningRoutes.RootCertificate, cancellationToken));

    /// <summary>The current CRL (DER).</summary>
    public Task<byte[]> CrlAsync(CancellationToken cancellationToken = default) => GetDerAsync(PaperSigningRoutes.Crl, cancellationToken);

    private async Task<byte[]> GetDerAsync(string route, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(route, cancellationToken);
        await ServiceResponses.EnsureSuccessAsync(response, JlisException.From, cancellationToken);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }
}
