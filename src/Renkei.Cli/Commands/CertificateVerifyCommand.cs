using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Country;
using Renkei.Documents.Paper;
using Renkei.Jlis.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei certificate verify FILE</c>: checks a certificate's paper with <see cref="PaperVerifier"/> (docs/paper.md) — the signed
/// 2D code on every page, the ward's certificate up to J-LIS's certificate-signing root, the CRL, and (for a PDF) the printed text
/// against the signed digest. The trust material comes from J-LIS (<c>--jlis</c>, default the demo's J-LIS) or from files
/// (<c>--root</c> and <c>--crl</c>, PEM or DER). Exit 0 when genuine, 1 when not, 2 when the file or the trust material cannot be had.
/// </summary>
public static class CertificateVerifyCommand
{
    /// <summary>The demo's J-LIS (<see cref="DemoPorts.DefaultBase"/> + 1 on loopback).</summary>
    public static readonly Uri DefaultJlis = new($"http://127.0.0.1:{new DemoPorts(DemoPorts.DefaultBase).Jlis.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>What <c>--json</c> prints.</summary>
    public sealed record Output(bool Genuine, string Reason, string ReasonJapanese, string? Issuer, string? IssuerName, string? IssuedAt, string? Kind,
        long? IssuanceId, int? Pages, bool TextChecked, int? Page);

    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "the certificate: a PDF as issued, or a PNG/JPEG scan (then only the 2D code is checked)" };
        var jlis = CliOptions.Url("--jlis", $"J-LIS's address, for the root certificate and CRL (default: the demo's, {DefaultJlis})");
        var root = new Option<FileInfo?>("--root") { Description = "the certificate-signing root certificate (PEM or DER) instead of asking J-LIS" };
        var crl = new Option<FileInfo?>("--crl") { Description = "its current CRL (PEM or DER); required with --root" };
        var json = CliOptions.Json();
        var command = new Command("verify", "verify a certificate's signed 2D code and printed text (真正性確認)") { file, jlis, root, crl, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = parse.GetValue(file)!;
            if (!target.Exists) throw new UsageException($"no such file: {target.FullName}");
            if (target.Length > PaperVerifier.MaxFileBytes) throw new UsageException($"the file is larger than {PaperVerifier.MaxFileBytes / 1024 / 1024} MiB");
            PaperTrust trust;
            if (parse.GetValue(root) is { } rootFile)
            {
                var crlFile = parse.GetValue(crl) ?? throw new UsageException("--crl: the CRL is required with --root");
                trust = new PaperTrust(LoadCertificate(rootFile), ReadDer(crlFile, "X509 CRL"));
            }
            else
            {
                if (parse.GetValue(crl) is not null) throw new UsageException("--crl: only with --root");
                trust = await FromJlisAsync(parse.GetValue(jlis) ?? DefaultJlis, cancellationToken);
            }
            using var rootCertificate = trust.Root;
            var result = PaperVerifier.Verify(await File.ReadAllBytesAsync(target.FullName, cancellationToken), trust, DateTimeOffset.UtcNow);
            var issuedAt = result.IssuedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new Output(result.Genuine, result.Reason, result.ReasonJapanese, result.Issuer, result.IssuerName, issuedAt,
                    result.Statement?.Kind, result.Statement?.IssuanceId, result.Statement?.Pages, result.TextChecked, result.Page), JsonDefaults.Options));
            else
            {
                Console.WriteLine((result.Genuine ? "真正: " : "不一致: ") + result.ReasonJapanese + $" ({result.Reason})");
                if (result.Statement is { } s)
                    Console.WriteLine($"発行団体 {result.IssuerName ?? ""}（{s.Issuer}）　{result.KindTitle ?? s.Kind}　交付番号 {s.Issuer}-{s.IssuedOn.Year:D4}-{s.IssuanceId:D6}　交付日 {issuedAt}　{s.Pages}ページ");
            }
            return result.Genuine ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static async Task<PaperTrust> FromJlisAsync(Uri address, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        var client = new PaperSigningHttpClient(http);
        try
        {
            return new PaperTrust(await client.RootCertificateAsync(cancellationToken), await client.CrlAsync(cancellationToken));
        }
        catch (Exception e) when (e is HttpRequestException or JlisException or TaskCanceledException or CryptographicException)
        {
            throw new UsageException($"J-LIS at {address} did not give the certificate-signing root and CRL ({e.GetType().Name}); is it running? (--jlis, or --root and --crl)");
        }
    }

    private static X509Certificate2 LoadCertificate(FileInfo file)
    {
        try
        {
            return X509CertificateLoader.LoadCertificate(ReadDer(file, "CERTIFICATE"));
        }
        catch (CryptographicException)
        {
            throw new UsageException($"--root: {file.FullName} is not a certificate (PEM or DER)");
        }
    }

    /// <summary>The DER of a PEM file's block labelled <paramref name="label"/>, or the file itself when it is not PEM.</summary>
    private static byte[] ReadDer(FileInfo file, string label)
    {
        if (!file.Exists) throw new UsageException($"no such file: {file.FullName}");
        var bytes = File.ReadAllBytes(file.FullName);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (PemEncoding.TryFind(text, out var fields))
        {
            if (text[fields.Label] != label) throw new UsageException($"{file.FullName} holds a {text[fields.Label]}, not a {label}");
            return Convert.FromBase64String(text[fields.Base64Data]);
        }
        return bytes;
    }
}
