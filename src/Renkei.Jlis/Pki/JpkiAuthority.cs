using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Pki;

/// <summary>
/// J-LIS's JPKI certificate authorities (公的個人認証サービスの認証局): a root CA and two issuing CAs, one for signing
/// certificates (署名用電子証明書) and one for user-authentication certificates (利用者証明用電子証明書), all RSA-2048 with
/// SHA-256 (docs/jpki-profile.md). The CA keys live in one passphrase-protected key file (<see cref="JpkiOptions.KeyFilePath"/>);
/// the CA certificates, the issued certificates' records and the current CRLs in J-LIS's database.
/// <para>
/// Revoking (失効), suspending (一時保留) and resuming a certificate change its record and regenerate its CA's CRL in one
/// transaction, with the next CRL number. All three are idempotent towards the state they ask for; suspending or
/// resuming a revoked certificate is refused. Refusals are <see cref="RefusalException"/>s with stable codes.
/// </para>
/// Safe for concurrent use (also by several processes on one database: state changes lock the CA's row).
/// </summary>
public sealed class JpkiAuthority : IDisposable
{
    /// <summary>Root CA validity from creation.</summary>
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(365 * 25 + 6);

    /// <summary>Issuing CA validity from creation: longer than any card (10 years) issued in its first decade.</summary>
    public static readonly TimeSpan IssuingCaValidity = TimeSpan.FromDays(365 * 20 + 5);

    private const int SerialLength = 16;

    private static readonly X509RevocationReason[] RevocationReasons =
    [
        X509RevocationReason.Unspecified, X509RevocationReason.KeyCompromise, X509RevocationReason.AffiliationChanged,
        X509RevocationReason.Superseded, X509RevocationReason.CessationOfOperation, X509RevocationReason.PrivilegeWithdrawn,
    ];

    private readonly JpkiStore _store;
    private readonly JpkiOptions _options;
    private readonly TimeProvider _clock;
    private readonly Ca _root;
    private readonly Ca _signing;
    private readonly Ca _user;
    private bool _disposed;

    private JpkiAuthority(JpkiStore store, JpkiOptions options, TimeProvider clock, Ca root, Ca signing, Ca user)
    {
        _store = store;
        _options = options;
        _clock = clock;
        _root = root;
        _signing = signing;
        _user = user;
    }

    /// <summary>
    /// Opens J-LIS's CAs, creating them (keys, key file, certificates) on first use. Fails with
    /// <see cref="JpkiKeyFileException"/> (naming the file) when the passphrase is wrong, the key file is missing while
    /// the database has CAs, or the file holds other keys than this database's CA certificates.
    /// </summary>
    public static JpkiAuthority OpenOrCreate(Database database, JpkiOptions options, TimeProvider? clock = null) =>
        Open(database, options, clock, create: true);

    /// <summary>
    /// Opens J-LIS's existing CAs and never creates them (for tools such as <c>renkei pki export</c>): fails with
    /// <see cref="InvalidOperationException"/> when the database holds no JPKI CAs yet.
    /// </summary>
    public static JpkiAuthority Open(Database database, JpkiOptions options, TimeProvider? clock = null) =>
        Open(database, options, clock, create: false);

    private static JpkiAuthority Open(Database database, JpkiOptions options, TimeProvider? clock, bool create)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        clock ??= TimeProvider.System;
        var store = new JpkiStore(database);
        store.EnsureSchema();
        var path = options.KeyFilePath;

        var stored = store.AuthorityCertificates();
        RSA[] keys;
        if (stored.Count == 0)
        {
            if (!create)
                throw new InvalidOperationException(
                    $"J-LIS's database {database.Describe()} holds no JPKI certificate authorities yet; J-LIS creates them when it first serves certificates (認証局がまだありません)");
            keys = File.Exists(path) ? JpkiKeyFile.Load(path, options.Passphrase) : CreateKeyFile(options);
            try
            {
                store.InsertAuthorities(CreateCertificates(keys, options, clock.GetUtcNow()));
            }
            catch
            {
                foreach (var key in keys) key.Dispose();
                throw;
            }
            stored = store.AuthorityCertificates();
        }
        else
        {
            keys = JpkiKeyFile.Load(path, options.Passphrase);
        }

