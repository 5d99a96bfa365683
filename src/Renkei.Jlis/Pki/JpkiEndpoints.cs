using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Http;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Numbering;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Pki;

/// <summary>
/// J-LIS's certificate routes (<see cref="PkiRoutes"/>): the CA certificates and current CRLs (public GETs, DER as
/// application/pkix-cert and application/pkix-crl, or PEM with <c>?format=pem</c>) and the status of one certificate
/// (POST <see cref="CertificateStatusRequest"/>, the serial in the body).
/// </summary>
public static class JpkiEndpoints
{
    /// <summary>Maps the routes over an authority the caller owns (the host's container, <see cref="JlisModule.AddJlis"/>).</summary>
    public static void Map(WebApplication app, JpkiAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        const string published = "J-LIS publishes its CA certificates and revocation lists (公開)";
        app.MapGet("/" + PkiRoutes.RootCertificate, (HttpRequest http) =>
            Certificate(http, () => authority.RootCertificate)).Produces<Stream>(StatusCodes.Status200OK, "application/pkix-cert", "application/x-pem-file").AllowPublic(published);
        app.MapGet("/" + PkiRoutes.RootCrl, (HttpRequest http) =>
            Crl(http, authority.CurrentRootCrl)).Produces<Stream>(StatusCodes.Status200OK, "application/pkix-crl", "application/x-pem-file").AllowPublic(published);
        foreach (var kind in Enum.GetValues<JpkiCertificateKind>())
        {
            app.MapGet("/" + PkiRoutes.CaCertificate(kind), (HttpRequest http) =>
                Certificate(http, () => authority.IssuingCaCertificate(kind))).Produces<Stream>(StatusCodes.Status200OK, "application/pkix-cert", "application/x-pem-file").AllowPublic(published);
            app.MapGet("/" + PkiRoutes.Crl(kind), (HttpRequest http) =>
                Crl(http, () => authority.CurrentCrl(kind))).Produces<Stream>(StatusCodes.Status200OK, "application/pkix-crl", "application/x-pem-file").AllowPublic(published);
        }
        app.MapPost("/" + PkiRoutes.Status, (HttpRequest http) =>
            JlisEndpoints.Handle<CertificateStatusRequest, CertificateStatusResponse>(http.HttpContext, _ => null, request =>
            {
                var serial = JpkiAuthority.NormalizeSerial(request.SerialNumber);
                var record = authority.Record(request.Kind, serial);
                return new CertificateStatusResponse(request.Kind, serial, record?.Status ?? CertificateStatus.Unknown,
                    record?.RevokedAt, record?.Reason);
            })).ExchangesJson<CertificateStatusRequest, CertificateStatusResponse>().RequireInstitution(JlisEndpoints.ApprovedVerifiers, JlisRoles.ApprovedVerifiers);
    }

    internal static IResult Certificate(HttpRequest http, Func<X509Certificate2> certificate)
    {
        if (!TryFormat(http, out var pem)) return BadFormat();
        using var value = certificate();
        return pem
            ? Results.Text(value.ExportCertificatePem() + "\n", "application/x-pem-file")
            : Results.Bytes(value.RawData, "application/pkix-cert");
    }

    internal static IResult Crl(HttpRequest http, Func<byte[]> crl)
    {
        if (!TryFormat(http, out var pem)) return BadFormat();
        var der = crl();
        return pem
            ? Results.Text(PemText("X509 CRL", der), "application/x-pem-file")
            : Results.Bytes(der, "application/pkix-crl");
    }

    /// <summary>PEM text of <paramref name="der"/> under <paramref name="label"/>, with a final newline.</summary>
    public static string PemText(string label, byte[] der) => new string(System.Security.Cryptography.PemEncoding.Write(label, der)) + "\n";

    private static bool TryFormat(HttpRequest http, out bool pem)
    {
        var format = http.Query["format"].ToString();
        pem = string.Equals(format, "pem", StringComparison.OrdinalIgnoreCase);
        return pem || format.Length == 0 || string.Equals(format, "der", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult BadFormat() =>
        ErrorResponses.BadRequest("invalid-format", "format must be der or pem (形式は der または pem です)");
}
