using System.Data.Common;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Storage;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Paper;

/// <summary>One certificate the certificate-signing CA issued to a ward.</summary>
public sealed record PaperCertificateRecord(string SerialNumber, string Municipality, bool Revoked, DateTimeOffset NotBefore, DateTimeOffset NotAfter,
    DateTimeOffset? RevokedAt);

/// <summary>
/// J-LIS's certificate-signing CA (docs/paper.md; in the real system wards' official seals chain to LGPKI, 地方公共団体組織認証基盤,
/// which J-LIS runs): one ECDSA P-256 root that issues each ward a certificate for the key signing the 2D code on its
/// certificates — subject C=JP, O=&lt;ward's name&gt;, CN=&lt;municipality code&gt;, keyUsage digitalSignature, extended key usage
/// <see cref="PaperSigningProfile.CertificateSigningOid"/> — and publishes a CRL. The root's key is one passphrase-protected file
/// beside the JPKI keys (<see cref="KeyFileName"/>); certificates, CRL number and current CRL are in J-LIS's database
/// (schema 0003). Revoking regenerates the CRL in the same transaction.
/// </summary>
public sealed class PaperSigningAuthority : IDisposable
{
    public const string KeyFileName = "paper-signing-ca-key.pem";

    /// <summary>The root's validity from creation.</summary>
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(365 * 25 + 6);

    /// <summary>A ward's certificate's validity.</summary>
    public static readonly TimeSpan WardValidity = TimeSpan.FromDays(365 * 5 + 1);

    private const string Root = "root";
    private const string KeyLabel = "Renkei certificate-signing CA private key (証明書署名用認証局)";

    private readonly Database _database;
    private readonly JpkiOptions _options;
    private readonly TimeProvider _clock;
    private readonly ECDsa _key;
    private readonly X509Certificate2 _root;
    private bool _disposed;

    private PaperSigningAuthority(Database database, JpkiOptions options, TimeProvider clock, ECDsa key, X509Certificate2 root)
    {
        (_database, _options, _clock, _key, _root) = (database, options, clock, key, root);
    }