        var names = new[] { JpkiStore.Root, JpkiStore.AuthorityName(JpkiCertificateKind.Signing), JpkiStore.AuthorityName(JpkiCertificateKind.UserAuthentication) };
        var cas = new List<Ca>();
        try
        {
            for (var i = 0; i < names.Length; i++)
            {
                if (!stored.TryGetValue(names[i], out var der))
                    throw new InvalidOperationException($"J-LIS's database lacks the JPKI {names[i]} CA certificate; restore the database");
                var certificate = X509CertificateLoader.LoadCertificate(der);
                using var certificateKey = certificate.GetRSAPublicKey();
                if (certificateKey is null || !certificateKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(keys[i].ExportSubjectPublicKeyInfo()))
                {
                    certificate.Dispose();
                    throw new JpkiKeyFileException(
                        $"the JPKI key file {path} does not hold the keys of the CA certificates in J-LIS's database {database.Describe()} (鍵ファイルとデータベースが一致しません)");
                }
                cas.Add(new Ca(names[i], certificate, keys[i]));
            }
        }
        catch
        {
            foreach (var ca in cas) ca.Certificate.Dispose();
            foreach (var key in keys) key.Dispose();
            throw;
        }
        return new JpkiAuthority(store, options, clock, cas[0], cas[1], cas[2]);
    }

    /// <summary>The root CA certificate (public part only).</summary>
    public X509Certificate2 RootCertificate => PublicCopy(_root);

    /// <summary>The issuing CA certificate of <paramref name="kind"/> (public part only).</summary>
    public X509Certificate2 IssuingCaCertificate(JpkiCertificateKind kind) => PublicCopy(IssuingCa(kind));

    /// <summary>
    /// Issues a signing certificate (署名用電子証明書) for the holder's public key, carrying the four basic facts in its
    /// subject alternative name. Valid from now to <paramref name="notAfter"/> (truncated to the second), which must lie
    /// in the future and within the issuing CA's validity. Whether the holder may have one (age 15, card validity) is the
    /// card service's decision, not the CA's.
    /// </summary>
    public X509Certificate2 IssueSigningCertificate(SigningCertificateSubject subject, RSA publicKey, DateTimeOffset notAfter)
    {
        JpkiProfile.Validate(subject);
        return Issue(JpkiCertificateKind.Signing, publicKey, notAfter, JpkiProfile.SubjectAlternativeName(subject));
    }

    /// <summary>Issues a user-authentication certificate (利用者証明用電子証明書): no personal information at all.</summary>
    public X509Certificate2 IssueUserCertificate(RSA publicKey, DateTimeOffset notAfter) =>
        Issue(JpkiCertificateKind.UserAuthentication, publicKey, notAfter, extra: null);

    /// <summary>
    /// Revokes a certificate for good (失効) with <paramref name="reason"/> and regenerates its CA's CRL. Revoking a
    /// revoked certificate changes nothing (the first time and reason stay). A suspended certificate may be revoked.
    /// certificateHold is not a revocation reason here: use <see cref="Suspend"/>.
    /// </summary>
    public void Revoke(JpkiCertificateKind kind, string serialHex, X509RevocationReason reason)
    {
        if (!RevocationReasons.Contains(reason))
            throw RefusalException.BadRequest("invalid-reason",
                $"{reason} is not a reason to revoke a certificate; use suspension for certificateHold (失効事由が正しくありません)");
        ChangeStatus(kind, serialHex, current => current switch
        {
            CertificateStatus.Revoked => null,
            _ => (CertificateStatus.Revoked, reason),
        });
    }

    /// <summary>Suspends a certificate (一時保留, certificateHold on the CRL), e.g. when the card is reported lost.</summary>
    public void Suspend(JpkiCertificateKind kind, string serialHex) =>
        ChangeStatus(kind, serialHex, current => current switch
        {
            CertificateStatus.Good => (CertificateStatus.Suspended, X509RevocationReason.CertificateHold),
            CertificateStatus.Suspended => null,
            _ => throw Revoked(),
        });

    /// <summary>Lifts a suspension (一時保留の解除): the certificate leaves the CRL and is good again.</summary>
    public void Resume(JpkiCertificateKind kind, string serialHex) =>
        ChangeStatus(kind, serialHex, current => current switch
        {
            CertificateStatus.Suspended => (CertificateStatus.Good, null),
            CertificateStatus.Good => null,
            _ => throw Revoked(),
        });

    /// <summary>The certificate's status as this CA records it; <see cref="CertificateStatus.Unknown"/> when it issued no such serial.</summary>
    public CertificateStatus Status(JpkiCertificateKind kind, string serialHex) =>
        Record(kind, serialHex)?.Status ?? CertificateStatus.Unknown;

    /// <summary>The CA's record of one certificate (status, validity, revocation); null when it issued no such serial.</summary>
    public IssuedCertificateRecord? Record(JpkiCertificateKind kind, string serialHex)
    {
        ThrowIfDisposed();
        return _store.Find(kind, NormalizeSerial(serialHex));
    }

    /// <summary>The issuing CA's current CRL (DER), regenerated first when it is missing or past half its validity.</summary>
    public byte[] CurrentCrl(JpkiCertificateKind kind) => CurrentCrl(IssuingCa(kind), kind);

    /// <summary>The root CA's current CRL of revoked issuing CAs (an ARL; empty unless an issuing CA was revoked).</summary>
    public byte[] CurrentRootCrl() => CurrentCrl(_root, kind: null);

    /// <summary>How many certificates each CA issued, by status.</summary>
    public IReadOnlyDictionary<(JpkiCertificateKind Kind, CertificateStatus Status), long> Counts()
    {
        ThrowIfDisposed();
        return _store.Counts();
    }

    /// <summary>
    /// Normalises a serial number as OpenSSL or .NET print it: hexadecimal, either case, colons or spaces allowed,
    /// leading zero octets dropped. Refuses anything else (400 invalid-serial).
    /// </summary>
    public static string NormalizeSerial(string? serialHex)
    {
        var hex = (serialHex ?? "").Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (hex.Length == 0 || hex.Length > 40 || !hex.All(char.IsAsciiHexDigit))
            throw RefusalException.BadRequest("invalid-serial",
                "the serial number must be 1 to 20 octets of hexadecimal (シリアル番号が正しくありません)");
        if (hex.Length % 2 == 1) hex = "0" + hex;
        while (hex.Length > 2 && hex.StartsWith("00", StringComparison.Ordinal)) hex = hex[2..];
        return hex;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var ca in new[] { _root, _signing, _user })
        {
            ca.Certificate.Dispose();
            ca.Key.Dispose();
        }
    }

    // ---------------------------------------------------------------- issuance

    private X509Certificate2 Issue(JpkiCertificateKind kind, RSA publicKey, DateTimeOffset notAfter, X509Extension? extra)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.KeySize < JpkiProfile.KeySize)
            throw RefusalException.BadRequest("invalid-key",
                $"the holder's key must be RSA of at least {JpkiProfile.KeySize} bits (鍵長が足りません)");
        var ca = IssuingCa(kind);
        var now = TruncateToSecond(_clock.GetUtcNow());
        notAfter = TruncateToSecond(notAfter.ToUniversalTime());
        if (notAfter <= now)
            throw RefusalException.BadRequest("invalid-validity", "the certificate would end before it starts (有効期間が正しくありません)");
        if (notAfter > ca.Certificate.NotAfter.ToUniversalTime())
            throw RefusalException.BadRequest("invalid-validity",
                "the certificate would outlive its issuing CA (有効期間が認証局の有効期間を超えています)");

        var spki = publicKey.ExportSubjectPublicKeyInfo();
        using var holderKey = RSA.Create();
        holderKey.ImportSubjectPublicKeyInfo(spki, out _);
        while (true)
        {
            var serial = RandomSerial();
            var serialHex = Convert.ToHexString(serial);
            // The builder encodes the last added first: this encodes C=JP, CN=<serial> (most significant first).
            var subject = new X500DistinguishedNameBuilder();
            subject.AddCommonName(serialHex);
            subject.AddCountryOrRegion("JP");
            var request = new CertificateRequest(subject.Build(), holderKey, JpkiProfile.Hash, JpkiProfile.Padding);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(kind == JpkiCertificateKind.Signing
                ? X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation
                : X509KeyUsageFlags.DigitalSignature, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            request.CertificateExtensions.Add(AuthorityKeyIdentifier(ca));
            request.CertificateExtensions.Add(JpkiProfile.CertificatePolicies(JpkiProfile.PolicyOid(kind)));
            request.CertificateExtensions.Add(DistributionPoint(JpkiStore.AuthorityName(kind)));
            if (extra is not null) request.CertificateExtensions.Add(extra);

            var certificate = request.Create(ca.Certificate.SubjectName, ca.Generator, now, notAfter, serial);
            if (_store.InsertIssued(kind, serialHex, now, notAfter, now)) return certificate;
            certificate.Dispose(); // 2^-127 odds: the serial was taken; draw another
        }
    }

    private static RSA[] CreateKeyFile(JpkiOptions options)
    {
        if (options.Passphrase.Length < JpkiOptions.MinimumPassphraseLength)
            throw new JpkiKeyFileException(
                $"the passphrase for the new JPKI key file {options.KeyFilePath} must have at least {JpkiOptions.MinimumPassphraseLength} characters (パスフレーズが短すぎます)");
        if (options.KeyFileIterations < JpkiOptions.MinimumKeyFileIterations)
            throw new ArgumentOutOfRangeException(nameof(options), $"KeyFileIterations must be at least {JpkiOptions.MinimumKeyFileIterations}");
        var keys = new[] { RSA.Create(JpkiProfile.KeySize), RSA.Create(JpkiProfile.KeySize), RSA.Create(JpkiProfile.KeySize) };
        try
        {
            if (JpkiKeyFile.CreateNew(options.KeyFilePath, options.Passphrase, options.KeyFileIterations, keys)) return keys;
        }
        catch
        {
            foreach (var key in keys) key.Dispose();
            throw;
        }
        // Another process created the file first: use its keys.
        foreach (var key in keys) key.Dispose();
        return JpkiKeyFile.Load(options.KeyFilePath, options.Passphrase);
    }

    private static Dictionary<string, byte[]> CreateCertificates(RSA[] keys, JpkiOptions options, DateTimeOffset created)
    {
        var now = TruncateToSecond(created);
        var rootName = CaName("Renkei JPKI Root CA");
        var root = new CertificateRequest(rootName, keys[0], JpkiProfile.Hash, JpkiProfile.Padding);
        root.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, critical: true));
        root.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        root.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(root.PublicKey, critical: false));
        using var rootCertificate = root.Create(rootName, X509SignatureGenerator.CreateForRSA(keys[0], JpkiProfile.Padding),
            now, now + RootValidity, RandomSerial());

        var certificates = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [JpkiStore.Root] = rootCertificate.RawData };
        var rootCa = new Ca(JpkiStore.Root, rootCertificate, keys[0]);
        foreach (var (kind, index, title) in new[]
                 {
                     (JpkiCertificateKind.Signing, 1, "Renkei JPKI Signing CA"),
                     (JpkiCertificateKind.UserAuthentication, 2, "Renkei JPKI User Authentication CA"),
                 })
        {
            var request = new CertificateRequest(CaName(title), keys[index], JpkiProfile.Hash, JpkiProfile.Padding);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, critical: true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
            request.CertificateExtensions.Add(AuthorityKeyIdentifier(rootCa));
            request.CertificateExtensions.Add(JpkiProfile.CertificatePolicies(JpkiProfile.PolicyOid(kind)));
            request.CertificateExtensions.Add(DistributionPoint(options, JpkiStore.Root));
            using var issued = request.Create(rootName, rootCa.Generator, now, now + IssuingCaValidity, RandomSerial());
            certificates[JpkiStore.AuthorityName(kind)] = issued.RawData;
        }
        return certificates;
    }

    private static X500DistinguishedName CaName(string commonName)
    {
        // Encoded C, O, OU, CN (the builder encodes the last added first).
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(commonName);
        name.AddOrganizationalUnitName("JPKI");
        name.AddOrganizationName("Renkei J-LIS");
        name.AddCountryOrRegion("JP");
        return name.Build();
    }

    private static X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier(Ca issuer) =>
        X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer.Certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false);

    private X509Extension DistributionPoint(string authorityName) => DistributionPoint(_options, authorityName);

    private static X509Extension DistributionPoint(JpkiOptions options, string authorityName) =>
        CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(
            [new Uri(options.DistributionBaseAddress, "jpki/crls/" + authorityName).AbsoluteUri], critical: false);

    /// <summary>16 random octets, positive, first octet non-zero: not a matching key (発行番号が名寄せの鍵にならない), always 32 hex digits.</summary>
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(SerialLength);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return serial;
    }

    // ---------------------------------------------------------------- revocation

    private void ChangeStatus(JpkiCertificateKind kind, string serialHex,
        Func<CertificateStatus, (CertificateStatus Status, X509RevocationReason? Reason)?> transition)
    {
        ThrowIfDisposed();
        var serial = NormalizeSerial(serialHex);
        var ca = IssuingCa(kind);
        _store.Database.InTransaction((c, t) =>
        {
            var row = _store.Authority(c, t, ca.Name, forUpdate: true); // one state change per CA at a time
            var record = _store.Find(c, t, kind, serial)
                ?? throw new RefusalException(404, "unknown-certificate",
                    "this CA issued no certificate with that serial number (該当する電子証明書がありません)");
            if (transition(record.Status) is not { } next) return;
            var now = _clock.GetUtcNow();
            _store.SetStatus(c, t, kind, serial, next.Status, next.Status == CertificateStatus.Good ? null : now, next.Reason);
            WriteCrl(c, t, ca, kind, row, now);
        });
    }

    private static RefusalException Revoked() =>
        RefusalException.Conflict("certificate-revoked", "the certificate is revoked for good (この電子証明書は失効しています)");

    private byte[] CurrentCrl(Ca ca, JpkiCertificateKind? kind)
    {
        ThrowIfDisposed();
        using (var c = _store.Database.Open())
        {
            var row = _store.Authority(c, null, ca.Name);
            if (row.Crl is { } crl && !IsStale(row, _clock.GetUtcNow())) return crl;
        }
        return _store.Database.InTransaction((c, t) =>
        {
            var row = _store.Authority(c, t, ca.Name, forUpdate: true);
            var now = _clock.GetUtcNow();
            if (row.Crl is { } crl && !IsStale(row, now)) return crl; // another writer was first
            return WriteCrl(c, t, ca, kind, row, now);
        });
    }

    private bool IsStale(AuthorityRow row, DateTimeOffset now) =>
        row.CrlNextUpdate is not { } next || next - now < _options.CrlValidity / 2;

    /// <summary>Signs the CA's next CRL (number = last + 1) listing what is revoked or suspended now, and stores it.</summary>
    private byte[] WriteCrl(DbConnection c, DbTransaction t, Ca ca, JpkiCertificateKind? kind, AuthorityRow row, DateTimeOffset now)
    {
        var thisUpdate = TruncateToSecond(now);
        var nextUpdate = thisUpdate + _options.CrlValidity;
        var builder = new CertificateRevocationListBuilder();
        if (kind is { } issued)
            foreach (var entry in _store.Listed(c, t, issued, now))
                builder.AddEntry(Convert.FromHexString(entry.SerialNumber), entry.RevokedAt, entry.Reason);
        var number = row.CrlNumber + 1;
        var crl = builder.Build(ca.Certificate.SubjectName, ca.Generator, new BigInteger(number), nextUpdate, JpkiProfile.Hash,
            AuthorityKeyIdentifier(ca), thisUpdate);
        _store.UpdateCrl(c, t, ca.Name, number, crl, nextUpdate);
        return crl;
    }

    // ---------------------------------------------------------------- helpers

    private Ca IssuingCa(JpkiCertificateKind kind) => kind switch
    {
        JpkiCertificateKind.Signing => _signing,
        JpkiCertificateKind.UserAuthentication => _user,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private X509Certificate2 PublicCopy(Ca ca)
    {
        ThrowIfDisposed();
        return X509CertificateLoader.LoadCertificate(ca.Certificate.RawData);
    }

    private static DateTimeOffset TruncateToSecond(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>One CA: its certificate (public), its private key, and a signature generator over that key.</summary>
    private sealed class Ca(string name, X509Certificate2 certificate, RSA key)
    {
        public string Name { get; } = name;
        public X509Certificate2 Certificate { get; } = certificate;
        public RSA Key { get; } = key;
        public X509SignatureGenerator Generator { get; } = X509SignatureGenerator.CreateForRSA(key, JpkiProfile.Padding);
    }
}
