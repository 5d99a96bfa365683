using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;

namespace Renkei.Infrastructure.Tls;

/// <summary>
/// The network's own certificate authority for mutual TLS between services (DESIGN.md §4 "Between services"): a
/// self-signed root that issues one certificate per node (the network itself, J-LIS, each municipality and other
/// information holder). It trusts nothing else and nothing else trusts it: services validate peers against this CA
/// only, never against the operating system's roots.
/// <para>Profile. Keys are ECDSA P-256, signatures ECDSA with SHA-256. The CA: subject
/// <c>CN=Renkei network CA, O=Renkei</c>, basicConstraints CA:TRUE pathlen 0 (critical), keyUsage keyCertSign + cRLSign
/// (critical), subjectKeyIdentifier, ten years. A node: subject <c>CN=&lt;institution code&gt;, O=Renkei</c> (the
/// network's own node <c>CN=NETWORK</c>), basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical),
/// extendedKeyUsage serverAuth + clientAuth, subjectAltName with the given host names (DNS) and addresses (IP),
/// subject and authority key identifiers, two years. The network's log-signing key gets a certificate of its own
/// (<see cref="IssueLogSigning"/>). Serial numbers are 16 random bytes. No revocation list: a
/// compromised node key is answered by a new CA and new node certificates (see docs/deployment.md).</para>
/// </summary>
public sealed partial class NodeCertificateAuthority : IDisposable
{
    public const string DefaultName = "Renkei network CA";
    public static readonly TimeSpan DefaultCaValidity = TimeSpan.FromDays(3653);
    public static readonly TimeSpan DefaultNodeValidity = TimeSpan.FromDays(730);

    /// <summary>The server-authentication extended key usage (id-kp-serverAuth).</summary>
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    /// <summary>The client-authentication extended key usage (id-kp-clientAuth).</summary>
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly ECDsa _key;
    private readonly TimeProvider _clock;

    private NodeCertificateAuthority(X509Certificate2 certificate, ECDsa key, TimeProvider clock)
    {
        Certificate = certificate;
        _key = key;
        _clock = clock;
    }

