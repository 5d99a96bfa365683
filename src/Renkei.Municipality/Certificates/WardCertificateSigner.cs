using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Documents.Paper;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.Municipality.Certificates;

/// <summary>
/// The ward's certificate-signing key and its certificate as files in the ward's key directory (docs/paper.md):
/// <see cref="InstitutionKeys.CertificateSigningKeyFileName"/> (private, mode 600, created on first use) and
/// <see cref="CertificateFileName"/> (PEM, public) that J-LIS's certificate-signing CA issued for it. The certificate is
/// obtained from J-LIS once and kept; again when it is missing, not for this key, or within <see cref="RenewBefore"/> of its end.
/// </summary>
public sealed class WardCertificateSigner : IDisposable
{
    /// <summary>The certificate file beside the key.</summary>
    public const string CertificateFileName = "certificate-signing.pem";

    /// <summary>The refusal when the ward has no usable certificate and J-LIS could not issue one (nothing is issued or recorded).</summary>
    public const string Unavailable = "certificate-signer-unavailable";

    /// <summary>How long before its end a certificate is replaced.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private readonly string _directory;
    private readonly LocalGovernmentCode _ward;
    private readonly string _name;
    private readonly Func<PaperSigningHttpClient>? _jlis;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _state = new();
    private PaperSigner? _current;

    /// <param name="directory">The ward's key directory.</param>
    /// <param name="jlis">J-LIS's certificate-signing CA, signing as the ward; null: only the files are used.</param>
    public WardCertificateSigner(string directory, LocalGovernmentCode ward, string name, Func<PaperSigningHttpClient>? jlis, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        (_directory, _ward, _name, _jlis, _clock) = (directory, ward, name, jlis, clock ?? TimeProvider.System);
    }

    /// <summary>
    /// The signer, without waiting: the one held, else the one in the files. When there is none (or it is due for renewal) J-LIS is
    /// asked in the background (<see cref="EnsureAsync"/>; the ward's start does it before it listens), and until it answers a
    /// certificate is refused rather than issued unsigned.
    /// </summary>
    /// <exception cref="RegisterException"><see cref="Unavailable"/>: no usable certificate yet.</exception>
    public PaperSigner Current
    {
        get
        {
            var now = _clock.GetUtcNow().UtcDateTime;
            PaperSigner? current;
            lock (_state)
            {
                if (_current is null && TryLoad(_directory, _ward) is { } loaded) _current = loaded;
                current = _current;
            }
            if ((current is null || current.NotAfter - RenewBefore <= now) && _jlis is not null)
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await EnsureAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is RegisterException or IOException or InvalidDataException or OperationCanceledException)
                    {
                        // asked again at the next certificate
                    }
                });
            if (current is not null && current.NotAfter > now) return current;
            throw NotAvailable();
        }
    }

    private static RegisterException NotAvailable() => new(Unavailable,
        "the ward has no certificate-signing certificate from J-LIS yet; certificates cannot be issued until it has one, try again shortly (証明書の電子署名用の証明書がないため交付できません。しばらくしてから再度お試しください)");

    /// <summary>Loads or obtains the signer (the ward's start calls this, so the first certificate does not wait for J-LIS).</summary>
    /// <exception cref="RegisterException"><see cref="Unavailable"/>.</exception>
    public async Task<PaperSigner> EnsureAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _clock.GetUtcNow().UtcDateTime;
            if (_current is { } current && current.NotAfter - RenewBefore > now) return current;
            var loaded = TryLoad(_directory, _ward);
            if (loaded is not null && loaded.NotAfter - RenewBefore > now) return Keep(loaded);
            if (_jlis is not null)
            {
                try
                {
                    loaded?.Dispose();
                    return Keep(await ObtainAsync(_directory, _ward, _name, _jlis(), cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is JlisException or HttpRequestException or TaskCanceledException or CryptographicException)
                {
                    // fall through: an old certificate still in force is used until J-LIS answers
                    loaded = TryLoad(_directory, _ward);
                }
            }
            if (loaded is not null && loaded.NotAfter > now) return Keep(loaded);
            throw NotAvailable();
        }
        finally
        {
            _gate.Release();
        }
    }

    private PaperSigner Keep(PaperSigner signer)
    {
        lock (_state)
        {
            // The replaced signer is left to the collector: a certificate being issued on another thread may still hold it.
            _current = signer;
            return signer;
        }
    }

    /// <summary>The signer from the files when both are there, the certificate is for this key and names this ward; null otherwise.</summary>
    public static PaperSigner? TryLoad(string directory, LocalGovernmentCode ward)
    {
        var certificatePath = Path.Combine(directory, CertificateFileName);
        if (!File.Exists(certificatePath) || !File.Exists(Path.Combine(directory, InstitutionKeys.CertificateSigningKeyFileName))) return null;
        ECDsa? key = null;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(PemBody(File.ReadAllText(certificatePath))));
            if (certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) != ward.Digits) return null;
            key = InstitutionKeys.LoadOrCreateCertificateSigningKey(directory);
            return new PaperSigner(key, certificate.RawData);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException or InvalidDataException or IOException)
        {
            key?.Dispose();
            return null;
        }
    }

    /// <summary>Asks J-LIS for the certificate of the ward's key (created when missing) and writes it beside the key.</summary>
    public static async Task<PaperSigner> ObtainAsync(string directory, LocalGovernmentCode ward, string name, PaperSigningHttpClient jlis,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jlis);
        var key = InstitutionKeys.LoadOrCreateCertificateSigningKey(directory);
        try
        {
            var response = await jlis.RequestCertificateAsync(
                new PaperCertificateRequest(ward.Digits, name, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), cancellationToken).ConfigureAwait(false);
            var der = Convert.FromBase64String(response.Certificate);
            var signer = new PaperSigner(key, der);
            var path = Path.Combine(directory, CertificateFileName);
            var temporary = path + ".tmp";
            // Owner-only like every file of the data directory (the certificate is public, but J-LIS publishes it, not this file).
            PrivateFiles.WriteAllText(temporary, new string(PemEncoding.Write("CERTIFICATE", der)) + "\n");
            File.Move(temporary, path, overwrite: true);
            return signer;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static string PemBody(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields)) throw new FormatException("not PEM");
        return pem[fields.Base64Data];
    }

    public void Dispose()
    {
        _current?.Dispose();
        _gate.Dispose();
    }
}
