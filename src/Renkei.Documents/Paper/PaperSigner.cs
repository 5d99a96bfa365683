using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Renkei.Core.Crypto;

namespace Renkei.Documents.Paper;

/// <summary>
/// A ward's certificate-signing key (P-256) with its certificate from J-LIS's certificate-signing CA: it signs the statement of
/// each page's 2D code (<see cref="PaperMarks"/>). The key stays in the ward's key directory; this object only holds it.
/// </summary>
public sealed class PaperSigner : IDisposable
{
    private readonly ECDsa _key;

    /// <param name="key">The private key (owned and disposed by this signer).</param>
    /// <param name="certificate">The key's certificate (DER) as J-LIS issued it.</param>
    /// <exception cref="ArgumentException">the certificate is not for <paramref name="key"/>.</exception>
    public PaperSigner(ECDsa key, byte[] certificate)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(certificate);
        using var parsed = X509CertificateLoader.LoadCertificate(certificate);
        using var publicKey = parsed.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
            throw new ArgumentException("the certificate is not for this key (証明書が鍵と一致しません)", nameof(certificate));
        _key = key;
        Certificate = certificate;
        SerialNumber = parsed.SerialNumber;
        NotAfter = parsed.NotAfter.ToUniversalTime();
    }

    /// <summary>The signer's certificate (DER), carried in every code.</summary>
    public byte[] Certificate { get; }

    /// <summary>The certificate's serial (hexadecimal), e.g. for revocation.</summary>
    public string SerialNumber { get; }

    /// <summary>When the certificate ends (UTC).</summary>
    public DateTime NotAfter { get; }

    /// <summary>The signature of <paramref name="statement"/> (ECDSA P-256, SHA-256, r‖s).</summary>
    public byte[] Sign(ReadOnlySpan<byte> statement) => _key.SignData(statement, PaperSigningProfile.Hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public void Dispose() => _key.Dispose();
}