    /// <summary>The CA's self-signed certificate (public part only).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Creates a new CA with a fresh P-256 key.</summary>
    public static NodeCertificateAuthority Create(string name = DefaultName, TimeSpan? validity = null, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        clock ??= TimeProvider.System;
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var request = new CertificateRequest(DistinguishedName(name), key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            var now = clock.GetUtcNow();
            using var withKey = request.CreateSelfSigned(now.AddMinutes(-5), now + (validity ?? DefaultCaValidity));
            var certificate = X509CertificateLoader.LoadCertificate(withKey.RawData);
            return new NodeCertificateAuthority(certificate, key, clock);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>Opens an existing CA from its certificate and private key (PEM files, as <c>renkei pki init</c> writes them).</summary>
    public static NodeCertificateAuthority Load(string certificatePath, string keyPath, TimeProvider? clock = null)
    {
        var certificate = PemCertificates.LoadCertificate(certificatePath);
        var key = PemCertificates.LoadEcdsaKey(keyPath);
        using var check = certificate.GetECDsaPublicKey();
        if (check is null || !check.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(keyPath)} is not the private key of the CA certificate {Path.GetFileName(certificatePath)}");
        }
        return new NodeCertificateAuthority(certificate, key, clock ?? TimeProvider.System);
    }

    /// <summary>
    /// Issues a node certificate for <paramref name="institutionCode"/> (its subject CN) valid for <paramref name="hosts"/>
    /// (DNS names or IP addresses), for both server and client authentication, with a fresh P-256 key.
    /// The returned certificate carries its private key; the caller disposes it.
    /// </summary>
    public X509Certificate2 Issue(string institutionCode, IReadOnlyCollection<string> hosts, TimeSpan? validity = null)
    {
        if (!IsInstitutionCode(institutionCode))
            throw new ArgumentException("an institution code is 2–16 of A–Z and 0–9", nameof(institutionCode));
        ArgumentNullException.ThrowIfNull(hosts);
        if (hosts.Count == 0) throw new ArgumentException("a node certificate needs at least one host name or address", nameof(hosts));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(DistinguishedName(institutionCode), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], false));
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address)) names.AddIpAddress(address);
            else if (IsHostName(host)) names.AddDnsName(host);
            else throw new ArgumentException("a host is a DNS name or an IP address", nameof(hosts));
        }
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var now = _clock.GetUtcNow();
        var notAfter = now + (validity ?? DefaultNodeValidity);
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter;
        var generator = X509SignatureGenerator.CreateForECDsa(_key);
        using var issued = request.Create(Certificate.SubjectName, generator, now.AddMinutes(-5), notAfter, RandomSerial());
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>The subject CN of the certificate for the network's log-signing key (<see cref="IssueLogSigning"/>).</summary>
    public const string LogSigningCommonName = "情報提供ネットワークシステム 提供記録署名";

    /// <summary>
    /// Document signing (id-kp-documentSigning, RFC 9336): the only extended key usage of the log-signing certificate, so
    /// no TLS peer accepts it (they require serverAuth or clientAuth).
    /// </summary>
    public static readonly Oid DocumentSigning = new("1.3.6.1.5.5.7.3.36", "Document Signing");

    /// <summary>
    /// Issues the certificate for the network's log-signing key (<paramref name="logKey"/>, public half used): subject
    /// <c>CN=<see cref="LogSigningCommonName"/>, O=Renkei</c>, basicConstraints CA:FALSE (critical), keyUsage
    /// digitalSignature only (critical), extendedKeyUsage documentSigning only, no subjectAltName — a certificate that says
    /// which key signs the provision records' heads and that is no use for TLS.
    /// </summary>
    public X509Certificate2 IssueLogSigning(ECDsa logKey, TimeSpan? validity = null)
    {
        ArgumentNullException.ThrowIfNull(logKey);
        var request = new CertificateRequest(DistinguishedName(LogSigningCommonName), logKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([DocumentSigning], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var now = _clock.GetUtcNow();
        var notAfter = now + (validity ?? DefaultNodeValidity);
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter;
        var generator = X509SignatureGenerator.CreateForECDsa(_key);
        return request.Create(Certificate.SubjectName, generator, now.AddMinutes(-5), notAfter, RandomSerial());
    }

    /// <summary>The CA's private key as PKCS#8 PEM (for <c>renkei pki init</c> to write, mode 600).</summary>
    public string ExportPrivateKeyPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>An institution code as it appears in a node certificate's CN: 2–16 of A–Z and 0–9 (NETWORK, JLIS, 131091, JPS001 …).</summary>
    public static bool IsInstitutionCode(string? code) => code is not null && InstitutionCodePattern().IsMatch(code);

    /// <summary>Whether <paramref name="host"/> can go into a node certificate's subjectAltName: a DNS name or an IP address.</summary>
    public static bool IsHostNameOrAddress(string? host) => host is not null && (IPAddress.TryParse(host, out _) || IsHostName(host));

    private static bool IsHostName(string host) => host.Length <= 253 && HostNamePattern().IsMatch(host);

    private static X500DistinguishedName DistinguishedName(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        // The builder encodes the last added first: the result reads O=Renkei, CN=<name> from the top.
        builder.AddCommonName(commonName);
        builder.AddOrganizationName("Renkei");
        return builder.Build();
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x01; // and no leading zero byte to strip
        return serial;
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }

    [GeneratedRegex("^[A-Z0-9]{2,16}$")]
    private static partial Regex InstitutionCodePattern();

    [GeneratedRegex(@"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex HostNamePattern();
}

/// <summary>Reading and writing the PEM files of the deployment PKI, with errors that name the file.</summary>
public static class PemCertificates
{
    /// <summary>Reads the first certificate of a PEM file.</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        var text = ReadText(path);
        try
        {
            return X509Certificate2.CreateFromPem(text);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a PEM certificate");
        }
    }

    /// <summary>Reads a PKCS#8 (or SEC1) PEM P-256 private key.</summary>
    public static ECDsa LoadEcdsaKey(string path)
    {
        var text = ReadText(path);
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(text);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a PEM ECDSA private key");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(path)} is not a P-256 key");
        }
        return key;
    }

    /// <summary>A certificate (public part) as PEM.</summary>
    public static string ToPem(X509Certificate2 certificate) =>
        new string(PemEncoding.Write("CERTIFICATE", certificate.RawData)) + "\n";

    /// <summary>The private key of an issued node certificate as PKCS#8 PEM.</summary>
    public static string PrivateKeyPem(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("the certificate carries no ECDSA private key", nameof(certificate));
        return key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>Reads a node certificate and its private key into one certificate usable for TLS.</summary>
    public static X509Certificate2 LoadWithKey(string certificatePath, string keyPath)
    {
        using var certificate = LoadCertificate(certificatePath);
        using var key = LoadEcdsaKey(keyPath);
        using var publicKey = certificate.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            throw new InvalidDataException($"{Path.GetFileName(keyPath)} is not the private key of {Path.GetFileName(certificatePath)}");
        using var combined = certificate.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives a certificate whose key every platform's TLS stack can use (not an ephemeral handle).
        return X509CertificateLoader.LoadPkcs12(combined.Export(X509ContentType.Pkcs12), null);
    }

    private static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} cannot be read: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}");
        }
    }
}
