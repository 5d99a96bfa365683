using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Paper;
using Renkei.Jlis.Tests.Pki;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Paper;

/// <summary>J-LIS's certificate-signing CA: the wards' certificates, the CRL, revocation — checked with OpenSSL, and its routes over HTTP.</summary>
public sealed class PaperSigningAuthorityTests
{
    private static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void OpenSSL_verifies_a_wards_certificate_against_the_root_and_the_CRL_and_refuses_it_once_revoked(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        using var authority = PaperSigningAuthority.OpenOrCreate(pki.Database.Database, pki.Options, pki.Clock);
        var dir = pki.Directory.Path;
        using var wardKey = ECDsa.Create(PaperSigningProfile.Curve);
        using var ward = X509CertificateLoader.LoadCertificate(authority.Issue(Shinagawa, "品川区", wardKey.ExportSubjectPublicKeyInfo()));
        using var other = X509CertificateLoader.LoadCertificate(authority.Issue(Shinagawa, "品川区", wardKey.ExportSubjectPublicKeyInfo()));
        using var root = authority.RootCertificate;
        Pem.WriteCertificate(Path.Combine(dir, "root.pem"), root);
        Pem.WriteCertificate(Path.Combine(dir, "ward.pem"), ward);
        Pem.WriteCertificate(Path.Combine(dir, "other.pem"), other);
        File.WriteAllText(Path.Combine(dir, "crl.pem"), Renkei.Jlis.Pki.JpkiEndpoints.PemText("X509 CRL", authority.CurrentCrl()));

        Verified(OpenSsl.Run(dir, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "ward.pem"));
        var text = OpenSsl.Run(dir, "x509", "-in", "ward.pem", "-noout", "-text", "-nameopt", "utf8,sep_comma_plus_space");
        Assert.Contains("CN=131091", text.Output);
        Assert.Contains("O=品川区", text.Output);
        Assert.Contains("Digital Signature", text.Output);
        Assert.Contains(PaperSigningProfile.CertificateSigningOid, text.Output);
        Assert.Contains("ASN1 OID: prime256v1", text.Output);
        Assert.Contains("ecdsa-with-SHA256", text.Output);
        Assert.Equal(new[] { ward.SerialNumber, other.SerialNumber }.Order(), authority.Certificates(Shinagawa).Select(c => c.SerialNumber).Order());

        authority.Revoke(ward.SerialNumber.ToLowerInvariant());
        authority.Revoke(ward.SerialNumber); // again: nothing changes
        var crl = authority.CurrentCrl();
        File.WriteAllText(Path.Combine(dir, "crl.pem"), Renkei.Jlis.Pki.JpkiEndpoints.PemText("X509 CRL", crl));
        var revoked = OpenSsl.Run(dir, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "ward.pem");
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.Output);
        Verified(OpenSsl.Run(dir, "verify", "-crl_check", "-CRLfile", "crl.pem", "-CAfile", "root.pem", "other.pem"));
        var crlText = OpenSsl.Run(dir, "crl", "-in", "crl.pem", "-CAfile", "root.pem", "-noout", "-text");
        Assert.Contains("verify OK", crlText.Output);
        Assert.Contains("Key Compromise", crlText.Output);
        var contents = CrlContents.Parse(crl);
        Assert.Equal([ward.SerialNumber], contents.Entries.Keys);
        Assert.Equal(2, (int)contents.Number); // one at first publication, one for the revocation (the second revocation wrote none)
        Assert.Equal([true, false], authority.Certificates(Shinagawa).OrderBy(c => c.SerialNumber != ward.SerialNumber).Select(c => c.Revoked));

        var unknown = Assert.Throws<RefusalException>(() => authority.Revoke("0123456789ABCDEF"));
        Assert.Equal((404, "unknown-certificate"), (unknown.Status, unknown.Code));
        using var rsa = RSA.Create(2048);
        Assert.Equal("invalid-key", Assert.Throws<RefusalException>(() => authority.Issue(Shinagawa, "品川区", rsa.ExportSubjectPublicKeyInfo())).Code);
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Equal("invalid-key", Assert.Throws<RefusalException>(() => authority.Issue(Shinagawa, "品川区", p384.ExportSubjectPublicKeyInfo())).Code);

        // Another process on the same database and key file sees the same root.
        using var again = PaperSigningAuthority.OpenOrCreate(pki.Database.Database, pki.Options, pki.Clock);
        using var againRoot = again.RootCertificate;
        Assert.Equal(root.RawData, againRoot.RawData);
        Assert.Throws<Renkei.Jlis.Pki.JpkiKeyFileException>(() =>
            PaperSigningAuthority.OpenOrCreate(pki.Database.Database, new Renkei.Jlis.Pki.JpkiOptions(pki.Options.KeyDirectory, "a wrong passphrase"), pki.Clock));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_ward_obtains_a_certificate_only_in_its_own_name_and_the_root_and_CRL_are_public(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        await using var host = await TestModules.StartJlisAsync(pki.Database.Database, new JlisOptions
        {
            KeyFilePath = pki.Directory.File("numbering.key"),
            Pki = new JpkiSettings { KeyDirectory = pki.Options.KeyDirectory, Passphrase = PkiFixture.Passphrase },
        });
        using var http = JlisCallers.Client(host.BaseAddress, Shinagawa.Digits, pki.Directory.File("ward"), pki.Database.Database, JlisRoles.Municipality);
        var client = new PaperSigningHttpClient(http);
        using var key = ECDsa.Create(PaperSigningProfile.Curve);
        var spki = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

        var issued = await client.RequestCertificateAsync(new PaperCertificateRequest(Shinagawa.Digits, "品川区", spki));
        using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(issued.Certificate));
        using var certificateKey = certificate.GetECDsaPublicKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificateKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(Shinagawa.Digits, certificate.GetNameInfo(X509NameType.SimpleName, false));

        // Public: anyone, unsigned.
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        var publicClient = new PaperSigningHttpClient(anonymous);
        using var root = await publicClient.RootCertificateAsync();
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate));
        Assert.Empty(CrlContents.Parse(await publicClient.CrlAsync()).Entries);
        using (var pem = await anonymous.GetAsync(PaperSigningRoutes.Crl + "?" + PkiRoutes.PemQuery))
            Assert.StartsWith("-----BEGIN X509 CRL-----", await pem.Content.ReadAsStringAsync());

        // Another ward's name: refused; unsigned: refused; a key that is not P-256: refused with the field named.
        var otherWard = await http.PostAsJsonAsync(PaperSigningRoutes.Certificates, new PaperCertificateRequest("131113", "大田区", spki), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Forbidden, otherWard.StatusCode);
        var unsigned = await anonymous.PostAsJsonAsync(PaperSigningRoutes.Certificates, new PaperCertificateRequest(Shinagawa.Digits, "品川区", spki), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        var badKey = await http.PostAsJsonAsync(PaperSigningRoutes.Certificates, new PaperCertificateRequest(Shinagawa.Digits, "品川区", "bm90IGEga2V5"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        var problem = (await badKey.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;
        Assert.Equal("invalid-key", problem.Code);
        Assert.StartsWith("publicKey:", problem.Detail);
    }

    private static void Verified(OpenSsl.Result result) => Assert.True(result.ExitCode == 0 && result.Output.Contains(": OK", StringComparison.Ordinal), result.ToString());
}
