namespace Renkei.Jlis.Pki;

/// <summary>
/// Where the JPKI certificate authorities (公的個人認証) keep their private keys and how to open them: one
/// passphrase-protected key file (<see cref="KeyFilePath"/>) under <see cref="KeyDirectory"/>. The passphrase is never
/// printed: <see cref="ToString"/> leaves it out.
/// </summary>
public sealed class JpkiOptions
{
    /// <summary>The name of the CA key file inside <see cref="KeyDirectory"/>.</summary>
    public const string KeyFileName = "jpki-ca-keys.pem";

    /// <summary>PBKDF2-SHA256 iterations for each key in the file (each key is decrypted once when the authority opens).</summary>
    public const int DefaultKeyFileIterations = 600_000;

    /// <summary>The least iteration count accepted for a new key file.</summary>
    public const int MinimumKeyFileIterations = 100_000;

    /// <summary>The shortest passphrase accepted for a new key file.</summary>
    public const int MinimumPassphraseLength = 12;

    public JpkiOptions(string keyDirectory, string passphrase)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyDirectory);
        ArgumentNullException.ThrowIfNull(passphrase);
        KeyDirectory = keyDirectory;
        Passphrase = passphrase;
    }

    public string KeyDirectory { get; }

    /// <summary>The passphrase of the key file. Never logged.</summary>
    public string Passphrase { get; }

    public string KeyFilePath => Path.Combine(KeyDirectory, KeyFileName);

    /// <summary>
    /// The public address the CRL distribution points of new certificates name (each CA's CRL is at
    /// <c>&lt;address&gt;jpki/crls/&lt;ca&gt;</c>). Certificates keep the address they were issued with, so set it once
    /// for a deployment, to where relying parties reach J-LIS.
    /// </summary>
    public Uri DistributionBaseAddress { get; init; } = new("http://jlis.renkei.test/");

    /// <summary>PBKDF2 iterations used when the key file is created (at least <see cref="MinimumKeyFileIterations"/>).</summary>
    public int KeyFileIterations { get; init; } = DefaultKeyFileIterations;

    /// <summary>How long a CRL is valid (its nextUpdate); one past half of this is regenerated when asked for.</summary>
    public TimeSpan CrlValidity { get; init; } = TimeSpan.FromHours(24);

    public override string ToString() => $"JpkiOptions {{ KeyFilePath = {KeyFilePath}, DistributionBaseAddress = {DistributionBaseAddress} }}";
}
