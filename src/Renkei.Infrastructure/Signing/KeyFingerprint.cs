using System.Security.Cryptography;

namespace Renkei.Infrastructure.Signing;

/// <summary>
/// How people compare a public key out of band: SHA-256 of its SubjectPublicKeyInfo DER, in lower-case hex pairs joined
/// by colons — what <c>openssl pkey -pubin -outform DER | openssl dgst -sha256 -c</c> prints for the same key.
/// </summary>
public static class KeyFingerprint
{
    public static string Sha256(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        string.Join(':', Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo)).Chunk(2).Select(pair => new string(pair)));

    public static string Sha256(AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Sha256(key.ExportSubjectPublicKeyInfo());
    }
}
