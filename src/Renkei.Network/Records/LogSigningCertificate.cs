using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;

namespace Renkei.Network.Records;

/// <summary>
/// The certificate the network CA issued for the log-signing key (<c>renkei pki init --log-key</c> writes
/// <c>log-signing.pem</c> beside the key), served on <c>GET records/signing-certificate</c> so anyone can check the key
/// that signs the provision records' heads against the deployment's CA. Read once at start: a certificate for another key
/// stops the start (it would vouch for a key that signs nothing); none at all is allowed (the route then answers 404).
/// </summary>
internal sealed class LogSigningCertificate
{
    private LogSigningCertificate(string? pem) => Pem = pem;

    /// <summary>The certificate as PEM, or null when none was issued.</summary>
    public string? Pem { get; }

    public static LogSigningCertificate Load(string keyDirectory, ECDsa logKey)
    {
        var path = Path.Combine(keyDirectory, InstitutionKeys.LogSigningCertificateFileName);
        if (!File.Exists(path)) return new LogSigningCertificate(null);
        using var certificate = PemCertificates.LoadCertificate(path);
        using var certified = certificate.GetECDsaPublicKey();
        if (certified is null || !certified.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(logKey.ExportSubjectPublicKeyInfo()))
            throw new InvalidDataException(
                $"{InstitutionKeys.LogSigningCertificateFileName} in the network's key directory is not for {InstitutionKeys.LogSigningKeyFileName}: "
                + "remove it and issue it again with 'renkei pki init --reuse-ca --log-key <key directory>'");
        return new LogSigningCertificate(PemCertificates.ToPem(certificate));
    }
}
