using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Infrastructure.Tls;
using Renkei.Jlis.Contracts;
using Renkei.Network.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pki init --out &lt;dir&gt; --node network --node jlis --node 131091 … [--host …]</c>: the network's CA and
/// the node certificates a deployment's services use for mutual TLS (profile: <see cref="NodeCertificateAuthority"/>).
/// Writes <c>ca.pem</c> and <c>ca.key</c>, and per node <c>&lt;node&gt;.pem</c> and <c>&lt;node&gt;.key</c> (file names
/// in lower case, the certificate's CN the institution code: <c>network</c> → <c>CN=NETWORK</c>, <c>jlis</c> →
/// <c>CN=JLIS00</c>, <c>jps001</c> → <c>CN=JPS001</c>). Private keys are PKCS#8 PEM,
/// mode 600. An existing CA is never overwritten without <c>--force</c>; <c>--reuse-ca</c> issues further nodes with it.
/// <para><c>--log-key &lt;the network's key directory&gt;</c> also certifies the network's log-signing key
/// (<c>log-signing.key</c>, created there if the network has not started yet): the certificate goes beside the key as
/// <c>log-signing.pem</c>, where the network serves it, and its SHA-256 fingerprint is printed for the deployment's
/// documents.</para>
/// </summary>
public static partial class PkiInitCommand
{
    public const string AuthorityCertificateFile = "ca.pem";
    public const string AuthorityKeyFile = "ca.key";

    public sealed record NodeFiles(string Node, string CommonName, string Certificate, string Key, DateTimeOffset NotAfter);

    /// <summary>What <c>renkei pki init --json</c> prints (paths as written).</summary>
    public sealed record InitReport(string Authority, bool AuthorityCreated, IReadOnlyList<string> Hosts, IReadOnlyList<NodeFiles> Nodes,
        LogSigningFiles? LogSigning = null);

    /// <summary>The log-signing key's certificate and the key's fingerprint (SHA-256 of its SubjectPublicKeyInfo, as <see cref="KeyFingerprint"/>).</summary>
    public sealed record LogSigningFiles(string Certificate, string Fingerprint, DateTimeOffset NotAfter);

