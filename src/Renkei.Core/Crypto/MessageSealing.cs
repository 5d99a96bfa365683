using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Renkei.Core.Crypto;

/// <summary>
/// A sealed message: base64 of the sender's ephemeral ECDH P-256 public key (SubjectPublicKeyInfo), the 12-byte nonce,
/// the ciphertext and the 16-byte GCM tag. <paramref name="Scheme"/> names how the key was derived: absent for
/// <see cref="MessageSealing"/> (an ephemeral key per message), <see cref="SealingWindows.Scheme"/> for a provider's
/// windowed key with a per-message HKDF info (<see cref="SealingWindows"/>).
/// </summary>
public sealed record SealedPayload(string EphemeralPublicKey, string Nonce, string Ciphertext, string Tag,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Scheme = null)
{
    /// <summary>The bytes a signature over a sealed payload covers: the four fields joined by newlines, and the scheme when there is one.</summary>
    public string Canonical => EphemeralPublicKey + "\n" + Nonce + "\n" + Ciphertext + "\n" + Tag + (Scheme is null ? "" : "\n" + Scheme);
}

/// <summary>
/// Hybrid encryption to a recipient's ECDH P-256 key: an ephemeral key pair per message, the shared secret through
/// HKDF-SHA256 (salt: the ephemeral public key, info: <see cref="Info"/>) into an AES-256-GCM key. Whoever routes a
/// sealed payload (the network) learns nothing of its content; only the holder of the recipient's private key opens it.
/// </summary>
public static class MessageSealing
{
    private static readonly byte[] Info = "renkei sealed payload v1"u8.ToArray();
    internal const int NonceSize = 12;
    internal const int TagSize = 16;

    /// <param name="recipientPublicKey">The recipient's ECDH P-256 public key as SubjectPublicKeyInfo DER.</param>
    /// <param name="associatedData">Bound to the ciphertext but not encrypted (e.g. the request id): opening with other data fails.</param>
    public static SealedPayload Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        using var recipient = ImportRecipient(recipientPublicKey);
        using var recipientKey = recipient.PublicKey;
        return Seal(recipientKey, plaintext, associatedData);
    }

    /// <summary>
    /// The recipient's ECDH P-256 public key from SubjectPublicKeyInfo DER, validated, for <see cref="Seal(ECDiffieHellmanPublicKey, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>:
    /// a sender that seals to the same few recipients again and again imports each key once (an import validates the point,
    /// which costs about as much as the key agreement itself). Throws <see cref="CryptographicException"/> for anything else.
    /// </summary>
    public static ECDiffieHellman ImportRecipient(ReadOnlySpan<byte> recipientPublicKey)
    {
        var recipient = ECDiffieHellman.Create();
        try
        {
            recipient.ImportSubjectPublicKeyInfo(recipientPublicKey, out _);
            if (recipient.KeySize != 256) throw new CryptographicException("the recipient's key is not a P-256 key");
            return recipient;
        }
        catch
        {
            recipient.Dispose();
            throw;
        }
    }

    /// <summary>Seals to a recipient key imported before (<see cref="ImportRecipient"/>); a fresh ephemeral key pair per message as always. The key may be shared between threads.</summary>
    public static SealedPayload Seal(ECDiffieHellmanPublicKey recipientPublicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(recipientPublicKey);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var ephemeralPublic = ephemeral.ExportSubjectPublicKeyInfo();
        var key = DeriveKey(ephemeral, recipientPublicKey, ephemeralPublic);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagSize];
        using (var aes = new AesGcm(key, TagSize)) aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        CryptographicOperations.ZeroMemory(key);
        return new SealedPayload(Convert.ToBase64String(ephemeralPublic), Convert.ToBase64String(nonce),
            Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag));
    }

    /// <summary>Opens a payload sealed to <paramref name="recipient"/> (which may be shared between threads). Throws <see cref="CryptographicException"/> when it was altered, sealed to another key or bound to other associated data.</summary>
    public static byte[] Open(ECDiffieHellman recipient, SealedPayload sealedPayload, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(sealedPayload);
        if (sealedPayload.Scheme is not null)
            throw new CryptographicException("sealed payload: sealed under a provider's window (SealingWindows), not with a key of its own");
        var (ephemeralPublic, nonce, ciphertext, tag) = Decode(sealedPayload);
        using var ephemeral = ECDiffieHellman.Create();
        ephemeral.ImportSubjectPublicKeyInfo(ephemeralPublic, out _);
        using var ephemeralKey = ephemeral.PublicKey;
        byte[] key;
        // Only the agreement uses the recipient's private key: one at a time per key (ECDH instances are not documented as
        // thread-safe), while parsing and validating the ephemeral key above runs outside the lock.
        lock (recipient) key = DeriveKey(recipient, ephemeralKey, ephemeralPublic);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        return plaintext;
    }

    public static byte[] AssociatedData(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The four fields' bytes, with the nonce and tag sizes checked; <see cref="CryptographicException"/> for anything else.</summary>
    internal static (byte[] EphemeralPublic, byte[] Nonce, byte[] Ciphertext, byte[] Tag) Decode(SealedPayload sealedPayload)
    {
        byte[] ephemeralPublic, nonce, ciphertext, tag;
        try
        {
            ephemeralPublic = Convert.FromBase64String(sealedPayload.EphemeralPublicKey);
            nonce = Convert.FromBase64String(sealedPayload.Nonce);
            ciphertext = Convert.FromBase64String(sealedPayload.Ciphertext);
            tag = Convert.FromBase64String(sealedPayload.Tag);
        }
        catch (Exception e) when (e is FormatException or ArgumentNullException)
        {
            throw new CryptographicException("sealed payload: a field is not base64");
        }
        if (nonce.Length != NonceSize || tag.Length != TagSize) throw new CryptographicException("sealed payload: wrong nonce or tag size");
        return (ephemeralPublic, nonce, ciphertext, tag);
    }

    private static byte[] DeriveKey(ECDiffieHellman own, ECDiffieHellmanPublicKey other, byte[] ephemeralPublic)
    {
        var secret = own.DeriveRawSecretAgreement(other);
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, ephemeralPublic, Info);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
