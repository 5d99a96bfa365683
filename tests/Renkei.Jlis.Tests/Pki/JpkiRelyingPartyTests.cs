using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Pki;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Pki;

/// <summary>
/// <see cref="JpkiRelyingParty"/> against the real JPKI authority served over HTTP on loopback (SQLite and PostgreSQL):
/// genuine certificates of both kinds pass and yield their facts; a foreign CA, the other kind, a suspended or revoked
/// certificate, an expired one and a tampered signature are each refused with their own code.
/// </summary>
public sealed class JpkiRelyingPartyTests
{
    private static readonly byte[] Document = Encoding.UTF8.GetBytes("{\"format\":\"renkei-e-application/1\"}");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Genuine_certificates_pass_and_every_kind_of_failure_has_its_own_code(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        await using var host = await StartAsync(pki);
        // An approved verifier registered at J-LIS: certificate status is for them (the CA certificates and CRLs are public).
        using var http = JlisCallers.Client(host.BaseAddress, "VERIF1", pki.Directory.File("verifier"), pki.Database.Database, JlisRoles.Verifier);
        var verifier = new JpkiRelyingParty(new JpkiHttpClient(http), new JpkiRelyingPartyOptions { Clock = pki.Clock });

        using var userKey = RSA.Create(2048);
        using var signingKey = RSA.Create(2048);
        var notAfter = pki.Clock.Now.AddYears(5);
        using var user = pki.Authority.IssueUserCertificate(userKey, notAfter);
        using var signing = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, signingKey, notAfter);

