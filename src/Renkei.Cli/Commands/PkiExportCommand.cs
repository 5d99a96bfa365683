using System.CommandLine;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Jlis.Pki;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pki export &lt;dir&gt;</c>: J-LIS's JPKI CA certificates and current CRLs as PEM (the files of
/// <see cref="JpkiExport"/>), read from J-LIS's data (<c>&lt;data&gt;/jlis/…</c>). Regenerating a stale
/// CRL needs the CAs' keys, so the command opens the key file with the passphrase (<see cref="JpkiPassphrase"/>).
/// It never creates CAs: a data directory whose J-LIS has none is an error.
/// </summary>
public static class PkiExportCommand
{
    public sealed record ExportResult(string Directory, IReadOnlyList<string> Files);

    public static void AddTo(Command pki)
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "directory to write the PEM files to (created if missing)" };
        var passphraseFile = JpkiPassphrase.FileOption();
        var json = CliOptions.Json();
        var export = new Command("export", "write J-LIS's JPKI CA certificates and current CRLs as PEM (公的個人認証の認証局証明書と失効リスト)")
        {
            directory, passphraseFile, json,
        };
        export.SetAction(parse =>
        {
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var target = parse.GetValue(directory)!;
            // Database.Sqlite would create an empty J-LIS in a directory that has none: say so instead.
            if (!File.Exists(layout.JlisDatabaseFile))
                throw new UsageException($"no J-LIS data in {layout.Root.FullName} (no jlis/jlis.db); pass --data");
            var options = new JpkiOptions(layout.JpkiKeyDirectory, JpkiPassphrase.Resolve(layout, parse.GetValue(passphraseFile)));
            using var authority = JpkiAuthority.Open(layout.JlisDatabase(), options);
            var files = JpkiExport.WriteTo(authority, target.FullName);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new ExportResult(target.FullName, files), JsonDefaults.Options));
            else
                foreach (var file in files) Console.WriteLine(file);
            return ExitCodes.Success;
        });
        pki.Subcommands.Add(export);
    }
}

/// <summary>
/// Where the CLI gets the passphrase of J-LIS's JPKI key file, in this order: <c>--passphrase-file</c> (the file's
/// content, without the final line break), the RENKEI_JPKI_PASSPHRASE environment variable, and — only when the data
/// directory is a demo's, i.e. <c>renkei demo</c> wrote its marker <c>&lt;data&gt;/demo.json</c> there — the published
/// <see cref="DemoPassphrase"/>. Anything else is a usage error: a real deployment never falls back to a known passphrase.
/// </summary>
public static class JpkiPassphrase
{
    public const string Variable = "RENKEI_JPKI_PASSPHRASE";

    /// <summary>The demo country's passphrase. Public, so DEMO ONLY.</summary>
    public const string DemoPassphrase = "renkei-demo-jpki-passphrase";

    /// <summary>The marker <c>renkei demo</c> writes into a data directory it seeded.</summary>
    public const string DemoMarkerFile = "demo.json";

    public static Option<FileInfo?> FileOption() => new("--passphrase-file")
    {
        Description = $"file holding the passphrase of J-LIS's JPKI key file (default: ${Variable}; a demo data directory uses the demo passphrase)",
    };

    public static bool IsDemo(DataLayout layout) => File.Exists(Path.Combine(layout.Root.FullName, DemoMarkerFile));

    public static string Resolve(DataLayout layout, FileInfo? passphraseFile)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (passphraseFile is not null)
        {
            if (!passphraseFile.Exists) throw new UsageException($"no such file: {passphraseFile.FullName}");
            var text = File.ReadAllText(passphraseFile.FullName).TrimEnd('\r', '\n');
            if (text.Length == 0) throw new UsageException($"the passphrase file {passphraseFile.FullName} is empty");
            return text;
        }
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } fromEnvironment) return fromEnvironment;
        if (IsDemo(layout)) return DemoPassphrase;
        throw new UsageException(
            $"J-LIS's JPKI key file is protected by a passphrase: set {Variable} or pass --passphrase-file (demo data directories use the demo passphrase)");
    }
}