    /// <summary>Opens the CA, creating its key file and root certificate on first use (same passphrase as the JPKI key file).</summary>
    /// <exception cref="JpkiKeyFileException">wrong passphrase, the key file missing while the database has the root, or another key.</exception>
    public static PaperSigningAuthority OpenOrCreate(Database database, JpkiOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        clock ??= TimeProvider.System;
        Migrations.Apply(database, JlisSchema.Tables);
        var path = Path.Combine(options.KeyDirectory, KeyFileName);
        var stored = StoredRoot(database);
        var key = stored is null && !File.Exists(path) ? CreateKey(path, options) : LoadKey(path, options.Passphrase);
        try
        {
            if (stored is null)
            {
                using var created = CreateRoot(key, clock.GetUtcNow());
                database.InTransaction((c, t) =>
                {
                    using var insert = c.Command("INSERT INTO paper_authority (name, certificate, crl_number) VALUES (@n, @c, 0) ON CONFLICT (name) DO NOTHING", t);
                    insert.With("n", Root).With("c", created.RawData).ExecuteNonQuery();
                });
                stored = StoredRoot(database)!;
            }
            var root = X509CertificateLoader.LoadCertificate(stored);
            using var rootKey = root.GetECDsaPublicKey();
            if (rootKey is null || !rootKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            {
                root.Dispose();
                throw new JpkiKeyFileException(
                    $"the certificate-signing CA key file {path} does not hold the key of the root in J-LIS's database {database.Describe()} (鍵ファイルとデータベースが一致しません)");
            }
            return new PaperSigningAuthority(database, options, clock, key, root);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The root certificate (public).</summary>
    public X509Certificate2 RootCertificate
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return X509CertificateLoader.LoadCertificate(_root.RawData);
        }
    }

    /// <summary>
    /// Issues <paramref name="municipality"/>'s certificate for <paramref name="publicKeyInfo"/> (SPKI DER of a P-256 key), valid
    /// <see cref="WardValidity"/>. A ward may hold several (a new key before the old one ends); each can be revoked on its own.
    /// </summary>
    /// <exception cref="RefusalException">400 invalid-key (not a P-256 public key) or invalid-name.</exception>
    public byte[] Issue(LocalGovernmentCode municipality, string name, byte[] publicKeyInfo)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl))
            throw RefusalException.BadRequest("invalid-name", "name: the ward's name must be 1 to 64 characters without control characters (団体名が正しくありません)");
        using var holder = ECDsa.Create();
        try
        {
            holder.ImportSubjectPublicKeyInfo(publicKeyInfo, out var read);
            if (read != publicKeyInfo.Length || holder.ExportParameters(false).Curve.Oid.Value != PaperSigningProfile.Curve.Oid.Value)
                throw new CryptographicException("not P-256");
        }
        catch (CryptographicException)
        {
            throw RefusalException.BadRequest("invalid-key", "publicKey: an ECDSA P-256 SubjectPublicKeyInfo is required (公開鍵が正しくありません)");
        }
        var now = Second(_clock.GetUtcNow());
        var notAfter = now + WardValidity;
        if (notAfter > _root.NotAfter.ToUniversalTime()) notAfter = Second(_root.NotAfter.ToUniversalTime());
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(municipality.Digits);
        subject.AddOrganizationName(name);
        subject.AddCountryOrRegion("JP");
        var request = new CertificateRequest(subject.Build(), holder, PaperSigningProfile.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(PaperSigningProfile.CertificateSigningOid)], critical: false));
        request.CertificateExtensions.Add(AuthorityKeyIdentifier());
        request.CertificateExtensions.Add(DistributionPoint());
        while (true)
        {
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
            using var certificate = request.Create(_root.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now, notAfter, serial);
            var inserted = _database.InTransaction((c, t) =>
            {
                using var insert = c.Command("""
                    INSERT INTO paper_certificates (serial, municipality_code, status, not_before, not_after, issued_at, certificate)
                    VALUES (@s, @m, 'good', @nb, @na, @at, @c) ON CONFLICT (serial) DO NOTHING
                    """, t);
                return insert.With("s", Convert.ToHexString(serial)).With("m", municipality.Digits).With("nb", JlisStore.Format(now))
                    .With("na", JlisStore.Format(notAfter)).With("at", JlisStore.Format(now)).With("c", certificate.RawData).ExecuteNonQuery() == 1;
            });
            if (inserted) return certificate.RawData;
        }
    }

    /// <summary>Revokes a ward's certificate for good and regenerates the CRL; revoking a revoked one changes nothing.</summary>
    /// <exception cref="RefusalException">400 invalid-serial; 404 unknown-certificate.</exception>
    public void Revoke(string serialHex, X509RevocationReason reason = X509RevocationReason.KeyCompromise)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var serial = JpkiAuthority.NormalizeSerial(serialHex);
        _database.InTransaction((c, t) =>
        {
            var (number, _, _) = Authority(c, t, forUpdate: true);
            using var select = c.Command("SELECT status FROM paper_certificates WHERE serial = @s", t);
            var status = select.With("s", serial).ExecuteScalar() as string
                ?? throw new RefusalException(404, "unknown-certificate", "this CA issued no certificate with that serial number (該当する電子証明書がありません)");
            if (status == "revoked") return;
            var now = _clock.GetUtcNow();
            using var update = c.Command("UPDATE paper_certificates SET status = 'revoked', revoked_at = @at, revocation_reason = @r WHERE serial = @s", t);
            update.With("at", JlisStore.Format(now)).With("r", reason.ToString()).With("s", serial).ExecuteNonQuery();
            WriteCrl(c, t, number, now);
        });
    }

    /// <summary>The certificates issued to <paramref name="municipality"/>, oldest first.</summary>
    public IReadOnlyList<PaperCertificateRecord> Certificates(LocalGovernmentCode municipality)
    {
        using var c = _database.Open();
        using var select = c.Command("SELECT serial, status, not_before, not_after, revoked_at FROM paper_certificates WHERE municipality_code = @m ORDER BY issued_at, serial");
        using var reader = select.With("m", municipality.Digits).ExecuteReader();
        var list = new List<PaperCertificateRecord>();
        while (reader.Read())
            list.Add(new PaperCertificateRecord(reader.GetString(0), municipality.Digits, reader.GetString(1) == "revoked", Parse(reader.GetString(2)),
                Parse(reader.GetString(3)), reader.NullableString(4) is { } at ? Parse(at) : null));
        return list;
    }

    /// <summary>The current CRL (DER), regenerated first when missing or past half its validity.</summary>
    public byte[] CurrentCrl()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using (var c = _database.Open())
        {
            var (_, crl, next) = Authority(c, null, forUpdate: false);
            if (crl is not null && !Stale(next)) return crl;
        }
        return _database.InTransaction((c, t) =>
        {
            var (number, crl, next) = Authority(c, t, forUpdate: true);
            return crl is not null && !Stale(next) ? crl : WriteCrl(c, t, number, _clock.GetUtcNow());
        });
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _root.Dispose();
        _key.Dispose();
    }

    private bool Stale(DateTimeOffset? next) => next is not { } n || n - _clock.GetUtcNow() < _options.CrlValidity / 2;

    private byte[] WriteCrl(DbConnection c, DbTransaction t, long lastNumber, DateTimeOffset now)
    {
        var thisUpdate = Second(now);
        var nextUpdate = thisUpdate + _options.CrlValidity;
        var builder = new CertificateRevocationListBuilder();
        using (var select = c.Command("SELECT serial, revoked_at, revocation_reason FROM paper_certificates WHERE status = 'revoked' AND not_after > @now ORDER BY serial", t))
        {
            using var reader = select.With("now", JlisStore.Format(now)).ExecuteReader();
            while (reader.Read())
                builder.AddEntry(Convert.FromHexString(reader.GetString(0)), Parse(reader.GetString(1)), Enum.Parse<X509RevocationReason>(reader.GetString(2)));
        }
        var crl = builder.Build(_root.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), new BigInteger(lastNumber + 1), nextUpdate, PaperSigningProfile.Hash,
            AuthorityKeyIdentifier(), thisUpdate);
        using var update = c.Command("UPDATE paper_authority SET crl_number = @n, crl = @crl, crl_next_update = @next WHERE name = @name", t);
        update.With("n", lastNumber + 1).With("crl", crl).With("next", JlisStore.Format(nextUpdate)).With("name", Root).ExecuteNonQuery();
        return crl;
    }

    private (long Number, byte[]? Crl, DateTimeOffset? Next) Authority(DbConnection c, DbTransaction? t, bool forUpdate)
    {
        var lockRow = forUpdate && _database.Provider == DatabaseProvider.PostgreSql ? " FOR UPDATE" : "";
        using var select = c.Command("SELECT crl_number, crl, crl_next_update FROM paper_authority WHERE name = @n" + lockRow, t);
        using var reader = select.With("n", Root).ExecuteReader();
        if (!reader.Read()) throw new InvalidOperationException("J-LIS's database has no certificate-signing root");
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1), reader.NullableString(2) is { } next ? Parse(next) : null);
    }

    private X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier() =>
        X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_root, includeKeyIdentifier: true, includeIssuerAndSerial: false);

    private X509Extension DistributionPoint() =>
        CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(
            [new Uri(_options.DistributionBaseAddress, Contracts.PaperSigningRoutes.Crl).AbsoluteUri], critical: false);

    private static byte[]? StoredRoot(Database database)
    {
        using var c = database.Open();
        using var select = c.Command("SELECT certificate FROM paper_authority WHERE name = @n");
        return select.With("n", Root).ExecuteScalar() as byte[];
    }

    private static X509Certificate2 CreateRoot(ECDsa key, DateTimeOffset created)
    {
        var now = Second(created);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName("Renkei Certificate-Signing Root CA");
        name.AddOrganizationalUnitName("LGPKI");
        name.AddOrganizationName("Renkei J-LIS");
        name.AddCountryOrRegion("JP");
        var request = new CertificateRequest(name.Build(), key, PaperSigningProfile.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x10);
        return request.Create(name.Build(), X509SignatureGenerator.CreateForECDsa(key), now, now + RootValidity, serial);
    }

    private static ECDsa CreateKey(string path, JpkiOptions options)
    {
        if (options.Passphrase.Length < JpkiOptions.MinimumPassphraseLength)
            throw new JpkiKeyFileException($"the passphrase for the new key file {path} must have at least {JpkiOptions.MinimumPassphraseLength} characters (パスフレーズが短すぎます)");
        using var key = ECDsa.Create(PaperSigningProfile.Curve);
        var pem = KeyLabel + "\n" + key.ExportEncryptedPkcs8PrivateKeyPem(options.Passphrase,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, options.KeyFileIterations)) + "\n";
        var bytes = Encoding.UTF8.GetBytes(pem);
        try
        {
            KeyFileWriter.CreateNew(path, bytes, privateFile: true); // false: another process was first; load its key
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
        return LoadKey(path, options.Passphrase);
    }

    private static ECDsa LoadKey(string path, string passphrase)
    {
        if (!File.Exists(path))
            throw new JpkiKeyFileException($"the certificate-signing CA key file {path} does not exist; restore it from the backup of J-LIS's keys (鍵ファイルがありません)");
        var key = ECDsa.Create();
        try
        {
            var text = File.ReadAllText(path);
            if (!PemEncoding.TryFind(text, out var fields)) throw new CryptographicException();
            key.ImportFromEncryptedPem(text.AsSpan()[fields.Location], passphrase);
            return key;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException)
        {
            key.Dispose();
            throw new JpkiKeyFileException($"the passphrase does not open the certificate-signing CA key file {path} (wrong passphrase or damaged file; パスフレーズが違うか鍵ファイルが壊れています)");
        }
    }

    private static DateTimeOffset Second(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    }

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
