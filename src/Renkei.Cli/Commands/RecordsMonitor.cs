using System.CommandLine;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Tls;
using Renkei.ServiceDefaults.Tls;
using Renkei.Network.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei records monitor</c>: an independent monitor of the network's provision records (RFC 9162's monitor in
/// small). It fetches the latest signed tree head from the network's public log routes, checks the signature with the key
/// the auditor pinned (never the key inside the head), and checks that the head extends the one it kept last time with a
/// consistency proof. A log that shrank or forked (a kept head the new one does not extend, or two heads of one size with
/// different roots) is reported with the evidence — both heads, and the proof when there is one — written to the state
/// directory, and the command exits 1. <c>--compare</c> checks the kept head against another monitor's (gossip by file).
/// </summary>
internal static class RecordsMonitor
{
    public const string HeadFile = "head.json";

    /// <summary>What one run found.</summary>
    public sealed record MonitorReport(string Outcome, ProvisionTreeHead Latest, ProvisionTreeHead? Kept, string? ComparedWith, string? Evidence, string Message);

    /// <summary>The evidence of a split view or a rewritten log: the two heads and what the network answered.</summary>
    public sealed record ForkEvidence(string Problem, ProvisionTreeHead Earlier, ProvisionTreeHead Later, ConsistencyProof? Proof, DateTimeOffset FoundAt);

