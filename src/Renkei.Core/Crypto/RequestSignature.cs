using System.Security.Cryptography;
using System.Text;

namespace Renkei.Core.Crypto;

/// <summary>
/// The signature institutions put on their requests to each other: ECDSA P-256 with SHA-256 (IEEE P1363, base64) over
/// <c>METHOD "\n" PATH "\n" AUDIENCE "\n" TIMESTAMP "\n" NONCE "\n" lowercase-hex(SHA-256(body))</c>. PATH is the path
/// without query, AUDIENCE the institution code of the receiver (so a request captured on its way to one institution is
/// refused by every other), TIMESTAMP Unix seconds and NONCE a single-use random value (so the receiver refuses the same
/// request a second time inside the clock window). The HTTP headers carrying them are named in <c>SignatureHeaders</c>.
/// A route whose body is streamed (never buffered whole) is signed with <see cref="StreamedBody"/> in place of the body's
/// digest: the signature then names the caller, the route and the moment, and the connection (mutual TLS when deployed)
/// carries the body.
/// </summary>
public static class RequestSignature
{
    /// <summary>What a streamed request's signature covers in place of the body's digest (never a SHA-256 hex string).</summary>
    public const string StreamedBody = "STREAMED-BODY";

    public static string StringToSign(string method, string path, string audience, long unixSeconds, string nonce, ReadOnlySpan<byte> body) =>
        StringToSign(method, path, audience, unixSeconds, nonce, Convert.ToHexStringLower(SHA256.HashData(body)));

    /// <summary>The string to sign with the body's digest given: lowercase-hex SHA-256, or <see cref="StreamedBody"/>.</summary>
    public static string StringToSign(string method, string path, string audience, long unixSeconds, string nonce, string bodyDigest) =>
        method.ToUpperInvariant() + "\n" + path + "\n" + audience + "\n" + unixSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
        + "\n" + nonce + "\n" + bodyDigest;

    public static string Sign(ECDsa key, string method, string path, string audience, long unixSeconds, string nonce, ReadOnlySpan<byte> body) =>
        SignText(key, StringToSign(method, path, audience, unixSeconds, nonce, body));

    public static bool Verify(ECDsa publicKey, string method, string path, string audience, long unixSeconds, string nonce, ReadOnlySpan<byte> body, string signature) =>
        VerifyText(publicKey, StringToSign(method, path, audience, unixSeconds, nonce, body), signature);

    /// <summary>A fresh nonce: 128 random bits, base64url without padding (22 characters).</summary>
    public static string NewNonce() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="nonce"/> has the form <see cref="NewNonce"/> makes (16–64 base64url characters).</summary>
    public static bool IsWellFormedNonce(string? nonce)
    {
        if (nonce is null || nonce.Length is < 16 or > 64) return false;
        foreach (var c in nonce)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        return true;
    }

    /// <summary>
    /// Signs UTF-8 text (e.g. a signed provision's canonical form) with ECDSA P-256 / SHA-256, P1363, base64: one signature
    /// for one message. Messages sent under load are signed with <see cref="BatchSigner"/> instead.
    /// </summary>
    public static string SignText(ECDsa key, string text) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

    /// <summary>
    /// Verifies <paramref name="signature"/> over UTF-8 <paramref name="text"/>: a plain signature (<see cref="SignText"/>)
    /// or a batch signature (<see cref="BatchSignature"/>, <see cref="BatchSigner"/>), whose root is verified once per batch.
    /// </summary>
    public static bool VerifyText(ECDsa publicKey, string text, string signature)
    {
        if (BatchSignature.IsBatch(signature)) return BatchSignature.Verify(publicKey, text, signature);
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
