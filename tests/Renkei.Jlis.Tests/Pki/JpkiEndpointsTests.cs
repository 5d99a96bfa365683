using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Pki;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Pki;

/// <summary>J-LIS's certificate routes over real HTTP on loopback, on SQLite and PostgreSQL.</summary>
public sealed class JpkiEndpointsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task CA_certificates_and_CRLs_are_served_as_DER_or_PEM_and_status_answers_for_each_state(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        await using var host = await StartAsync(pki);
        // An approved verifier registered at J-LIS: certificate status is for them (the CA certificates and CRLs are public).
        using var http = JlisCallers.Client(host.BaseAddress, "VERIF1", pki.Directory.File("verifier"), pki.Database.Database, JlisRoles.Verifier);
        var client = new JpkiHttpClient(http);

        using var root = await client.RootCertificateAsync();
        using var expectedRoot = pki.Authority.RootCertificate;
        Assert.Equal(expectedRoot.RawData, root.RawData);
        foreach (var kind in Enum.GetValues<JpkiCertificateKind>())
        {
            using var ca = await client.CaCertificateAsync(kind);
            using var expected = pki.Authority.IssuingCaCertificate(kind);
            Assert.Equal(expected.RawData, ca.RawData);
        }
        using (var response = await http.GetAsync(PkiRoutes.CaCertificate(JpkiCertificateKind.Signing)))
            Assert.Equal("application/pkix-cert", response.Content.Headers.ContentType?.MediaType);
        using (var response = await http.GetAsync(PkiRoutes.RootCertificate + "?" + PkiRoutes.PemQuery))
        {
            Assert.Equal("application/x-pem-file", response.Content.Headers.ContentType?.MediaType);
            using var fromPem = X509Certificate2.CreateFromPem(await response.Content.ReadAsStringAsync());
            Assert.Equal(expectedRoot.RawData, fromPem.RawData);
        }
        using (var response = await http.GetAsync(PkiRoutes.RootCertificate + "?format=xml"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid-format", (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);
        }

        // Another J-LIS process on the same database issues and revokes; the service answers from the database.
        using var other = pki.OpenAgain();
        using var key = RSA.Create(2048);
        using var good = other.IssueUserCertificate(key, pki.Clock.Now.AddYears(5));
        using var revoked = other.IssueUserCertificate(key, pki.Clock.Now.AddYears(5));
        using var suspended = other.IssueSigningCertificate(PkiFixture.Hanako, key, pki.Clock.Now.AddYears(5));
        other.Revoke(JpkiCertificateKind.UserAuthentication, revoked.SerialNumber, X509RevocationReason.Superseded);
        other.Suspend(JpkiCertificateKind.Signing, suspended.SerialNumber);

        var goodStatus = await client.StatusAsync(new CertificateStatusRequest(JpkiCertificateKind.UserAuthentication, good.SerialNumber.ToLowerInvariant()));
        Assert.Equal(new CertificateStatusResponse(JpkiCertificateKind.UserAuthentication, good.SerialNumber, CertificateStatus.Good, null, null), goodStatus);
        var revokedStatus = await client.StatusAsync(new CertificateStatusRequest(JpkiCertificateKind.UserAuthentication, revoked.SerialNumber));
        Assert.Equal(CertificateStatus.Revoked, revokedStatus.Status);
        Assert.Equal(X509RevocationReason.Superseded, revokedStatus.Reason);
        Assert.Equal(pki.Clock.Now, revokedStatus.RevokedAt);
        var suspendedStatus = await client.StatusAsync(new CertificateStatusRequest(JpkiCertificateKind.Signing, suspended.SerialNumber));
        Assert.Equal((CertificateStatus.Suspended, X509RevocationReason.CertificateHold), (suspendedStatus.Status, suspendedStatus.Reason));
        Assert.Equal(CertificateStatus.Unknown,
            (await client.StatusAsync(new CertificateStatusRequest(JpkiCertificateKind.Signing, good.SerialNumber))).Status);

        // The CRL the service hands out lists the revoked and the suspended certificate, as DER and as PEM.
        var userCrl = CrlContents.Parse(await client.CrlAsync(JpkiCertificateKind.UserAuthentication));
        Assert.Equal([revoked.SerialNumber], userCrl.Entries.Keys);
        using (var response = await http.GetAsync(PkiRoutes.Crl(JpkiCertificateKind.Signing) + "?" + PkiRoutes.PemQuery))
        {
            var pem = await response.Content.ReadAsStringAsync();
            Assert.StartsWith("-----BEGIN X509 CRL-----", pem);
            var der = Convert.FromBase64String(pem.Replace("-----BEGIN X509 CRL-----", "").Replace("-----END X509 CRL-----", "").Trim());
            Assert.Equal([suspended.SerialNumber], CrlContents.Parse(der).Entries.Keys);
        }
        using (var response = await http.GetAsync(PkiRoutes.RootCrl))
        {
            Assert.Equal("application/pkix-crl", response.Content.Headers.ContentType?.MediaType);
            Assert.Empty(CrlContents.Parse(await response.Content.ReadAsByteArrayAsync()).Entries);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Malformed_status_requests_get_a_problem_with_a_stable_code(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        await using var host = await StartAsync(pki);
        // An approved verifier registered at J-LIS: certificate status is for them (the CA certificates and CRLs are public).
        using var http = JlisCallers.Client(host.BaseAddress, "VERIF1", pki.Directory.File("verifier"), pki.Database.Database, JlisRoles.Verifier);
        var client = new JpkiHttpClient(http);

        var badSerial = await Assert.ThrowsAsync<JlisException>(() =>
            client.StatusAsync(new CertificateStatusRequest(JpkiCertificateKind.Signing, "not-hex")));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-serial"), (badSerial.Status, badSerial.Code));
        Assert.DoesNotContain("not-hex", badSerial.Message);

        foreach (var body in new[] { "{}", "{\"kind\":\"signing\"}", "{\"kind\":\"card\",\"serialNumber\":\"0A\"}", "" })
        {
            using var response = await http.PostAsync(PkiRoutes.Status, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;
            Assert.Equal("invalid-request", problem.Code);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task J_LIS_does_not_start_with_the_wrong_passphrase(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        var options = new JlisOptions
        {
            KeyFilePath = pki.Directory.File("numbering.key"),
            Pki = new JpkiSettings { KeyDirectory = pki.Options.KeyDirectory, Passphrase = "a wrong passphrase" },
        };
        var failure = await Assert.ThrowsAsync<JpkiKeyFileException>(() => TestModules.StartJlisAsync(pki.Database.Database, options));
        Assert.Contains(pki.Options.KeyFilePath, failure.Message);
    }

    private static Task<ServiceHost> StartAsync(PkiFixture pki) =>
        TestModules.StartJlisAsync(pki.Database.Database, new JlisOptions
        {
            KeyFilePath = pki.Directory.File("numbering.key"),
            Pki = new JpkiSettings { KeyDirectory = pki.Options.KeyDirectory, Passphrase = PkiFixture.Passphrase },
        });
}
