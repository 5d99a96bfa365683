using System.Security.Cryptography;
using System.Text;
using Renkei.Infrastructure.Signing;

namespace Renkei.Jlis.Pki;

/// <summary>The key file could not be opened: wrong passphrase, missing or damaged file, or keys of another database.</summary>
public sealed class JpkiKeyFileException(string message) : Exception(message);

/// <summary>
/// The JPKI CAs' private keys in one file: three encrypted PKCS#8 PEM blocks (<c>ENCRYPTED PRIVATE KEY</c>; PBES2 with
/// AES-256-CBC and PBKDF2-HMAC-SHA256), in the order root, signing CA, user-authentication CA, each preceded by a line
/// of explanatory text naming it (RFC 7468 allows text between blocks). Created once with mode 600; OpenSSL reads each
/// block (<c>openssl pkey -in …</c> reads the first).
/// </summary>
internal static class JpkiKeyFile
{
    internal static readonly string[] Labels =
    [
        "Renkei JPKI root CA private key",
        "Renkei JPKI signing CA private key (署名用)",
        "Renkei JPKI user-authentication CA private key (利用者証明用)",
    ];

    private const string PemLabel = "ENCRYPTED PRIVATE KEY";

    /// <summary>
    /// Writes the keys unless the file exists; true when this call created it (false: another process was first, and
    /// the caller should load that file instead).
    /// </summary>
    public static bool CreateNew(string path, string passphrase, int iterations, IReadOnlyList<RSA> keys)
    {
        if (keys.Count != Labels.Length) throw new ArgumentException($"expected {Labels.Length} keys", nameof(keys));
        var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, iterations);
        var text = new StringBuilder();
        for (var i = 0; i < keys.Count; i++)
            text.Append(Labels[i]).Append('\n').Append(keys[i].ExportEncryptedPkcs8PrivateKeyPem(passphrase, parameters)).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        try
        {
            return KeyFileWriter.CreateNew(path, bytes, privateFile: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Decrypts the three keys. Fails with <see cref="JpkiKeyFileException"/> naming the file, never the passphrase.</summary>
    public static RSA[] Load(string path, string passphrase)
    {
        if (!File.Exists(path))
            throw new JpkiKeyFileException($"the JPKI key file {path} does not exist; restore it from the backup of J-LIS's keys (鍵ファイルがありません)");
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JpkiKeyFileException($"the JPKI key file {path} cannot be read: {e.GetType().Name} (鍵ファイルを読めません)");
        }

        var keys = new List<RSA>();
        try
        {
            var rest = text.AsMemory();
            while (keys.Count < Labels.Length)
            {
                if (!PemEncoding.TryFind(rest.Span, out var fields) || !rest.Span[fields.Label].SequenceEqual(PemLabel.AsSpan()))
                    throw new JpkiKeyFileException(
                        $"the JPKI key file {path} does not hold {Labels.Length} encrypted private keys (鍵ファイルが壊れています)");
                var block = rest[fields.Location];
                var key = RSA.Create();
                keys.Add(key);
                try
                {
                    key.ImportFromEncryptedPem(block.Span, passphrase);
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException)
                {
                    throw new JpkiKeyFileException(
                        $"the passphrase does not open the JPKI key file {path} (wrong passphrase or damaged file; パスフレーズが違うか鍵ファイルが壊れています)");
                }
                rest = rest[fields.Location.End..];
            }
            return keys.ToArray();
        }
        catch
        {
            foreach (var key in keys) key.Dispose();
            throw;
        }
    }
}
