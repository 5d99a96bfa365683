using System.Security.Cryptography;
using Renkei.Core.Audit;

namespace Renkei.Infrastructure.Audit;

/// <summary>
/// The log owner's checkpoint signing key (ECDSA P-256): the private key in its own file as PKCS#8 PEM, created on first
/// use and readable only by its owner (mode 600), like <see cref="SecretKeyFile"/>; the public key next to it
/// (<c>&lt;name&gt;.pub</c>, SubjectPublicKeyInfo PEM) for auditors, who should keep their own copy of it: anyone who can
/// replace both files can re-sign a rewritten log, so the verifier should be given the public key the auditor trusts.
/// </summary>
public static class AuditSigningKeyFile
{
    public static string PublicKeyPath(string privateKeyPath) => Path.ChangeExtension(privateKeyPath, ".pub");

    /// <summary>Loads the key, or creates it (and its public file) if there is none. The caller disposes the key.</summary>
    public static ECDsa LoadOrCreate(string path)
    {
        if (!File.Exists(path)) Create(path);
        var key = Load(path);
        var publicPath = PublicKeyPath(path);
        if (!File.Exists(publicPath)) WriteAtomically(publicPath, key.ExportSubjectPublicKeyInfoPem(), privateFile: false);
        return key;
    }

    /// <summary>The published public key: the .pub file, or derived from the private key when only that exists; null when neither exists.</summary>
    public static string? LoadPublicKeyPem(string privateKeyPath)
    {
        var publicPath = PublicKeyPath(privateKeyPath);
        if (File.Exists(publicPath)) return File.ReadAllText(publicPath);
        if (!File.Exists(privateKeyPath)) return null;
        using var key = Load(privateKeyPath);
        return key.ExportSubjectPublicKeyInfoPem();
    }

    private static ECDsa Load(string path)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"key file {Path.GetFileName(path)} is not a PKCS#8 PEM ECDSA private key");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"key file {Path.GetFileName(path)} is not a P-256 key");
        }
        return key;
    }

    private static void Create(string path)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteAtomically(path, key.ExportPkcs8PrivateKeyPem(), privateFile: true);
    }

    // Another process may create it first: KeyFileWriter keeps theirs, so there is one key per log.
    private static void WriteAtomically(string path, string text, bool privateFile) =>
        Signing.KeyFileWriter.CreateNew(path, System.Text.Encoding.ASCII.GetBytes(text), privateFile);
}
