using System.Security.Cryptography;

namespace Renkei.Core.Crypto;

/// <summary>
/// The certificate-signing profile (証明書の電子署名, docs/paper.md): a ward signs the 2D code printed on its certificates with
/// an ECDSA P-256 key whose certificate J-LIS's certificate-signing CA issues (LGPKI's role in the real system). The OIDs are
/// under Renkei's own arc (the same UUID arc as the JPKI profile, docs/jpki-profile.md).
/// </summary>
public static class PaperSigningProfile
{
    /// <summary>Renkei's private arc (2.25 + a UUID), shared with the JPKI profile.</summary>
    public const string Arc = "2.25.328883044154677167463796262158924966774";

    /// <summary>Extended key usage (and certificate policy) of a ward's certificate-signing certificate.</summary>
    public const string CertificateSigningOid = Arc + ".3.1";

    /// <summary>The curve of every key of the profile (the CA's and the wards').</summary>
    public static readonly ECCurve Curve = ECCurve.NamedCurves.nistP256;

    /// <summary>Hash of certificate, CRL and statement signatures (ecdsa-with-SHA256).</summary>
    public static readonly HashAlgorithmName Hash = HashAlgorithmName.SHA256;
}
