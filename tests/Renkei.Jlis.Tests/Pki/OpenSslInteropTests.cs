using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Pki;

/// <summary>
/// What a relying party does with nothing but OpenSSL and the exported PEM files (<see cref="JpkiExport"/>, the files
/// `renkei pki export` writes): verify the chain, check the CRLs, verify signatures made with the card's keys.
/// </summary>
public sealed class OpenSslInteropTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Issued_certificates_verify_against_the_exported_chain_and_the_CRL_rejects_revoked_and_suspended_ones(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        var dir = pki.Directory.Path;
        using var signingKey = RSA.Create(2048);
        using var userKey = RSA.Create(2048);
        using var otherKey = RSA.Create(2048);
        using var signing = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, signingKey, pki.Clock.Now.AddYears(5));
        using var user = pki.Authority.IssueUserCertificate(userKey, pki.Clock.Now.AddYears(5));
        using var revoked = pki.Authority.IssueUserCertificate(otherKey, pki.Clock.Now.AddYears(5));
        Pem.WriteCertificate(Path.Combine(dir, "signing.pem"), signing);
        Pem.WriteCertificate(Path.Combine(dir, "user.pem"), user);
        Pem.WriteCertificate(Path.Combine(dir, "revoked.pem"), revoked);

        var export = Path.Combine(dir, "export");
        JpkiExport.WriteTo(pki.Authority, export);
        var root = Path.Combine(export, JpkiExport.RootCertificateFile);
        var signingCa = Path.Combine(export, JpkiExport.CaCertificateFile(JpkiCertificateKind.Signing));
        var userCa = Path.Combine(export, JpkiExport.CaCertificateFile(JpkiCertificateKind.UserAuthentication));

        AssertVerified(OpenSsl.Run(dir, "verify", "-CAfile", root, "-untrusted", signingCa, "signing.pem"));
        AssertVerified(OpenSsl.Run(dir, "verify", "-CAfile", root, "-untrusted", userCa, "user.pem"));
        AssertVerified(OpenSsl.Run(dir, "verify", "-CAfile", root, "-untrusted", userCa, "revoked.pem")); // no CRL check yet
        // The wrong issuing CA does not make a chain.
        Assert.NotEqual(0, OpenSsl.Run(dir, "verify", "-CAfile", root, "-untrusted", signingCa, "user.pem").ExitCode);

        pki.Authority.Revoke(JpkiCertificateKind.UserAuthentication, revoked.SerialNumber, X509RevocationReason.KeyCompromise);
        pki.Authority.Suspend(JpkiCertificateKind.Signing, signing.SerialNumber);
        JpkiExport.WriteTo(pki.Authority, export);
        var userCrl = Path.Combine(export, JpkiExport.CrlFile(JpkiCertificateKind.UserAuthentication));
        var signingCrl = Path.Combine(export, JpkiExport.CrlFile(JpkiCertificateKind.Signing));

        AssertVerified(OpenSsl.Run(dir, "verify", "-crl_check", "-CRLfile", userCrl, "-CAfile", root, "-untrusted", userCa, "user.pem"));
        var rejected = OpenSsl.Run(dir, "verify", "-crl_check", "-CRLfile", userCrl, "-CAfile", root, "-untrusted", userCa, "revoked.pem");
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("certificate revoked", rejected.Output);
        var held = OpenSsl.Run(dir, "verify", "-crl_check", "-CRLfile", signingCrl, "-CAfile", root, "-untrusted", signingCa, "signing.pem");
        Assert.NotEqual(0, held.ExitCode);
        Assert.Contains("certificate revoked", held.Output);

        // Resumed: the regenerated CRL no longer lists it. The whole chain checks against all three CRLs.
        pki.Authority.Resume(JpkiCertificateKind.Signing, signing.SerialNumber);
        JpkiExport.WriteTo(pki.Authority, export);
        var allCrls = Path.Combine(dir, "all-crls.pem");
        File.WriteAllText(allCrls, File.ReadAllText(Path.Combine(export, JpkiExport.RootCrlFile)) + File.ReadAllText(signingCrl) + File.ReadAllText(userCrl));
        AssertVerified(OpenSsl.Run(dir, "verify", "-crl_check_all", "-CRLfile", allCrls, "-CAfile", root, "-untrusted", signingCa, "signing.pem"));
        Assert.NotEqual(0, OpenSsl.Run(dir, "verify", "-crl_check_all", "-CRLfile", allCrls, "-CAfile", root, "-untrusted", userCa, "revoked.pem").ExitCode);

        // Each CRL is signed by its CA, and its number went up with every change.
        var crlText = OpenSsl.Run(dir, "crl", "-in", userCrl, "-CAfile", userCa, "-noout", "-text");
        Assert.True(crlText.ExitCode == 0, crlText.ToString());
        Assert.Contains("verify OK", crlText.Output);
        Assert.Contains("X509v3 CRL Number", crlText.Output);
        Assert.Contains("Key Compromise", crlText.Output);
        Assert.Contains(revoked.SerialNumber, crlText.Output.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_document_signed_with_the_signing_key_and_a_challenge_signed_with_the_user_key_verify_with_openssl_dgst(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        var dir = pki.Directory.Path;
        using var signingKey = RSA.Create(2048);
        using var userKey = RSA.Create(2048);
        using var signing = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, signingKey, pki.Clock.Now.AddYears(5));
        using var user = pki.Authority.IssueUserCertificate(userKey, pki.Clock.Now.AddYears(5));
        Pem.WriteCertificate(Path.Combine(dir, "signing.pem"), signing);
        Pem.WriteCertificate(Path.Combine(dir, "user.pem"), user);

        // e-application (電子申請) signed with the signing key: RSA PKCS#1 v1.5 over SHA-256.
        var document = Encoding.UTF8.GetBytes("{\"application\":\"保育所入所申込\",\"date\":\"2026-11-22\"}");
        File.WriteAllBytes(Path.Combine(dir, "application.json"), document);
        File.WriteAllBytes(Path.Combine(dir, "application.sig"), signingKey.SignData(document, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        // Login challenge (ログイン) from the portal, signed with the user-authentication key.
        var challenge = RandomNumberGenerator.GetBytes(32);
        File.WriteAllBytes(Path.Combine(dir, "challenge.bin"), challenge);
        File.WriteAllBytes(Path.Combine(dir, "challenge.sig"), userKey.SignData(challenge, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        foreach (var (certificate, data, signature) in new[] { ("signing.pem", "application.json", "application.sig"), ("user.pem", "challenge.bin", "challenge.sig") })
        {
            var publicKey = Path.ChangeExtension(certificate, ".pub.pem");
            var extracted = OpenSsl.Run(dir, "x509", "-in", certificate, "-pubkey", "-noout", "-out", publicKey);
            Assert.True(extracted.ExitCode == 0, extracted.ToString());
            var verified = OpenSsl.Run(dir, "dgst", "-sha256", "-verify", publicKey, "-signature", signature, data);
            Assert.True(verified.ExitCode == 0, verified.ToString());
            Assert.Contains("Verified OK", verified.Output);
        }

        // A changed document, or the challenge checked against the other certificate's key, fails.
        File.WriteAllBytes(Path.Combine(dir, "application.json"), Encoding.UTF8.GetBytes("{\"application\":\"changed\"}"));
        var tampered = OpenSsl.Run(dir, "dgst", "-sha256", "-verify", "signing.pub.pem", "-signature", "application.sig", "application.json");
        Assert.NotEqual(0, tampered.ExitCode);
        Assert.Contains("Verification failure", tampered.Output);
        Assert.NotEqual(0, OpenSsl.Run(dir, "dgst", "-sha256", "-verify", "signing.pub.pem", "-signature", "challenge.sig", "challenge.bin").ExitCode);
    }

    [Fact]
    public void OpenSSL_reads_the_profiles_the_SAN_facts_of_the_signing_certificate_and_nothing_personal_in_the_user_certificate()
    {
        using var pki = PkiFixture.Create("sqlite");
        var dir = pki.Directory.Path;
        using var key = RSA.Create(2048);
        using var signing = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, key, pki.Clock.Now.AddYears(5));
        using var user = pki.Authority.IssueUserCertificate(key, pki.Clock.Now.AddYears(5));
        Pem.WriteCertificate(Path.Combine(dir, "signing.pem"), signing);
        Pem.WriteCertificate(Path.Combine(dir, "user.pem"), user);

        var signingText = OpenSsl.Run(dir, "x509", "-in", "signing.pem", "-noout", "-text");
        Assert.True(signingText.ExitCode == 0, signingText.ToString());
        Assert.Contains("Subject Alternative Name", signingText.Output);
        Assert.Contains("Digital Signature, Non Repudiation", signingText.Output);
        Assert.Contains("CA:FALSE", signingText.Output);
        Assert.Contains(JpkiProfile.SigningPolicyOid, signingText.Output);
        Assert.Contains("http://jlis.renkei.test/jpki/crls/signing", signingText.Output);
        Assert.Contains("sha256WithRSAEncryption", signingText.Output);
        Assert.Contains("Public-Key: (2048 bit)", signingText.Output);

        // The SAN's otherNames, parsed by OpenSSL: four UTF8Strings under the documented OIDs.
        var der = Path.Combine(dir, "signing.der");
        File.WriteAllBytes(der, signing.RawData);
        var certificateDump = OpenSsl.Run(dir, "asn1parse", "-inform", "DER", "-in", der).Output.Split('\n');
        var sanLine = Array.FindIndex(certificateDump, line => line.Contains("X509v3 Subject Alternative Name", StringComparison.Ordinal));
        Assert.True(sanLine >= 0, "OpenSSL sees no subjectAltName extension");
        var valueLine = certificateDump.Skip(sanLine + 1).First(line => line.Contains("OCTET STRING", StringComparison.Ordinal));
        var offset = valueLine[..valueLine.IndexOf(':')].Trim();
        var parsed = OpenSsl.Run(dir, "asn1parse", "-inform", "DER", "-in", der, "-strparse", offset);
        Assert.True(parsed.ExitCode == 0, parsed.ToString());
        foreach (var oid in new[] { JpkiProfile.NameOid, JpkiProfile.BirthDateOid, JpkiProfile.SexOid, JpkiProfile.AddressOid })
            Assert.Contains(oid, parsed.Output);
        Assert.Contains("UTF8STRING        :1980-01-15", parsed.Output);

        var userText = OpenSsl.Run(dir, "x509", "-in", "user.pem", "-noout", "-text", "-nameopt", "utf8");
        Assert.True(userText.ExitCode == 0, userText.ToString());
        Assert.DoesNotContain("Subject Alternative Name", userText.Output);
        Assert.Contains($"Subject: C=JP, CN={user.SerialNumber}", userText.Output);
        Assert.Contains(JpkiProfile.UserAuthenticationPolicyOid, userText.Output);
        Assert.DoesNotContain("山田", userText.Output);
    }

    private static void AssertVerified(OpenSsl.Result result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(": OK", result.Output);
    }
}