        // Genuine: the user certificate names nobody; the signing certificate yields the four facts.
        var verifiedUser = await verifier.VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, Sign(userKey, Document));
        Assert.Equal(JpkiAuthority.NormalizeSerial(user.SerialNumber), verifiedUser.SerialNumber);
        Assert.Equal(JpkiCertificateKind.UserAuthentication, verifiedUser.Kind);
        Assert.Equal(new DateTimeOffset(user.NotAfter.ToUniversalTime()), verifiedUser.NotAfter);
        Assert.Null(verifiedUser.Subject);
        var verifiedSigning = await verifier.VerifyAsync(JpkiCertificateKind.Signing, Convert.ToBase64String(signing.RawData), Document,
            Convert.ToBase64String(Sign(signingKey, Document)));
        Assert.Equal(PkiFixture.Hanako, verifiedSigning.Subject);
        Assert.Equal(JpkiAuthority.NormalizeSerial(signing.SerialNumber), verifiedSigning.SerialNumber);
        Assert.DoesNotContain("花子", verifiedSigning.ToString());

        // A tampered document, a signature by another key, a signature that is not base64.
        var tampered = (byte[])Document.Clone();
        tampered[^2] ^= 1;
        await Refused(JpkiVerificationCodes.BadSignature, verifier.VerifyAsync(JpkiCertificateKind.Signing, signing.RawData, tampered, Sign(signingKey, Document)));
        await Refused(JpkiVerificationCodes.BadSignature, verifier.VerifyAsync(JpkiCertificateKind.Signing, signing.RawData, Document, Sign(userKey, Document)));
        await Refused(JpkiVerificationCodes.BadSignature,
            verifier.VerifyAsync(JpkiCertificateKind.Signing, Convert.ToBase64String(signing.RawData), Document, "not base64!"));

        // The other kind: a signing certificate is not a user-authentication certificate, and vice versa.
        await Refused(JpkiVerificationCodes.CertificateNotTrusted,
            verifier.VerifyAsync(JpkiCertificateKind.UserAuthentication, signing.RawData, Document, Sign(signingKey, Document)));
        await Refused(JpkiVerificationCodes.CertificateNotTrusted,
            verifier.VerifyAsync(JpkiCertificateKind.Signing, user.RawData, Document, Sign(userKey, Document)));
        await Refused(JpkiVerificationCodes.CertificateNotTrusted,
            verifier.VerifyAsync(JpkiCertificateKind.Signing, Encoding.UTF8.GetBytes("not a certificate"), Document, Sign(signingKey, Document)));

        // A foreign CA that copies J-LIS's names and the certificate's profile is still not J-LIS.
        using var foreignKey = RSA.Create(2048);
        using var foreign = ForgeLike(signing, foreignKey, pki.Authority.IssuingCaCertificate(JpkiCertificateKind.Signing).SubjectName);
        Assert.Equal(PkiFixture.Hanako, JpkiProfile.ReadSigningSubject(foreign));
        await Refused(JpkiVerificationCodes.CertificateNotTrusted,
            verifier.VerifyAsync(JpkiCertificateKind.Signing, foreign.RawData, Document, Sign(foreignKey, Document)));

        // Suspended, then resumed, then revoked.
        pki.Authority.Suspend(JpkiCertificateKind.UserAuthentication, user.SerialNumber);
        await Refused(JpkiVerificationCodes.CertificateSuspended,
            verifier.VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, Sign(userKey, Document)));
        pki.Authority.Resume(JpkiCertificateKind.UserAuthentication, user.SerialNumber);
        await verifier.VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, Sign(userKey, Document));
        pki.Authority.Revoke(JpkiCertificateKind.Signing, signing.SerialNumber, X509RevocationReason.AffiliationChanged);
        var revoked = await Refused(JpkiVerificationCodes.CertificateRevoked,
            verifier.VerifyAsync(JpkiCertificateKind.Signing, signing.RawData, Document, Sign(signingKey, Document)));
        Assert.DoesNotContain(JpkiAuthority.NormalizeSerial(signing.SerialNumber), revoked.Message, StringComparison.OrdinalIgnoreCase);

        // Expired at the relying party's clock (the good user certificate).
        pki.Clock.Now = notAfter.AddSeconds(1);
        await Refused(JpkiVerificationCodes.CertificateExpired,
            verifier.VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, Sign(userKey, Document)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pinned_anchors_of_another_authority_trust_none_of_this_one_and_an_unknown_serial_is_not_trusted(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        using var other = PkiFixture.Create("sqlite");
        using var key = RSA.Create(2048);
        using var user = pki.Authority.IssueUserCertificate(key, pki.Clock.Now.AddYears(5));
        var signature = Sign(key, Document);
        var statusAsked = 0;

        JpkiRelyingParty Pinned(JpkiAuthority authority, CertificateStatus status) => new(
            new JpkiTrustAnchors(authority.RootCertificate, authority.IssuingCaCertificate(JpkiCertificateKind.Signing),
                authority.IssuingCaCertificate(JpkiCertificateKind.UserAuthentication)),
            (_, _, _) =>
            {
                Interlocked.Increment(ref statusAsked);
                return Task.FromResult(status);
            },
            pki.Clock);

        await Refused(JpkiVerificationCodes.CertificateNotTrusted,
            Pinned(other.Authority, CertificateStatus.Good).VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, signature));
        Assert.Equal(0, statusAsked); // refused before J-LIS is asked
        await Refused(JpkiVerificationCodes.CertificateNotTrusted,
            Pinned(pki.Authority, CertificateStatus.Unknown).VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, signature));
        var verified = await Pinned(pki.Authority, CertificateStatus.Good).VerifyAsync(JpkiCertificateKind.UserAuthentication, user.RawData, Document, signature);
        Assert.Equal(JpkiAuthority.NormalizeSerial(user.SerialNumber), verified.SerialNumber);
        Assert.Equal(2, statusAsked);
    }

    private static byte[] Sign(RSA key, byte[] data) => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    private static async Task<JpkiVerificationException> Refused(string code, Task<VerifiedJpkiCertificate> verification)
    {
        var refusal = await Assert.ThrowsAsync<JpkiVerificationException>(() => verification);
        Assert.Equal(code, refusal.Code);
        Assert.Matches(@"\(.+\)$", refusal.Message); // English, then Japanese in parentheses
        return refusal;
    }

    /// <summary>
    /// A certificate with <paramref name="genuine"/>'s subject, extensions and validity for <paramref name="holderKey"/>,
    /// issued by a self-made CA under <paramref name="issuerName"/> (J-LIS's name, not its key).
    /// </summary>
    private static X509Certificate2 ForgeLike(X509Certificate2 genuine, RSA holderKey, X500DistinguishedName issuerName)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest(issuerName, caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-1), DateTimeOffset.UtcNow.AddYears(20));
        var request = new CertificateRequest(genuine.SubjectName, holderKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        foreach (var extension in genuine.Extensions)
            if (extension.Oid?.Value != "2.5.29.35") request.CertificateExtensions.Add(extension);
        return request.Create(ca, new DateTimeOffset(genuine.NotBefore.ToUniversalTime()), new DateTimeOffset(genuine.NotAfter.ToUniversalTime()),
            genuine.GetSerialNumber().Reverse().ToArray());
    }

    private static Task<ServiceHost> StartAsync(PkiFixture pki) =>
        TestModules.StartJlisAsync(pki.Database.Database, new JlisOptions
        {
            KeyFilePath = pki.Directory.File("numbering.key"),
            Pki = new JpkiSettings { KeyDirectory = pki.Options.KeyDirectory, Passphrase = PkiFixture.Passphrase },
        });
}
