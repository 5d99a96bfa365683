using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Renkei.Infrastructure.Tls;

namespace Renkei.ServiceDefaults.Tls;

/// <summary>
/// Mutual TLS between services on certificates from the network's CA (<see cref="NodeCertificateAuthority"/>): one node's
/// certificate and key, and the CA it trusts — only that CA, never the operating system's roots. A
/// <see cref="ServiceHost"/> given this setting serves HTTPS, requires a client certificate and accepts only one that
/// chains to the CA with the clientAuth usage; <see cref="CreateHandler"/> makes the outgoing side, presenting the node's
/// certificate and accepting only a server certificate from the CA with the serverAuth usage for the host it called.
/// The caller's institution is its certificate's CN (<see cref="CallerCertificate"/>).
/// </summary>
public sealed class MutualTls : IDisposable
{
    /// <param name="certificate">The node's certificate with its private key.</param>
    /// <param name="authority">The network CA's certificate (the only trust anchor).</param>
    public MutualTls(X509Certificate2 certificate, X509Certificate2 authority)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authority);
        if (!certificate.HasPrivateKey) throw new ArgumentException("the node certificate needs its private key", nameof(certificate));
        Certificate = certificate;
        Authority = authority;
        InstitutionCode = CallerCertificate.InstitutionOf(certificate)
            ?? throw new ArgumentException("the node certificate's subject has no institution code (CN)", nameof(certificate));
    }

    /// <summary>This node's certificate (with its private key): the server certificate and the client certificate.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The network CA's certificate: the one trust anchor for peers.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>This node's institution code: the CN of <see cref="Certificate"/> (NETWORK for the network itself).</summary>
    public string InstitutionCode { get; }

    /// <summary>
    /// Loads a node's certificate, its key and the CA certificate from PEM files and checks that they belong together:
    /// the key is the certificate's, the CA file is a CA, the certificate is currently valid, chains to that CA and may
    /// be used as server and as client. Problems throw <see cref="InvalidDataException"/> naming the file.
    /// </summary>
    public static MutualTls Load(string certificatePath, string keyPath, string authorityPath)
    {
        var authority = PemCertificates.LoadCertificate(authorityPath);
        X509Certificate2? certificate = null;
        try
        {
            if (authority.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
                throw new InvalidDataException($"{Path.GetFileName(authorityPath)} is not a CA certificate");
            certificate = PemCertificates.LoadWithKey(certificatePath, keyPath);
            var tls = new MutualTls(certificate, authority);
            foreach (var usage in new[] { NodeCertificateAuthority.ServerAuthentication, NodeCertificateAuthority.ClientAuthentication })
            {
                if (!tls.Trusts(certificate, usage, out var problem))
                    throw new InvalidDataException(
                        $"{Path.GetFileName(certificatePath)} is not a valid {usage.FriendlyName?.ToLowerInvariant()} certificate from the CA in {Path.GetFileName(authorityPath)}: {problem}");
            }
            return tls;
        }
        catch (ArgumentException e)
        {
            certificate?.Dispose();
            authority.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(certificatePath)}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
        catch
        {
            certificate?.Dispose();
            authority.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="peer"/> chains to <see cref="Authority"/> (custom root trust: no system roots, no
    /// downloads), is valid now, allows <paramref name="usage"/> and names an institution in its CN.
    /// </summary>
    public bool Trusts(X509Certificate2 peer, System.Security.Cryptography.Oid usage, out string? problem) =>
        Trusts(Authority, peer, usage, out problem);

    /// <summary>
    /// Whether <paramref name="peer"/> chains to <paramref name="authority"/> alone (custom root trust: no system roots, no
    /// downloads), is valid now, allows <paramref name="usage"/> and names an institution in its CN.
    /// </summary>
    public static bool Trusts(X509Certificate2 authority, X509Certificate2 peer, System.Security.Cryptography.Oid usage, out string? problem)
{
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(peer);
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.Add(authority);
        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(usage);
        try
        {
            if (!chain.Build(peer))
            {
                problem = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                return false;
            }
            var root = chain.ChainElements[^1].Certificate;
            if (!root.RawData.AsSpan().SequenceEqual(authority.RawData))
            {
                problem = "it does not chain to the network's CA";
                return false;
            }
            if (CallerCertificate.InstitutionOf(peer) is null)
            {
                problem = "its subject names no institution code (CN)";
                return false;
            }
            problem = null;
            return true;
        }
        finally
        {
            foreach (var element in chain.ChainElements)
                if (!ReferenceEquals(element.Certificate, peer) && !ReferenceEquals(element.Certificate, authority)) element.Certificate.Dispose();
        }
    }

    /// <summary>Kestrel's HTTPS settings for a service: this node's certificate, client certificates required and checked against the CA only.</summary>
    public void ConfigureServer(HttpsConnectionAdapterOptions https)
    {
        ArgumentNullException.ThrowIfNull(https);
        https.ServerCertificate = Certificate;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        // Asked for, and checked when given; a connection without one reaches only the routes declared public (health,
        // the provision records' log, JPKI's CA certificates): CallerCertificate.RequireCertificateUnlessPublic.
        https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
        https.CheckCertificateRevocation = false;
        // The platform's verdict (built on system roots) is ignored: only the network's CA counts.
        https.ClientCertificateValidation = (certificate, _, _) =>
            Trusts(certificate, NodeCertificateAuthority.ClientAuthentication, out _);
    }

    /// <summary>
    /// An outgoing handler for calls to other nodes: presents this node's certificate and accepts only a server
    /// certificate from the network's CA, valid for serverAuth and for the host name or address called. The caller
    /// owns (and disposes) the handler; one per HttpClient.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            ClientCertificates = [Certificate],
            // Always present the node certificate, whatever CA names the server lists (or none).
            LocalCertificateSelectionCallback = (_, _, _, _, _) => Certificate,
            RemoteCertificateValidationCallback = ServerFrom(Authority),
        },
    };

    /// <summary>
    /// A handler for someone outside the network (an auditor's monitor) that presents no certificate and accepts only a
    /// server certificate from <paramref name="authority"/>, as <see cref="CreateHandler"/> does: the public routes of a
    /// deployed service (<see cref="CallerCertificate.RequireCertificateUnlessPublic"/>).
    /// </summary>
    public static SocketsHttpHandler CreateAnonymousHandler(X509Certificate2 authority) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = ServerFrom(authority),
        },
    };

    /// <summary>Accepts a server certificate from <paramref name="authority"/> with the serverAuth usage, for the host name or address called.</summary>
    private static RemoteCertificateValidationCallback ServerFrom(X509Certificate2 authority) => (_, certificate, _, errors) =>
        certificate is X509Certificate2 server
        && (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) == 0
        && Trusts(authority, server, NodeCertificateAuthority.ServerAuthentication, out _);

    public void Dispose()
    {
        Certificate.Dispose();
        Authority.Dispose();
    }
}
