using System.Security.Cryptography;
using System.Text;
using Renkei.Infrastructure;

namespace Renkei.Municipality.Staff;

/// <summary>
/// Encrypts TOTP shared secrets at rest with AES-256-GCM under a key kept in its own file (<see cref="SecretKeyFile"/>).
/// Stored form: version byte 1 | 12-byte nonce | ciphertext | 16-byte tag. The staff id is associated data, so a
/// secret copied onto another account's row does not decrypt.
/// </summary>
internal sealed class TotpSecretProtector
{
    private const byte FormatVersion = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key;

    public TotpSecretProtector(string keyFile) => _key = SecretKeyFile.LoadOrCreate(keyFile, 32);

    public byte[] Protect(StaffId staff, ReadOnlySpan<byte> secret)
    {
        var stored = new byte[1 + NonceBytes + secret.Length + TagBytes];
        stored[0] = FormatVersion;
        var nonce = stored.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, secret, stored.AsSpan(1 + NonceBytes, secret.Length), stored.AsSpan(1 + NonceBytes + secret.Length), AssociatedData(staff));
        return stored;
    }

    /// <summary>The secret; the caller zeroes it after use.</summary>
    /// <exception cref="CryptographicException">the stored value was altered, belongs to another account or another key.</exception>
    public byte[] Unprotect(StaffId staff, byte[] stored)
    {
        if (stored.Length < 1 + NonceBytes + TagBytes || stored[0] != FormatVersion)
            throw new CryptographicException("stored TOTP secret has an unknown format");
        var length = stored.Length - 1 - NonceBytes - TagBytes;
        var secret = new byte[length];
        using var aes = new AesGcm(_key, TagBytes);
        aes.Decrypt(stored.AsSpan(1, NonceBytes), stored.AsSpan(1 + NonceBytes, length), stored.AsSpan(1 + NonceBytes + length), secret, AssociatedData(staff));
        return secret;
    }

    private static byte[] AssociatedData(StaffId staff) => Encoding.UTF8.GetBytes("renkei/staff-totp/v1/" + staff.Value);
}