    public static Command Command()
    {
        var network = CliOptions.Url("--network", "the network's address, e.g. https://network.example.jp/ (its public log routes)");
        network.Required = true;
        var publicKey = new Option<FileInfo>("--public-key")
        {
            Description = "the network's log-signing public key you trust (PEM, as 'records key --out' writes it, or base64 SubjectPublicKeyInfo)",
            Required = true,
        };
        var state = new Option<DirectoryInfo>("--state") { Description = "where the monitor keeps the last head it verified (and evidence)", Required = true };
        var compare = new Option<DirectoryInfo?>("--compare") { Description = "another monitor's state directory: its head must agree with ours" };
        var ca = CaOption();
        var json = CliOptions.Json();
        var command = new Command("monitor",
            "fetch the provision records' latest signed head, check its signature and that it extends the head kept last time; exit 1 with the evidence when the log forked or shrank")
        {
            network, publicKey, state, compare, ca, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var key = LoadKey(parse.GetValue(publicKey)!);
            using var http = NetworkClient(parse.GetValue(network)!, parse.GetValue(ca));
            var report = await RunAsync(http, key, parse.GetValue(state)!.FullName, parse.GetValue(compare)?.FullName, cancellationToken);
            if (parse.GetValue(json)) AuditCommands.PrintJson(report);
            else
            {
                Console.WriteLine(report.Message);
                if (report.Evidence is not null) Console.WriteLine($"証拠 (evidence): {report.Evidence}");
            }
            return report.Outcome is "first-head" or "consistent" ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>What <c>records consistency</c> found: <c>consistent</c>, <c>shrank</c>, <c>forked</c> or <c>bad-signature</c>.</summary>
    public sealed record ConsistencyReport(string Outcome, ProvisionTreeHead First, ProvisionTreeHead Second, ConsistencyProof? Proof, string Message);

    /// <summary>
    /// <c>renkei records consistency</c>: proves (or refutes) that one signed tree head extends another — two heads kept by
    /// anyone (a monitor's head.json, a resident's saved head), the second by default the network's latest — with the
    /// network's consistency proof, after checking both signatures with the pinned key.
    /// </summary>
    public static Command ConsistencyCommand()
    {
        var network = CliOptions.Url("--network", "the network's address (its public log routes)");
        network.Required = true;
        var publicKey = new Option<FileInfo>("--public-key")
        {
            Description = "the network's log-signing public key you trust (PEM, as 'records key --out' writes it, or base64 SubjectPublicKeyInfo)",
            Required = true,
        };
        var first = new Option<FileInfo>("--first") { Description = "the earlier signed tree head (JSON, e.g. a monitor's head.json)", Required = true };
        var second = new Option<FileInfo?>("--second") { Description = "the later signed tree head (JSON); default: the network's latest head" };
        var ca = CaOption();
        var json = CliOptions.Json();
        var command = new Command("consistency",
            "prove that a later signed tree head extends an earlier one with the network's consistency proof (RFC 9162); exit 1 when it does not")
        {
            network, publicKey, first, second, ca, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var key = LoadKey(parse.GetValue(publicKey)!);
            using var http = NetworkClient(parse.GetValue(network)!, parse.GetValue(ca));
            var earlier = ReadHeadFile(parse.GetValue(first)!, "--first");
            var later = parse.GetValue(second) is { } file ? ReadHeadFile(file, "--second") : await LatestAsync(http, cancellationToken);
            var report = await CheckConsistencyAsync(http, key, earlier, later, cancellationToken);
            if (parse.GetValue(json)) AuditCommands.PrintJson(report);
            else Console.WriteLine(report.Message);
            return report.Outcome == "consistent" ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    public static async Task<ConsistencyReport> CheckConsistencyAsync(HttpClient network, ECDsa key, ProvisionTreeHead first, ProvisionTreeHead second,
        CancellationToken cancellationToken)
    {
        if (!SignedByKey(first, key) || !SignedByKey(second, key))
            return new ConsistencyReport("bad-signature", first, second, null,
                "ツリーヘッドの署名が、指定した公開鍵で検証できません (a head is not signed with the pinned key)");
        var problem = await CheckExtendsAsync(network, first, second, cancellationToken);
        if (problem is not null) return new ConsistencyReport(problem.Value.Problem, first, second, problem.Value.Proof, problem.Value.Message);
        return new ConsistencyReport("consistent", first, second, null,
            $"整合しています: {first.TreeSize} 件 → {second.TreeSize} 件 (the later head extends the earlier one)");
    }

    private static ProvisionTreeHead ReadHeadFile(FileInfo file, string option)
    {
        if (!file.Exists) throw new UsageException($"{option}: the file does not exist");
        try
        {
            return JsonSerializer.Deserialize<ProvisionTreeHead>(File.ReadAllText(file.FullName), JsonDefaults.Options)
                   ?? throw new UsageException($"{option}: the file holds no tree head");
        }
        catch (JsonException)
        {
            throw new UsageException($"{option}: the file is not a signed tree head (JSON)");
        }
    }

    private static async Task<ProvisionTreeHead> LatestAsync(HttpClient network, CancellationToken cancellationToken)
    {
        try
        {
            return await network.GetFromJsonAsync<ProvisionTreeHead>(ProvisionLogRoutes.LatestHead, JsonDefaults.Options, cancellationToken)
                   ?? throw new UsageException("the network answered no tree head");
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException)
        {
            throw new UsageException("the network's tree head could not be fetched (--network): " + e.GetType().Name);
        }
    }

    public static async Task<MonitorReport> RunAsync(HttpClient network, ECDsa key, string stateDirectory, string? compareDirectory, CancellationToken cancellationToken)
    {
        PrivateFiles.CreateDirectory(stateDirectory);
        var latest = await LatestAsync(network, cancellationToken);
        if (!SignedByKey(latest, key))
            return new MonitorReport("bad-signature", latest, null, null, null,
                "最新のツリーヘッドの署名が、指定した公開鍵で検証できません (the latest head is not signed with the pinned key)");

        var kept = ReadHead(Path.Combine(stateDirectory, HeadFile));
        if (kept is not null && !SignedByKey(kept, key))
            throw new UsageException($"{HeadFile} in --state is not signed with the pinned key");
        if (kept is not null)
        {
            var problem = await CheckExtendsAsync(network, kept, latest, cancellationToken);
            if (problem is not null)
            {
                var evidence = WriteEvidence(stateDirectory, problem.Value.Problem, kept, latest, problem.Value.Proof);
                return new MonitorReport(problem.Value.Problem, latest, kept, null, evidence, problem.Value.Message);
            }
        }
        if (compareDirectory is not null && ReadHead(Path.Combine(compareDirectory, HeadFile)) is { } theirs)
        {
            if (!SignedByKey(theirs, key)) throw new UsageException($"{HeadFile} in --compare is not signed with the pinned key");
            var (earlier, later) = theirs.TreeSize <= latest.TreeSize ? (theirs, latest) : (latest, theirs);
            var problem = await CheckExtendsAsync(network, earlier, later, cancellationToken);
            if (problem is not null)
            {
                var evidence = WriteEvidence(stateDirectory, problem.Value.Problem, earlier, later, problem.Value.Proof);
                return new MonitorReport(problem.Value.Problem, latest, kept, compareDirectory, evidence,
                    "もう一方の監視者が保持するツリーヘッドと一致しません: " + problem.Value.Message);
            }
        }
        PrivateFiles.WriteAllText(Path.Combine(stateDirectory, HeadFile), JsonSerializer.Serialize(latest, JsonDefaults.Options));
        return kept is null
            ? new MonitorReport("first-head", latest, null, compareDirectory, null,
                $"ツリーヘッドを保存しました: {latest.TreeSize} 件 (first head kept: size {latest.TreeSize}, root {latest.RootHash})")
            : new MonitorReport("consistent", latest, kept, compareDirectory, null,
                $"整合しています: {kept.TreeSize} 件 → {latest.TreeSize} 件 (the log extends the kept head)");
    }

    /// <summary>Null when <paramref name="later"/> extends <paramref name="earlier"/>; else what is wrong.</summary>
    private static async Task<(string Problem, string Message, ConsistencyProof? Proof)?> CheckExtendsAsync(HttpClient network, ProvisionTreeHead earlier,
        ProvisionTreeHead later, CancellationToken cancellationToken)
    {
        if (later.TreeSize < earlier.TreeSize)
            return ("shrank", $"記録が減りました: {earlier.TreeSize} 件 → {later.TreeSize} 件 (the log shrank)", null);
        if (later.TreeSize == earlier.TreeSize)
            return later.RootHash == earlier.RootHash
                ? null
                : ("forked", $"同じ {later.TreeSize} 件で根のハッシュが異なります (two heads of one size, different roots: a split view)", null);
        ConsistencyProof? proof = null;
        try
        {
            proof = await network.GetFromJsonAsync<ConsistencyProof>(
                $"{ProvisionLogRoutes.Consistency}?first={earlier.TreeSize}&second={later.TreeSize}", JsonDefaults.Options, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            // No proof is evidence too: a log that extends the kept head can always give one.
        }
        var verified = proof is not null && proof.FirstSize == earlier.TreeSize && proof.SecondSize == later.TreeSize && TryVerify(earlier, later, proof);
        return verified
            ? null
            : ("forked", $"{earlier.TreeSize} 件のツリーヘッドが {later.TreeSize} 件のツリーヘッドに含まれることを証明できません (the later head does not extend the earlier one)", proof);
    }

    private static bool TryVerify(ProvisionTreeHead earlier, ProvisionTreeHead later, ConsistencyProof proof)
    {
        try
        {
            return MerkleTree.VerifyConsistency(earlier.TreeSize, later.TreeSize, Convert.FromHexString(earlier.RootHash), Convert.FromHexString(later.RootHash),
                proof.Path.Select(Convert.FromHexString).ToList());
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool SignedByKey(ProvisionTreeHead head, ECDsa key) =>
        RequestSignature.VerifyText(key, ProvisionTreeHead.SignedText(head.TreeSize, head.RootHash, head.SignedAt), head.Signature);

    /// <summary>What <c>records key</c> found: the certificate's subject and validity, and the key's fingerprint.</summary>
    public sealed record KeyReport(string Subject, string Issuer, DateTimeOffset NotAfter, string Fingerprint, bool ChainVerified, string? PublicKeyFile);

    /// <summary>
    /// <c>renkei records key --network URL [--ca ca.pem] [--out key.pem]</c>: how a third party gets the key to pin. It
    /// fetches the network's certificate for its log-signing key (<c>GET records/signing-certificate</c>), with
    /// <c>--ca</c> checks that the deployment's CA issued it for signing (not TLS), prints the key's SHA-256 fingerprint to
    /// compare with the one the operator published out of band, and with <c>--out</c> writes the public key (PEM) for
    /// <c>--public-key</c>.
    /// </summary>
    public static Command KeyCommand()
    {
        var network = CliOptions.Url("--network", "the network's address (its public log routes)");
        network.Required = true;
        var ca = CaOption();
        var output = new Option<FileInfo?>("--out") { Description = "write the log-signing public key (PEM) here, for --public-key of monitor, consistency and verify" };
        var json = CliOptions.Json();
        var command = new Command("key",
            "fetch the network's certificate for its log-signing key, check it against --ca and print the key's SHA-256 fingerprint to compare out of band")
        {
            network, ca, output, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var caFile = parse.GetValue(ca);
            using var http = NetworkClient(parse.GetValue(network)!, caFile);
            using var authority = caFile is null ? null : PemCertificates.LoadCertificate(caFile.FullName);
            using var certificate = await FetchCertificateAsync(http, cancellationToken);
            if (authority is not null && !IssuedForLogSigning(certificate, authority))
            {
                Console.Error.WriteLine("renkei: the certificate the network serves is not a log-signing certificate issued by --ca (提供記録署名鍵の証明書を確認できません)");
                return ExitCodes.Failure;
            }
            using var key = certificate.GetECDsaPublicKey() ?? throw new UsageException("the network's certificate holds no ECDSA key");
            var path = parse.GetValue(output)?.FullName;
            if (path is not null) File.WriteAllText(path, key.ExportSubjectPublicKeyInfoPem() + "\n");
            var report = new KeyReport(certificate.Subject, certificate.Issuer, new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
                Infrastructure.Signing.KeyFingerprint.Sha256(key), authority is not null, path);
            if (parse.GetValue(json)) AuditCommands.PrintJson(report);
            else
            {
                Console.WriteLine($"提供記録署名鍵 (the network's log-signing key): {report.Subject}, issued by {report.Issuer}, until {report.NotAfter:yyyy-MM-dd}");
                Console.WriteLine($"  SHA-256 fingerprint: {report.Fingerprint}");
                Console.WriteLine(report.ChainVerified
                    ? "  the certificate chains to --ca; compare the fingerprint with the one the operator published before you pin the key"
                    : "  not checked against a CA (no --ca): compare the fingerprint with the one the operator published before you pin the key");
                if (path is not null) Console.WriteLine($"  public key written to {path}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static async Task<X509Certificate2> FetchCertificateAsync(HttpClient network, CancellationToken cancellationToken)
    {
        using var response = await network.GetAsync(ProvisionLogRoutes.SigningCertificate, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new UsageException($"the network answered {(int)response.StatusCode} for {ProvisionLogRoutes.SigningCertificate} (no certificate issued for its log-signing key?)");
        var pem = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new UsageException($"the network's {ProvisionLogRoutes.SigningCertificate} is not a PEM certificate");
        }
    }

    /// <summary>True when <paramref name="authority"/> issued <paramref name="certificate"/>, valid now, for document signing (the log-signing profile).</summary>
    internal static bool IssuedForLogSigning(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(NodeCertificateAuthority.DocumentSigning);
        return chain.Build(certificate) && chain.ChainElements.Count == 2 && chain.ChainElements[^1].Certificate.Thumbprint == authority.Thumbprint;
    }

    private static ProvisionTreeHead? ReadHead(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<ProvisionTreeHead>(File.ReadAllText(path), JsonDefaults.Options);
        }
        catch (JsonException)
        {
            throw new UsageException($"{Path.GetFileName(path)} in {Path.GetDirectoryName(path)} is not a tree head this monitor wrote");
        }
    }

    private static string WriteEvidence(string stateDirectory, string problem, ProvisionTreeHead earlier, ProvisionTreeHead later, ConsistencyProof? proof)
    {
        var path = Path.Combine(stateDirectory, $"evidence-{DateTimeOffset.UtcNow:yyyyMMddTHHmmssfffZ}.json");
        PrivateFiles.WriteAllText(path, JsonSerializer.Serialize(new ForkEvidence(problem, earlier, later, proof, DateTimeOffset.UtcNow), JsonDefaults.Options));
        return path;
    }

    private static Option<FileInfo?> CaOption() => new("--ca")
    {
        Description = "a deployed network's CA certificate (PEM, pki/ca.pem): its HTTPS certificate must chain to it; no client certificate is needed for the public log routes",
    };

    /// <summary>
    /// A client for the network's public log routes: over HTTPS with <paramref name="ca"/> it trusts that CA only (the
    /// network CA of docs/deployment.md) and the host name called; without, the system's roots (or plain HTTP, the demo).
    /// </summary>
    private static HttpClient NetworkClient(Uri network, FileInfo? ca)
    {
        if (ca is null) return new HttpClient { BaseAddress = network, Timeout = TimeSpan.FromSeconds(60) };
        X509Certificate2 authority;
        try
        {
            authority = PemCertificates.LoadCertificate(ca.FullName);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new UsageException("--ca: the file is not a PEM certificate that can be read");
        }
        // The handler's validation keeps the CA for the client's life; the process ends with the command.
        return new HttpClient(MutualTls.CreateAnonymousHandler(authority)) { BaseAddress = network, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The pinned key, read as <c>records verify --public-key</c> reads it (PEM, or base64 SubjectPublicKeyInfo).</summary>
    private static ECDsa LoadKey(FileInfo file)
    {
        var pem = RecordsCommands.ReadPublicKey(file) ?? throw new UsageException("--public-key: the file is empty");
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new UsageException("--public-key: the file holds no ECDSA public key");
        }
    }
}
