using System.Security.Cryptography;
using System.Text;

namespace Renkei.Infrastructure.Signing;

/// <summary>
/// An institution's two key pairs on the network, each in its own file in <c>directory</c>, created on first use:
/// <c>signing.key</c> (ECDSA P-256: signs its requests and, for a provider, its answers) and <c>sealing.key</c> (ECDH
/// P-256: providers seal answers to it). Both PKCS#8 PEM, mode 600. The public halves are published in the network's
/// registry as SubjectPublicKeyInfo DER in base64 (<see cref="SigningPublicKey"/>, <see cref="SealingPublicKey"/>).
/// The network has a third key beside them, <c>log-signing.key</c> (<see cref="LoadOrCreateLogSigningKey"/>).
/// </summary>
public sealed class InstitutionKeys : IDisposable
{
    public const string SigningKeyFileName = "signing.key";
    public const string SealingKeyFileName = "sealing.key";

    /// <summary>The network's log-signing key: signs the provision records' tree heads, checkpoints and name table, nothing else.</summary>
    public const string LogSigningKeyFileName = "log-signing.key";

    /// <summary>The certificate the network CA issued for the log-signing key (<c>renkei pki init --log-key</c>), beside the key.</summary>
    public const string LogSigningCertificateFileName = "log-signing.pem";

    private InstitutionKeys(ECDsa signing, ECDiffieHellman sealing)
    {
        Signing = signing;
        Sealing = sealing;
        SigningPublicKey = Convert.ToBase64String(signing.ExportSubjectPublicKeyInfo());
        SealingPublicKey = Convert.ToBase64String(sealing.ExportSubjectPublicKeyInfo());
    }

    /// <summary>Signs requests and answers (ECDSA P-256).</summary>
    public ECDsa Signing { get; }

    /// <summary>Opens payloads sealed to this institution (ECDH P-256).</summary>
    public ECDiffieHellman Sealing { get; }

    /// <summary>SubjectPublicKeyInfo DER of <see cref="Signing"/>, base64.</summary>
    public string SigningPublicKey { get; }

    /// <summary>SubjectPublicKeyInfo DER of <see cref="Sealing"/>, base64.</summary>
    public string SealingPublicKey { get; }

    /// <summary>Loads both keys from <paramref name="directory"/>, creating whichever is missing. Throws <see cref="InvalidDataException"/> naming the file when one is not a P-256 PKCS#8 PEM key.</summary>
    public static InstitutionKeys LoadOrCreate(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var signing = LoadOrCreate(Path.Combine(directory, SigningKeyFileName),
            () => { using var k = ECDsa.Create(ECCurve.NamedCurves.nistP256); return k.ExportPkcs8PrivateKeyPem(); },
            ECDsa.Create, key => key.KeySize);
        try
        {
            var sealing = LoadOrCreate(Path.Combine(directory, SealingKeyFileName),
                () => { using var k = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256); return k.ExportPkcs8PrivateKeyPem(); },
                ECDiffieHellman.Create, key => key.KeySize);
            return new InstitutionKeys(signing, sealing);
        }
        catch
        {
            signing.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The network's log-signing key (ECDSA P-256) from <c>log-signing.key</c> in <paramref name="directory"/>, created
    /// (PKCS#8 PEM, mode 600) when missing. Separate from the request key: a request key in use on every call never signs
    /// the log, and each can be replaced alone. Throws <see cref="InvalidDataException"/> naming the file when it is not a
    /// P-256 PKCS#8 PEM key.
    /// </summary>
    public static ECDsa LoadOrCreateLogSigningKey(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return LoadOrCreate(Path.Combine(directory, LogSigningKeyFileName),
            () => { using var k = ECDsa.Create(ECCurve.NamedCurves.nistP256); return k.ExportPkcs8PrivateKeyPem(); },
            ECDsa.Create, key => key.KeySize);
    }

    /// <summary>The ward's certificate-signing key file (the 2D code on its certificates, docs/paper.md).</summary>
    public const string CertificateSigningKeyFileName = "certificate-signing.key";

    /// <summary>
    /// The ward's certificate-signing key (ECDSA P-256) from <see cref="CertificateSigningKeyFileName"/> in
    /// <paramref name="directory"/>, created (PKCS#8 PEM, mode 600) when missing; its certificate from J-LIS lies beside it.
    /// Separate from the request key, so each can be replaced (or revoked) alone.
    /// </summary>
    public static ECDsa LoadOrCreateCertificateSigningKey(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return LoadOrCreate(Path.Combine(directory, CertificateSigningKeyFileName),
            () => { using var k = ECDsa.Create(ECCurve.NamedCurves.nistP256); return k.ExportPkcs8PrivateKeyPem(); },
            ECDsa.Create, key => key.KeySize);
    }

    private static T LoadOrCreate<T>(string path, Func<string> createPem, Func<T> empty, Func<T, int> keySize) where T : AsymmetricAlgorithm
    {
        if (!File.Exists(path)) KeyFileWriter.CreateNew(path, Encoding.ASCII.GetBytes(createPem()), privateFile: true);
        var key = empty();
        try
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidDataException($"key file {Path.GetFileName(path)} is not a PKCS#8 PEM private key of the expected kind");
        }
        if (keySize(key) != 256)
        {
            key.Dispose();
            throw new InvalidDataException($"key file {Path.GetFileName(path)} is not a P-256 key");
        }
        return key;
    }

    public void Dispose()
    {
        Signing.Dispose();
        Sealing.Dispose();
    }
}