    public static void AddTo(Command pki)
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "directory to write the CA and node files to", Required = true };
        var nodes = new Option<string[]>("--node")
        {
            Description = "a node to issue a certificate for, by institution code (network, jlis, 131091, JPS001, …); repeat for each",
            AllowMultipleArgumentsPerToken = false,
        };
        var hosts = new Option<string[]>("--host")
        {
            Description = "a host name or IP address every node certificate is valid for (default: localhost and 127.0.0.1); repeat for each",
        };
        var force = new Option<bool>("--force") { Description = "replace an existing CA and node files (every node certificate must then be reissued)" };
        var reuse = new Option<bool>("--reuse-ca") { Description = "issue the nodes with the CA already in --out (adds nodes to a deployment)" };
        var days = new Option<int>("--days")
        {
            Description = "validity of the node certificates in days",
            DefaultValueFactory = _ => (int)NodeCertificateAuthority.DefaultNodeValidity.TotalDays,
        };
        var logKey = new Option<DirectoryInfo?>("--log-key")
        {
            Description = "the network's key directory: certify its log-signing key (created there if missing) and write log-signing.pem beside it",
        };
        var json = CliOptions.Json();

        var command = new Command("init", "create the network's CA and node certificates for mutual TLS between services")
        {
            output, nodes, hosts, force, reuse, days, logKey, json,
        };
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(output)!.FullName;
            var logKeyDirectory = parse.GetValue(logKey)?.FullName;
            var names = NodeNames(parse.GetValue(nodes) ?? [], logKeyDirectory is not null);
            var hostList = HostList(parse.GetValue(hosts));
            if (parse.GetValue(force) && parse.GetValue(reuse)) throw new UsageException("--force and --reuse-ca exclude each other");
            if (parse.GetValue(days) is < 1 or > 3650) throw new UsageException("--days must be between 1 and 3650");
            var report = Run(directory, names, hostList, parse.GetValue(force), parse.GetValue(reuse), TimeSpan.FromDays(parse.GetValue(days)), logKeyDirectory);
            if (report is null) return ExitCodes.Failure;
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(report, JsonDefaults.Options));
            else
            {
                Console.WriteLine($"{(report.AuthorityCreated ? "created" : "used")} the network CA: {report.Authority} ({AuthorityKeyFile} beside it, mode 600: keep it offline)");
                foreach (var node in report.Nodes)
                    Console.WriteLine($"  CN={node.CommonName,-10} {node.Certificate}  {node.Key}  (until {node.NotAfter:yyyy-MM-dd})");
                Console.WriteLine($"  valid for {string.Join(", ", report.Hosts)}");
                if (report.LogSigning is { } log)
                {
                    Console.WriteLine($"提供記録署名鍵 (the network's log-signing key): certificate {log.Certificate} (until {log.NotAfter:yyyy-MM-dd})");
                    Console.WriteLine($"  SHA-256 fingerprint: {log.Fingerprint}");
                    Console.WriteLine("  publish this fingerprint where auditors read it (README, deployment documents) and compare it out of band");
                }
            }
            return ExitCodes.Success;
        });
        pki.Subcommands.Add(command);
    }

    private static InitReport? Run(string directory, IReadOnlyList<(string File, string CommonName)> nodes, IReadOnlyList<string> hosts,
        bool force, bool reuse, TimeSpan validity, string? logKeyDirectory)
    {
        Infrastructure.PrivateFiles.CreateDirectory(directory); // it holds the CA's private key: owner only (700)
        var caCertificate = Path.Combine(directory, AuthorityCertificateFile);
        var caKey = Path.Combine(directory, AuthorityKeyFile);
        var caExists = File.Exists(caCertificate) || File.Exists(caKey);
        if (reuse && !(File.Exists(caCertificate) && File.Exists(caKey)))
            throw new UsageException($"--reuse-ca: {AuthorityCertificateFile} and {AuthorityKeyFile} are not both in {directory}");
        if (caExists && !force && !reuse)
        {
            Console.Error.WriteLine($"renkei: a CA exists in {directory} ({AuthorityCertificateFile}); refusing to overwrite it. "
                + "Use --reuse-ca to issue more nodes with it, or --force to replace it and reissue every node certificate.");
            return null;
        }
        var targets = nodes.SelectMany(n => new[] { Path.Combine(directory, n.File + ".pem"), Path.Combine(directory, n.File + ".key") }).ToList();
        var logCertificate = logKeyDirectory is null ? null : Path.Combine(logKeyDirectory, InstitutionKeys.LogSigningCertificateFileName);
        if (logCertificate is not null) targets.Add(logCertificate);
        if (!force && targets.FirstOrDefault(File.Exists) is { } existing)
        {
            Console.Error.WriteLine($"renkei: {Path.GetFileName(existing)} exists in {directory}; refusing to overwrite it (--force replaces the CA and the node files)");
            return null;
        }

        using var authority = reuse ? NodeCertificateAuthority.Load(caCertificate, caKey) : NodeCertificateAuthority.Create();
        if (!reuse)
        {
            if (force) foreach (var path in new[] { caCertificate, caKey }.Concat(targets)) File.Delete(path);
            // The key first: a crash in between leaves a key without certificate, which the next run refuses to overwrite.
            Write(caKey, authority.ExportPrivateKeyPem() + "\n", privateFile: true);
            Write(caCertificate, PemCertificates.ToPem(authority.Certificate), privateFile: false);
        }
        var issued = new List<NodeFiles>();
        foreach (var (file, commonName) in nodes)
        {
            using var certificate = authority.Issue(commonName, hosts, validity);
            var certificatePath = Path.Combine(directory, file + ".pem");
            var keyPath = Path.Combine(directory, file + ".key");
            if (force) { File.Delete(certificatePath); File.Delete(keyPath); }
            Write(keyPath, PemCertificates.PrivateKeyPem(certificate), privateFile: true);
            Write(certificatePath, PemCertificates.ToPem(certificate), privateFile: false);
            issued.Add(new NodeFiles(file, commonName, certificatePath, keyPath, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero)));
        }
        LogSigningFiles? logSigning = null;
        if (logKeyDirectory is not null)
        {
            using var key = InstitutionKeys.LoadOrCreateLogSigningKey(logKeyDirectory);
            using var certificate = authority.IssueLogSigning(key, validity);
            if (force) File.Delete(logCertificate!);
            Write(logCertificate!, PemCertificates.ToPem(certificate), privateFile: false);
            logSigning = new LogSigningFiles(logCertificate!, KeyFingerprint.Sha256(key),
                new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
        }
        return new InitReport(caCertificate, !reuse, hosts, issued, logSigning);
    }

    private static void Write(string path, string pem, bool privateFile)
    {
        if (!KeyFileWriter.CreateNew(path, Encoding.ASCII.GetBytes(pem), privateFile))
            throw new IOException($"{Path.GetFileName(path)} was created by someone else meanwhile; run again");
    }

    /// <summary>
    /// Node names → (file name in lower case, CN): <c>network</c> → NETWORK (the code the network signs with), <c>jlis</c> →
    /// J-LIS's code in the registry (JLIS00), any other name in upper case; each 2–16 letters and digits, no repeats.
    /// </summary>
    private static List<(string File, string CommonName)> NodeNames(string[] values, bool logKey)
    {
        var result = new List<(string, string)>();
        foreach (var value in values)
        {
            if (!NodeNamePattern().IsMatch(value))
                throw new UsageException($"--node '{value}': a node is named by its institution code, 2–16 letters and digits (network, jlis, 131091, JPS001)");
            var commonName = value.ToLowerInvariant() switch
            {
                "network" => NodeRoutes.NetworkInstitutionCode,
                "jlis" => JlisTokenRoutes.JlisInstitutionCode,
                _ => value.ToUpperInvariant(),
            };
            if (result.Any(r => r.Item2 == commonName)) throw new UsageException($"--node {value} is given twice");
            result.Add((value.ToLowerInvariant(), commonName));
        }
        if (result.Count == 0 && !logKey) throw new UsageException("give at least one --node (or --log-key)");
        return result;
    }

    private static List<string> HostList(string[]? values)
    {
        if (values is null || values.Length == 0) return ["localhost", "127.0.0.1"];
        var result = new List<string>();
        foreach (var value in values)
        {
            if (!NodeCertificateAuthority.IsHostNameOrAddress(value))
                throw new UsageException($"--host '{value}' is neither a host name nor an IP address");
            if (!result.Contains(value, StringComparer.OrdinalIgnoreCase)) result.Add(value);
        }
        return result;
    }

    [GeneratedRegex("^[A-Za-z0-9]{2,16}$")]
    private static partial Regex NodeNamePattern();
}
