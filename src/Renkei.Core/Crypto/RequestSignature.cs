using System.Security.Cryptography;
using System.Text;

namespace Renkei.Core.Crypto;

/// <summary>
/// The signature institutions put on their requests to each other: ECDSA P-256 with SHA-256 (IEEE P1363, base64) over
/// <c>METHOD "\n" PATH "\n" TIMESTAMP "\n" lowercase-hex(SHA-256(body))</c>. PATH is the path without query,
/// TIMESTAMP Unix seconds. The HTTP headers carrying it are named in the network's contract.
/// </summary>
public static class RequestSignature
{
    public static string StringToSign(string method, string path, long unixSeconds, ReadOnlySpan<byte> body) =>
        method.ToUpperInvariant() + "\n" + path + "\n" + unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + "\n" + Convert.ToHexStringLower(SHA256.HashData(body));

    public static string Sign(ECDsa key, string method, string path, long unixSeconds, ReadOnlySpan<byte> body) =>
        SignText(key, StringToSign(method, path, unixSeconds, body));

    public static bool Verify(ECDsa publicKey, string method, string path, long unixSeconds, ReadOnlySpan<byte> body, string signature) =>
        VerifyText(publicKey, StringToSign(method, path, unixSeconds, body), signature);

    /// <summary>Signs UTF-8 text (e.g. a signed provision's canonical form) with ECDSA P-256 / SHA-256, P1363, base64.</summary>
    public static string SignText(ECDsa key, string text) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    public static bool VerifyText(ECDsa publicKey, string text, string signature)
    {
        Span<byte> raw = stackalloc byte[132];
        if (!Convert.TryFromBase64String(signature, raw, out var written)) return false;
        return publicKey.VerifyData(Encoding.UTF8.GetBytes(text), raw[..written], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>An ECDSA public key from SubjectPublicKeyInfo DER in base64 (as the network's registry publishes it).</summary>
    public static ECDsa ImportPublicKey(string subjectPublicKeyInfoBase64)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(subjectPublicKeyInfoBase64), out _);
            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}
