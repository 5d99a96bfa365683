using System.Security.Cryptography;

namespace Renkei.Infrastructure;

/// <summary>
/// A secret key kept in its own file, created with random bytes on first use and readable only by
/// its owner. Keys never live in code or configuration files, and are never printed.
/// </summary>
public static class SecretKeyFile
{
    public static byte[] LoadOrCreate(string path, int length = 32)
    {
        if (File.Exists(path)) return Load(path, length);

        var key = RandomNumberGenerator.GetBytes(length);
        if (Signing.KeyFileWriter.CreateNew(path, key, privateFile: true)) return key;
        // Another process created it first: use theirs, so both derive the same numbers.
        CryptographicOperations.ZeroMemory(key);
        return Load(path, length);
    }

    private static byte[] Load(string path, int length)
    {
        var key = File.ReadAllBytes(path);
        if (key.Length != length)
            throw new InvalidDataException($"key file {Path.GetFileName(path)} holds {key.Length} bytes, expected {length}");
        return key;
    }
}
