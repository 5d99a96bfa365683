using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Jlis.Paper;
using Renkei.Jlis.Pki;
using Renkei.ServiceDefaults;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pki signer list|revoke|export</c>: J-LIS's certificate-signing CA (docs/paper.md) acting on J-LIS's database in the data
/// directory, with the CA key opened by the JPKI passphrase (<see cref="JpkiPassphrase"/>): the certificates issued to a ward, the root
/// and current CRL as PEM files for verifiers (<c>renkei certificate verify --root --crl</c>), and revoking one (a ward's key lost or compromised) — the CRL is regenerated at once, and every certificate signed with that key then
/// fails <c>renkei certificate verify</c>.
/// </summary>
public static class PkiSignerCommands
{
    public sealed record SignerRow(string SerialNumber, string Municipality, bool Revoked, DateTimeOffset NotBefore, DateTimeOffset NotAfter, DateTimeOffset? RevokedAt);

    private static readonly Dictionary<string, X509RevocationReason> Reasons = new(StringComparer.Ordinal)
    {
        ["key-compromise"] = X509RevocationReason.KeyCompromise,
        ["superseded"] = X509RevocationReason.Superseded,
        ["cessation-of-operation"] = X509RevocationReason.CessationOfOperation,
        ["unspecified"] = X509RevocationReason.Unspecified,
    };

    public static void AddTo(Command pki)
    {
        var signer = new Command("signer", "the wards' certificate-signing certificates (証明書の電子署名用証明書) at J-LIS's CA");
        signer.Subcommands.Add(List());
        signer.Subcommands.Add(Revoke());
        signer.Subcommands.Add(Export());
        pki.Subcommands.Add(signer);
    }

    private static Command List()
    {
        var municipality = RegistryCommands.MunicipalityOption();
        var passphraseFile = JpkiPassphrase.FileOption();
        var json = CliOptions.Json();
        var command = new Command("list", "list the certificate-signing certificates issued to a ward") { municipality, passphraseFile, json };
        command.SetAction(parse =>
        {
            var code = Code(parse.GetValue(municipality));
            using var authority = Open(parse, passphraseFile);
            var rows = authority.Certificates(code).Select(r => new SignerRow(r.SerialNumber, r.Municipality, r.Revoked, r.NotBefore, r.NotAfter, r.RevokedAt)).ToList();
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(rows, JsonDefaults.Options));
            else
                foreach (var row in rows)
                    Console.WriteLine($"{row.SerialNumber}  {row.NotBefore:yyyy-MM-dd} – {row.NotAfter:yyyy-MM-dd}  {(row.Revoked ? "失効" : "有効")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke()
    {
        var serial = new Option<string>("--serial") { Description = "the certificate's serial number (hexadecimal, as renkei pki signer list or openssl prints it)", Required = true };
        var reason = new Option<string>("--reason")
        {
            Description = "key-compromise (default), superseded, cessation-of-operation or unspecified", DefaultValueFactory = _ => "key-compromise",
        };
        var passphraseFile = JpkiPassphrase.FileOption();
        var command = new Command("revoke", "revoke a ward's certificate-signing certificate (失効) and regenerate the CRL") { serial, reason, passphraseFile };
        command.SetAction(parse =>
        {
            if (!Reasons.TryGetValue(parse.GetValue(reason) ?? "", out var why))
                throw new UsageException("--reason: key-compromise, superseded, cessation-of-operation or unspecified");
            using var authority = Open(parse, passphraseFile);
            try
            {
                authority.Revoke(parse.GetValue(serial)!, why);
            }
            catch (RefusalException refused)
            {
                Console.Error.WriteLine($"renkei: {refused.Message} ({refused.Code})");
                return ExitCodes.Failure;
            }
            Console.Error.WriteLine("revoked; the CRL lists it now (失効しました)");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The root certificate's file in the export directory.</summary>
    public const string RootFile = "certificate-signing-root.pem";

    /// <summary>The current CRL's file in the export directory.</summary>
    public const string CrlFile = "certificate-signing-crl.pem";

    private static Command Export()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "directory to write the PEM files to (created if missing)" };
        var passphraseFile = JpkiPassphrase.FileOption();
        var command = new Command("export", $"write the certificate-signing root and current CRL as PEM ({RootFile}, {CrlFile})") { directory, passphraseFile };
        command.SetAction(parse =>
        {
            var target = parse.GetValue(directory)!;
            using var authority = Open(parse, passphraseFile);
            Directory.CreateDirectory(target.FullName);
            using var root = authority.RootCertificate;
            foreach (var (name, text) in new[] { (RootFile, root.ExportCertificatePem() + "\n"), (CrlFile, JpkiEndpoints.PemText("X509 CRL", authority.CurrentCrl())) })
            {
                var path = Path.Combine(target.FullName, name);
                File.WriteAllText(path + ".tmp", text);
                File.Move(path + ".tmp", path, overwrite: true);
                Console.WriteLine(path);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static LocalGovernmentCode Code(string? text) =>
        LocalGovernmentCode.Parse(text) is { IsValid: true } parsed ? parsed.Value : throw new UsageException("--municipality: a 6-digit local government code");

    private static PaperSigningAuthority Open(ParseResult parse, Option<FileInfo?> passphraseFile)
    {
        var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
        if (!File.Exists(layout.JlisDatabaseFile))
            throw new UsageException($"no J-LIS data in {layout.Root.FullName} (no jlis/jlis.db); pass --data");
        var options = new JpkiOptions(layout.JpkiKeyDirectory, JpkiPassphrase.Resolve(layout, parse.GetValue(passphraseFile)));
        return PaperSigningAuthority.OpenOrCreate(layout.JlisDatabase(), options);
    }
}
