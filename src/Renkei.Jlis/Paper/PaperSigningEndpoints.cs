using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Pki;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;

namespace Renkei.Jlis.Paper;

/// <summary>
/// The certificate-signing CA's routes (<see cref="PaperSigningRoutes"/>): the root and the CRL public (GET, DER or
/// <c>?format=pem</c>, as the JPKI routes), and a ward's certificate for its own key, asked for in its own name.
/// </summary>
public static class PaperSigningEndpoints
{
    public static void Map(WebApplication app, PaperSigningAuthority authority, Database database)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var registry = new JlisInstitutions(database);
        const string published = "J-LIS publishes the certificate-signing CA certificates and revocation list, so anyone can verify a certificate's paper (公開)";
        app.MapGet("/" + PaperSigningRoutes.RootCertificate, (HttpRequest http) => JpkiEndpoints.Certificate(http, () => authority.RootCertificate))
            .Produces<Stream>(StatusCodes.Status200OK, "application/pkix-cert", "application/x-pem-file").AllowPublic(published);
        app.MapGet("/" + PaperSigningRoutes.Crl, (HttpRequest http) => JpkiEndpoints.Crl(http, authority.CurrentCrl))
            .Produces<Stream>(StatusCodes.Status200OK, "application/pkix-crl", "application/x-pem-file").AllowPublic(published);
        app.MapPost("/" + PaperSigningRoutes.Certificates, (HttpRequest http) =>
            JlisEndpoints.Handle<PaperCertificateRequest, PaperCertificateResponse>(http.HttpContext,
                r => CallerClaims.RefuseUnlessSelf(http.HttpContext, r.Municipality, "municipality"),
                r =>
                {
                    if (LocalGovernmentCode.Parse(r.Municipality) is not { IsValid: true } code)
                        throw RefusalException.BadRequest("invalid-municipality", "municipality: a 6-digit local government code is required (団体コードが正しくありません)");
                    byte[] key;
                    try
                    {
                        key = Convert.FromBase64String(r.PublicKey);
                    }
                    catch (FormatException)
                    {
                        throw RefusalException.BadRequest("invalid-key", "publicKey: base64 of an ECDSA P-256 SubjectPublicKeyInfo is required (公開鍵が正しくありません)");
                    }
                    var name = registry.Find(code.Value.Digits)?.Name ?? r.Name;
                    using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(authority.Issue(code.Value, name, key));
                    return new PaperCertificateResponse(Convert.ToBase64String(certificate.RawData), certificate.SerialNumber,
                        new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
                }))
            .ExchangesJson<PaperCertificateRequest, PaperCertificateResponse>()
            .RequireInstitution("a ward (Municipality), for its own certificate-signing key", JlisRoles.Municipality);
    }
}
