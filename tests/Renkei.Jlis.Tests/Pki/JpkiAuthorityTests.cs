using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Pki;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Pki;

/// <summary>J-LIS's JPKI CAs on SQLite and PostgreSQL: key file, profiles, records, revocation and CRLs.</summary>
public sealed class JpkiAuthorityTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Creates_a_root_and_two_issuing_CAs_and_reopens_the_same_ones(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        using var root = pki.Authority.RootCertificate;
        using var signingCa = pki.Authority.IssuingCaCertificate(JpkiCertificateKind.Signing);
        using var userCa = pki.Authority.IssuingCaCertificate(JpkiCertificateKind.UserAuthentication);

        Assert.False(root.HasPrivateKey);
        Assert.Equal(root.SubjectName.RawData, root.IssuerName.RawData);
        foreach (var (ca, pathLength) in new[] { (root, 1), (signingCa, 0), (userCa, 0) })
        {
            Assert.Equal(2048, ca.GetRSAPublicKey()!.KeySize);
            Assert.Equal("1.2.840.113549.1.1.11", ca.SignatureAlgorithm.Value); // sha256WithRSAEncryption
            var constraints = Assert.IsType<X509BasicConstraintsExtension>(ca.Extensions["2.5.29.19"]);
            Assert.True(constraints.Critical);
            Assert.True(constraints.CertificateAuthority);
            Assert.Equal(pathLength, constraints.PathLengthConstraint);
            var usage = Assert.IsType<X509KeyUsageExtension>(ca.Extensions["2.5.29.15"]);
            Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        }
        Assert.Equal(root.SubjectName.RawData, signingCa.IssuerName.RawData);
        Assert.Equal(root.SubjectName.RawData, userCa.IssuerName.RawData);
        Assert.NotEqual(signingCa.GetPublicKey(), userCa.GetPublicKey());
        Assert.Equal(JpkiCertificateKind.Signing, JpkiProfile.KindOf(signingCa));
        Assert.Equal(JpkiCertificateKind.UserAuthentication, JpkiProfile.KindOf(userCa));

        using var again = pki.OpenAgain();
        using var rootAgain = again.RootCertificate;
        using var signingAgain = again.IssuingCaCertificate(JpkiCertificateKind.Signing);
        Assert.Equal(root.RawData, rootAgain.RawData);
        Assert.Equal(signingCa.RawData, signingAgain.RawData);

        // A certificate issued through one instance is known to the other (one database).
        using var holder = RSA.Create(2048);
        using var issued = again.IssueUserCertificate(holder, pki.Clock.Now.AddYears(5));
        Assert.Equal(CertificateStatus.Good, pki.Authority.Status(JpkiCertificateKind.UserAuthentication, issued.SerialNumber));
    }

    [Fact]
    public void The_key_file_is_three_encrypted_PKCS8_blocks_under_PBES2_AES256_and_PBKDF2_SHA256_readable_only_by_its_owner()
    {
        using var pki = PkiFixture.Create("sqlite", JpkiOptions.DefaultKeyFileIterations);
        var path = pki.Options.KeyFilePath;
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var text = File.ReadAllText(path);
        Assert.DoesNotContain(PkiFixture.Passphrase, text);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", text);
        Assert.DoesNotContain("BEGIN RSA PRIVATE KEY", text);

        var blocks = 0;
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            Assert.Equal("ENCRYPTED PRIVATE KEY", rest[fields.Label].ToString());
            var der = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            // EncryptedPrivateKeyInfo { AlgorithmIdentifier { PBES2, { keyDerivationFunc, encryptionScheme } }, octets }
            var info = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
            var algorithm = info.ReadSequence();
            Assert.Equal("1.2.840.113549.1.5.13", algorithm.ReadObjectIdentifier()); // PBES2
            var parameters = algorithm.ReadSequence();
            var kdf = parameters.ReadSequence();
            Assert.Equal("1.2.840.113549.1.5.12", kdf.ReadObjectIdentifier()); // PBKDF2
            var pbkdf2 = kdf.ReadSequence();
            pbkdf2.ReadOctetString(); // salt
            Assert.Equal(JpkiOptions.DefaultKeyFileIterations, (int)pbkdf2.ReadInteger());
            var prf = pbkdf2.ReadSequence();
            Assert.Equal("1.2.840.113549.2.9", prf.ReadObjectIdentifier()); // hmacWithSHA256
            var scheme = parameters.ReadSequence();
            Assert.Equal("2.16.840.1.101.3.4.1.42", scheme.ReadObjectIdentifier()); // aes256-CBC
            blocks++;
            rest = rest[fields.Location.End..];
        }
        Assert.Equal(3, blocks);

        // OpenSSL opens the first key with the passphrase, and the key is the root CA's.
        var result = OpenSsl.Run(pki.Directory.Path, "pkey", "-in", path, "-passin", "env:RENKEI_TEST_JPKI_PASS", "-pubout");
        Assert.NotEqual(0, result.ExitCode); // no passphrase in the environment: refused
        Environment.SetEnvironmentVariable("RENKEI_TEST_JPKI_PASS", PkiFixture.Passphrase);
        try
        {
            result = OpenSsl.Run(pki.Directory.Path, "pkey", "-in", path, "-passin", "env:RENKEI_TEST_JPKI_PASS", "-pubout");
        }
        finally
        {
            Environment.SetEnvironmentVariable("RENKEI_TEST_JPKI_PASS", null);
        }
        Assert.True(result.ExitCode == 0, result.ToString());
        using var root = pki.Authority.RootCertificate;
        Assert.Equal(root.GetRSAPublicKey()!.ExportSubjectPublicKeyInfoPem().Trim(), result.Output.Trim());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_wrong_passphrase_is_refused_naming_the_key_file_and_never_the_passphrase(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        const string wrong = "not the right passphrase";
        var failure = Assert.Throws<JpkiKeyFileException>(() => pki.OpenAgain(wrong));
        Assert.Contains(pki.Options.KeyFilePath, failure.Message);
        Assert.Contains("passphrase", failure.Message);
        Assert.DoesNotContain(wrong, failure.Message);
        Assert.DoesNotContain(PkiFixture.Passphrase, failure.Message);
        Assert.DoesNotContain(PkiFixture.Passphrase, pki.Options.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_key_file_of_another_database_or_a_missing_one_is_refused(string provider)
    {
        using var first = PkiFixture.Create(provider);
        using var second = PkiFixture.Create(provider);
        var foreign = new JpkiOptions(second.Options.KeyDirectory, PkiFixture.Passphrase);
        var mismatch = Assert.Throws<JpkiKeyFileException>(() => JpkiAuthority.OpenOrCreate(first.Database.Database, foreign));
        Assert.Contains(second.Options.KeyFilePath, mismatch.Message);

        var missing = new JpkiOptions(Path.Combine(first.Directory.Path, "elsewhere"), PkiFixture.Passphrase);
        var absent = Assert.Throws<JpkiKeyFileException>(() => JpkiAuthority.OpenOrCreate(first.Database.Database, missing));
        Assert.Contains(missing.KeyFilePath, absent.Message);
        Assert.False(File.Exists(missing.KeyFilePath)); // a database with CAs never gets new keys silently
    }

    [Fact]
    public void Open_never_creates_authorities_and_a_new_key_file_needs_a_long_passphrase()
    {
        using var database = TestDatabase.Create("sqlite");
        using var directory = new TempDirectory();
        var options = new JpkiOptions(directory.Path, PkiFixture.Passphrase);
        Assert.Throws<InvalidOperationException>(() => JpkiAuthority.Open(database.Database, options));
        Assert.False(File.Exists(options.KeyFilePath));

        var weak = Assert.Throws<JpkiKeyFileException>(() => JpkiAuthority.OpenOrCreate(database.Database, new JpkiOptions(directory.Path, "short")));
        Assert.Contains("at least 12", weak.Message);
        Assert.False(File.Exists(options.KeyFilePath));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_processes_creating_the_authorities_at_once_end_up_with_one_set(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var directory = new TempDirectory();
        var options = new JpkiOptions(directory.Path, PkiFixture.Passphrase) { KeyFileIterations = JpkiOptions.MinimumKeyFileIterations };
        var opened = await Task.WhenAll(
            Task.Run(() => JpkiAuthority.OpenOrCreate(database.Database, options)),
            Task.Run(() => JpkiAuthority.OpenOrCreate(database.Database, options)));
        try
        {
            using var a = opened[0].RootCertificate;
            using var b = opened[1].RootCertificate;
            Assert.Equal(a.RawData, b.RawData);
            using var third = JpkiAuthority.Open(database.Database, options);
            using var c = third.IssuingCaCertificate(JpkiCertificateKind.UserAuthentication);
            using var d = opened[0].IssuingCaCertificate(JpkiCertificateKind.UserAuthentication);
            Assert.Equal(c.RawData, d.RawData);
        }
        finally
        {
            foreach (var authority in opened) authority.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void The_signing_certificate_carries_the_four_facts_in_its_SAN_and_the_user_certificate_none(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        using var signingKey = RSA.Create(2048);
        using var userKey = RSA.Create(2048);
        var notAfter = new DateTimeOffset(2031, 1, 15, 14, 59, 59, TimeSpan.Zero);
        using var signing = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, signingKey, notAfter);
        using var user = pki.Authority.IssueUserCertificate(userKey, notAfter);

        Assert.Equal(PkiFixture.Hanako, JpkiProfile.ReadSigningSubject(signing));
        var otherNames = JpkiProfile.ReadOtherNames(signing);
        Assert.Equal("山田 花子", otherNames[JpkiProfile.NameOid]);
        Assert.Equal("1980-01-15", otherNames[JpkiProfile.BirthDateOid]);
        Assert.Equal("2", otherNames[JpkiProfile.SexOid]);
        Assert.Equal("東京都品川区広町二丁目1番36号", otherNames[JpkiProfile.AddressOid]);
        Assert.StartsWith(JpkiProfile.Arc + ".", JpkiProfile.NameOid);

        // The user certificate: no SAN, nothing personal anywhere in it; its subject is C=JP and the serial.
        Assert.Null(user.Extensions["2.5.29.17"]);
        Assert.Null(JpkiProfile.ReadSigningSubject(user));
        Assert.Equal($"CN={user.SerialNumber}, C=JP", user.Subject); // .NET prints the most specific first
        foreach (var fact in new[] { "山田", "花子", "品川区", "1980" })
            Assert.DoesNotContain(Convert.ToHexString(Encoding.UTF8.GetBytes(fact)), Convert.ToHexString(user.RawData));
        Assert.Equal($"CN={signing.SerialNumber}, C=JP", signing.Subject);

        // Profiles: key usages, end entity, policies, the issuing CA, validity.
        Assert.Equal(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation,
            Assert.IsType<X509KeyUsageExtension>(signing.Extensions["2.5.29.15"]).KeyUsages);
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, Assert.IsType<X509KeyUsageExtension>(user.Extensions["2.5.29.15"]).KeyUsages);
        Assert.False(Assert.IsType<X509BasicConstraintsExtension>(signing.Extensions["2.5.29.19"]).CertificateAuthority);
        Assert.Equal(JpkiCertificateKind.Signing, JpkiProfile.KindOf(signing));
        Assert.Equal(JpkiCertificateKind.UserAuthentication, JpkiProfile.KindOf(user));
        using var signingCa = pki.Authority.IssuingCaCertificate(JpkiCertificateKind.Signing);
        using var userCa = pki.Authority.IssuingCaCertificate(JpkiCertificateKind.UserAuthentication);
        Assert.Equal(signingCa.Subject, signing.Issuer);
        Assert.Equal(userCa.Subject, user.Issuer);
        Assert.Equal(notAfter, new DateTimeOffset(signing.NotAfter.ToUniversalTime()));
        Assert.Equal(pki.Clock.Now, new DateTimeOffset(user.NotBefore.ToUniversalTime()));
        Assert.Equal(32, signing.SerialNumber.Length);
        Assert.NotEqual(signing.SerialNumber, user.SerialNumber);
        Assert.Equal(signingKey.ExportSubjectPublicKeyInfo(), signing.GetRSAPublicKey()!.ExportSubjectPublicKeyInfo());

        var record = pki.Authority.Record(JpkiCertificateKind.Signing, signing.SerialNumber)!;
        Assert.Equal(CertificateStatus.Good, record.Status);
        Assert.Equal(notAfter, record.NotAfter);
        Assert.Null(record.RevokedAt);
        // The record is per CA: the signing serial is unknown to the user-authentication CA.
        Assert.Equal(CertificateStatus.Unknown, pki.Authority.Status(JpkiCertificateKind.UserAuthentication, signing.SerialNumber));
    }

    [Fact]
    public void Bad_subjects_keys_and_validities_are_refused_without_repeating_the_values()
    {
        using var pki = PkiFixture.Create("sqlite");
        using var key = RSA.Create(2048);
        var notAfter = pki.Clock.Now.AddYears(5);

        var emptyName = Assert.Throws<RefusalException>(() =>
            pki.Authority.IssueSigningCertificate(PkiFixture.Hanako with { Name = " " }, key, notAfter));
        Assert.Equal("invalid-subject", emptyName.Code);
        Assert.Contains("name", emptyName.Message);

        var longAddress = new string('町', JpkiProfile.MaxAddressLength + 1);
        var tooLong = Assert.Throws<RefusalException>(() =>
            pki.Authority.IssueSigningCertificate(PkiFixture.Hanako with { Address = longAddress }, key, notAfter));
        Assert.Contains("address", tooLong.Message);
        Assert.DoesNotContain("町町", tooLong.Message);

        var control = Assert.Throws<RefusalException>(() =>
            pki.Authority.IssueSigningCertificate(PkiFixture.Hanako with { Name = "山田\n花子" }, key, notAfter));
        Assert.DoesNotContain("山田", control.Message);
        Assert.Equal(400, Assert.Throws<RefusalException>(() =>
            pki.Authority.IssueSigningCertificate(PkiFixture.Hanako with { Sex = (Sex)9 }, key, notAfter)).Status);

        using var weak = RSA.Create(1024);
        Assert.Equal("invalid-key", Assert.Throws<RefusalException>(() => pki.Authority.IssueUserCertificate(weak, notAfter)).Code);
        Assert.Equal("invalid-validity", Assert.Throws<RefusalException>(() =>
            pki.Authority.IssueUserCertificate(key, pki.Clock.Now.AddSeconds(-1))).Code);
        Assert.Equal("invalid-validity", Assert.Throws<RefusalException>(() =>
            pki.Authority.IssueUserCertificate(key, pki.Clock.Now.AddYears(40))).Code);
        Assert.Empty(pki.Authority.Counts());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Revocation_suspension_and_resumption_change_the_status_and_regenerate_the_CRL_every_time(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        const JpkiCertificateKind kind = JpkiCertificateKind.UserAuthentication;
        using var key = RSA.Create(2048);
        using var first = pki.Authority.IssueUserCertificate(key, pki.Clock.Now.AddYears(5));
        using var second = pki.Authority.IssueUserCertificate(key, pki.Clock.Now.AddYears(5));

        var initial = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        Assert.Empty(initial.Entries);
        Assert.Equal(pki.Clock.Now + pki.Options.CrlValidity, initial.NextUpdate);
        Assert.Equal(initial.Number, CrlContents.Parse(pki.Authority.CurrentCrl(kind)).Number); // fresh: not regenerated

        pki.Clock.Now = pki.Clock.Now.AddMinutes(5);
        pki.Authority.Suspend(kind, first.SerialNumber);
        Assert.Equal(CertificateStatus.Suspended, pki.Authority.Status(kind, first.SerialNumber));
        var suspended = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        Assert.Equal(initial.Number + 1, suspended.Number);
        Assert.Equal(X509RevocationReason.CertificateHold, suspended.Entries[first.SerialNumber]);
        Assert.Equal(pki.Clock.Now, suspended.ThisUpdate);
        var record = pki.Authority.Record(kind, first.SerialNumber)!;
        Assert.Equal(pki.Clock.Now, record.RevokedAt);
        Assert.Equal(X509RevocationReason.CertificateHold, record.Reason);

        pki.Authority.Suspend(kind, first.SerialNumber); // already suspended: nothing changes
        Assert.Equal(suspended.Number, CrlContents.Parse(pki.Authority.CurrentCrl(kind)).Number);

        pki.Authority.Resume(kind, first.SerialNumber.ToLowerInvariant()); // serials as OpenSSL or a person types them
        Assert.Equal(CertificateStatus.Good, pki.Authority.Status(kind, first.SerialNumber));
        var resumed = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        Assert.Equal(suspended.Number + 1, resumed.Number);
        Assert.Empty(resumed.Entries);
        Assert.Null(pki.Authority.Record(kind, first.SerialNumber)!.RevokedAt);

        pki.Authority.Revoke(kind, first.SerialNumber, X509RevocationReason.KeyCompromise);
        var oneRevoked = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        pki.Authority.Revoke(kind, second.SerialNumber, X509RevocationReason.CessationOfOperation);
        var twoRevoked = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        Assert.Equal(resumed.Number + 1, oneRevoked.Number);
        Assert.Equal(resumed.Number + 2, twoRevoked.Number);
        Assert.Equal(X509RevocationReason.KeyCompromise, twoRevoked.Entries[first.SerialNumber]);
        Assert.Equal(X509RevocationReason.CessationOfOperation, twoRevoked.Entries[second.SerialNumber]);
        Assert.Equal(CertificateStatus.Revoked, pki.Authority.Status(kind, second.SerialNumber));

        // Revoked for good: revoking again changes nothing; suspending or resuming is refused.
        pki.Authority.Revoke(kind, first.SerialNumber, X509RevocationReason.Superseded);
        Assert.Equal(X509RevocationReason.KeyCompromise, pki.Authority.Record(kind, first.SerialNumber)!.Reason);
        Assert.Equal("certificate-revoked", Assert.Throws<RefusalException>(() => pki.Authority.Resume(kind, first.SerialNumber)).Code);
        Assert.Equal("certificate-revoked", Assert.Throws<RefusalException>(() => pki.Authority.Suspend(kind, first.SerialNumber)).Code);
        Assert.Equal(twoRevoked.Number, CrlContents.Parse(pki.Authority.CurrentCrl(kind)).Number);

        // The other CA's CRL is untouched by all of this.
        Assert.Empty(CrlContents.Parse(pki.Authority.CurrentCrl(JpkiCertificateKind.Signing)).Entries);
        Assert.Equal(2, pki.Authority.Counts()[(kind, CertificateStatus.Revoked)]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Unknown_serials_bad_serials_and_bad_reasons_are_refused(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        const JpkiCertificateKind kind = JpkiCertificateKind.Signing;
        Assert.Equal(CertificateStatus.Unknown, pki.Authority.Status(kind, "7A:00:11"));
        var unknown = Assert.Throws<RefusalException>(() => pki.Authority.Revoke(kind, "7A0011", X509RevocationReason.Unspecified));
        Assert.Equal((404, "unknown-certificate"), (unknown.Status, unknown.Code));
        Assert.Equal("invalid-serial", Assert.Throws<RefusalException>(() => pki.Authority.Status(kind, "12G4")).Code);
        Assert.Equal("invalid-serial", Assert.Throws<RefusalException>(() => pki.Authority.Status(kind, new string('1', 41))).Code);
        Assert.Equal("0A0B", JpkiAuthority.NormalizeSerial("00:0a:0b"));

        using var key = RSA.Create(2048);
        using var certificate = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, key, pki.Clock.Now.AddYears(5));
        Assert.Equal("invalid-reason", Assert.Throws<RefusalException>(() =>
            pki.Authority.Revoke(kind, certificate.SerialNumber, X509RevocationReason.CertificateHold)).Code);
        Assert.Equal(CertificateStatus.Good, pki.Authority.Status(kind, certificate.SerialNumber));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_CRL_past_half_its_validity_is_regenerated_and_expired_certificates_leave_it(string provider)
    {
        using var pki = PkiFixture.Create(provider);
        const JpkiCertificateKind kind = JpkiCertificateKind.Signing;
        using var key = RSA.Create(2048);
        using var shortLived = pki.Authority.IssueSigningCertificate(PkiFixture.Hanako, key, pki.Clock.Now.AddDays(2));
        pki.Authority.Revoke(kind, shortLived.SerialNumber, X509RevocationReason.AffiliationChanged);
        var revoked = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        Assert.Contains(shortLived.SerialNumber, revoked.Entries.Keys);

        pki.Clock.Now += pki.Options.CrlValidity / 2 - TimeSpan.FromMinutes(1);
        Assert.Equal(revoked.Number, CrlContents.Parse(pki.Authority.CurrentCrl(kind)).Number);
        pki.Clock.Now += TimeSpan.FromMinutes(2);
        var refreshed = CrlContents.Parse(pki.Authority.CurrentCrl(kind));
        Assert.Equal(revoked.Number + 1, refreshed.Number);
        Assert.Equal(pki.Clock.Now + pki.Options.CrlValidity, refreshed.NextUpdate);
        Assert.Contains(shortLived.SerialNumber, refreshed.Entries.Keys);

        pki.Clock.Now += TimeSpan.FromDays(3); // the certificate has expired: it no longer needs listing
        Assert.Empty(CrlContents.Parse(pki.Authority.CurrentCrl(kind)).Entries);
        Assert.Equal(CertificateStatus.Revoked, pki.Authority.Status(kind, shortLived.SerialNumber));

        var rootCrl = CrlContents.Parse(pki.Authority.CurrentRootCrl());
        Assert.Empty(rootCrl.Entries);
        Assert.True(rootCrl.Number >= 1);
    }
}
