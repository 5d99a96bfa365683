using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary><c>renkei pki init</c> run as a user would, its output checked with the real <c>openssl</c> binary.</summary>
public sealed class PkiInitTests : IDisposable
{
    private readonly TempDirectory _data = new();
    private string Pki => Path.Combine(_data.Path, "pki");

    public void Dispose() => _data.Dispose();

    /// <summary>The file's Unix mode (this project builds and tests on Linux; null elsewhere).</summary>
    private static UnixFileMode? ModeOf(string path) => OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(path);

    private static async Task<(int ExitCode, string Output)> OpenSslAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private Task<CliProcess.Outcome> InitAsync(params string[] more) =>
        CliProcess.RunAsync(_data.Path, ["pki", "init", "--out", Pki, .. more]);

    [Fact]
    public async Task Node_certificates_verify_with_openssl_against_the_ca_and_carry_the_institution_code()
    {
        var init = await InitAsync("--node", "network", "--node", "jlis", "--node", "131091", "--node", "JPS001", "--host", "127.0.0.1", "--host", "localhost", "--json");
        Assert.True(init.ExitCode == 0, init.StandardError);
        using var report = JsonDocument.Parse(init.StandardOutput);
        var nodes = report.RootElement.GetProperty("nodes").EnumerateArray()
            .Select(n => (Node: n.GetProperty("node").GetString()!, CommonName: n.GetProperty("commonName").GetString()!)).ToList();
        Assert.Equal([("network", "NETWORK"), ("jlis", "JLIS00"), ("131091", "131091"), ("jps001", "JPS001")], nodes);

        var ca = Path.Combine(Pki, "ca.pem");
        foreach (var (node, commonName) in nodes)
        {
            var certificate = Path.Combine(Pki, node + ".pem");
            var key = Path.Combine(Pki, node + ".key");
            var verify = await OpenSslAsync("verify", "-CAfile", ca, certificate);
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains(": OK", verify.Output);

            var details = await OpenSslAsync("x509", "-in", certificate, "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage,basicConstraints");
            Assert.Equal(0, details.ExitCode);
            Assert.Contains($"CN = {commonName}", details.Output);
            Assert.Contains("TLS Web Server Authentication, TLS Web Client Authentication", details.Output);
            Assert.Contains("IP Address:127.0.0.1", details.Output);
            Assert.Contains("DNS:localhost", details.Output);
            Assert.Contains("CA:FALSE", details.Output);

            // The key file is the certificate's key, and only its owner can read it.
            var fromCertificate = await OpenSslAsync("x509", "-in", certificate, "-noout", "-pubkey");
            var fromKey = await OpenSslAsync("pkey", "-in", key, "-pubout");
            Assert.Equal(0, fromKey.ExitCode);
            Assert.Equal(fromCertificate.Output, fromKey.Output);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(key));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, ModeOf(Path.Combine(Pki, "ca.key")));
        var caDetails = await OpenSslAsync("x509", "-in", ca, "-noout", "-ext", "basicConstraints,keyUsage");
        Assert.Contains("CA:TRUE", caDetails.Output);
        Assert.Contains("Certificate Sign", caDetails.Output);

        // Checked against another CA, the same certificate fails: the verification above meant something.
        var other = Path.Combine(_data.Path, "other");
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "pki", "init", "--out", other, "--node", "131091")).ExitCode);
        var crossed = await OpenSslAsync("verify", "-CAfile", Path.Combine(other, "ca.pem"), Path.Combine(Pki, "131091.pem"));
        Assert.NotEqual(0, crossed.ExitCode);
    }

    /// <summary>
    /// The network's log-signing key certified by the network CA (issue 19): OpenSSL verifies the certificate against
    /// ca.pem, it is for signing only (no TLS purpose), the network serves it publicly, its key is the key that signs the
    /// heads, and the fingerprint pki init and records key print is OpenSSL's SHA-256 of the key.
    /// </summary>
    [Fact]
    public async Task The_log_signing_certificate_verifies_with_openssl_and_certifies_the_key_that_signs_the_heads()
    {
        var keys = Path.Combine(_data.Path, "network-keys");
        var database = Renkei.Infrastructure.Database.Sqlite(Path.Combine(_data.Path, "network.db"));
        var options = new Renkei.Network.NetworkOptions { KeyDirectory = keys };
        await using (var network = await Renkei.Network.NetworkNode.StartAsync(options, services => services.AddSingleton(database)))
        using (var anyone = new HttpClient { BaseAddress = network.BaseAddress })
        {
            // Started before pki init: the key exists, no certificate yet.
            var none = await anyone.GetAsync(Renkei.Network.Contracts.ProvisionLogRoutes.SigningCertificate);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, none.StatusCode);
            Assert.Contains("no-certificate", await none.Content.ReadAsStringAsync());
        }

        var init = await InitAsync("--node", "network", "--log-key", keys, "--json");
        Assert.True(init.ExitCode == 0, init.StandardError);
        using var report = JsonDocument.Parse(init.StandardOutput);
        var logSigning = report.RootElement.GetProperty("logSigning");
        var certificate = logSigning.GetProperty("certificate").GetString()!;
        Assert.Equal(Path.Combine(keys, "log-signing.pem"), certificate);
        var ca = Path.Combine(Pki, "ca.pem");

        var verify = await OpenSslAsync("verify", "-CAfile", ca, certificate);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.NotEqual(0, (await OpenSslAsync("verify", "-CAfile", ca, "-purpose", "sslserver", certificate)).ExitCode);
        Assert.NotEqual(0, (await OpenSslAsync("verify", "-CAfile", ca, "-purpose", "sslclient", certificate)).ExitCode);
        var details = await OpenSslAsync("x509", "-in", certificate, "-noout", "-ext", "keyUsage,extendedKeyUsage,basicConstraints");
        Assert.Contains("Digital Signature", details.Output);
        Assert.DoesNotContain("Key Encipherment", details.Output);
        Assert.DoesNotContain("TLS Web", details.Output);
        Assert.Contains("CA:FALSE", details.Output);
        using (var parsed = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certificate)))
            Assert.Contains("CN=情報提供ネットワークシステム 提供記録署名", parsed.Subject);

        // The fingerprint is OpenSSL's SHA-256 over the certificate's SubjectPublicKeyInfo.
        var publicPem = Path.Combine(_data.Path, "log-from-certificate.pem");
        File.WriteAllText(publicPem, (await OpenSslAsync("x509", "-in", certificate, "-noout", "-pubkey")).Output);
        var der = Path.Combine(_data.Path, "log.der");
        Assert.Equal(0, (await OpenSslAsync("pkey", "-pubin", "-in", publicPem, "-outform", "DER", "-out", der)).ExitCode);
        var digest = await OpenSslAsync("dgst", "-sha256", "-c", der);
        var fingerprint = logSigning.GetProperty("fingerprint").GetString()!;
        Assert.Equal(digest.Output.Split("= ", 2)[1].Trim(), fingerprint);

        await using (var network = await Renkei.Network.NetworkNode.StartAsync(options, services => services.AddSingleton(database)))
        using (var anyone = new HttpClient { BaseAddress = network.BaseAddress })
        {
            Assert.Equal(File.ReadAllText(certificate).Trim(), (await anyone.GetStringAsync(Renkei.Network.Contracts.ProvisionLogRoutes.SigningCertificate)).Trim());
            var head = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<Renkei.Network.Contracts.ProvisionTreeHead>(anyone,
                Renkei.Network.Contracts.ProvisionLogRoutes.LatestHead, Renkei.Core.Json.JsonDefaults.Options);
            using (var parsed = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certificate)))
            using (var certified = parsed.GetECDsaPublicKey()!)
            {
                Assert.Equal(network.LogPublicKey, Convert.ToBase64String(certified.ExportSubjectPublicKeyInfo()));
                Assert.Equal(network.LogPublicKey, head!.NetworkPublicKey);
                Assert.True(Renkei.Core.Crypto.RequestSignature.VerifyText(certified,
                    Renkei.Network.Contracts.ProvisionTreeHead.SignedText(head.TreeSize, head.RootHash, head.SignedAt), head.Signature));
            }
            Assert.NotEqual(network.SigningPublicKey, network.LogPublicKey);

            // A third party: records key checks the certificate against the CA, prints the same fingerprint and writes the key to pin.
            var pinned = Path.Combine(_data.Path, "pinned.pem");
            var key = await CliProcess.RunAsync(_data.Path, "records", "key", "--network", network.BaseAddress.ToString(), "--ca", ca, "--out", pinned, "--json");
            Assert.True(key.ExitCode == 0, key.StandardError);
            using var keyReport = JsonDocument.Parse(key.StandardOutput);
            Assert.Equal(fingerprint, keyReport.RootElement.GetProperty("fingerprint").GetString());
            Assert.True(keyReport.RootElement.GetProperty("chainVerified").GetBoolean());
            Assert.Equal(File.ReadAllText(publicPem).Trim(), File.ReadAllText(pinned).Trim());

            // Against another CA the certificate is refused.
            var other = Path.Combine(_data.Path, "other");
            Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "pki", "init", "--out", other, "--node", "131091")).ExitCode);
            var refused = await CliProcess.RunAsync(_data.Path, "records", "key", "--network", network.BaseAddress.ToString(), "--ca", Path.Combine(other, "ca.pem"));
            Assert.Equal(1, refused.ExitCode);
        }
    }

    [Fact]
    public async Task An_existing_ca_is_not_overwritten_without_force_and_reuse_adds_nodes_under_it()
    {
        Assert.Equal(0, (await InitAsync("--node", "network", "--node", "131091")).ExitCode);
        var ca = Path.Combine(Pki, "ca.pem");
        var caKey = Path.Combine(Pki, "ca.key");
        var original = (File.ReadAllText(ca), File.ReadAllText(caKey));

        var refused = await InitAsync("--node", "131113");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("refusing to overwrite", refused.StandardError);
        Assert.Equal(original, (File.ReadAllText(ca), File.ReadAllText(caKey)));
        Assert.False(File.Exists(Path.Combine(Pki, "131113.pem")));

        var added = await InitAsync("--node", "131113", "--reuse-ca");
        Assert.True(added.ExitCode == 0, added.StandardError);
        Assert.Equal(original, (File.ReadAllText(ca), File.ReadAllText(caKey)));
        Assert.Equal(0, (await OpenSslAsync("verify", "-CAfile", ca, Path.Combine(Pki, "131113.pem"))).ExitCode);

        var existingNode = await InitAsync("--node", "131091", "--reuse-ca");
        Assert.Equal(1, existingNode.ExitCode);
        Assert.Contains("131091.pem exists", existingNode.StandardError);

        var replaced = await InitAsync("--node", "network", "--node", "131091", "--force");
        Assert.True(replaced.ExitCode == 0, replaced.StandardError);
        Assert.NotEqual(original.Item2, File.ReadAllText(caKey));
        Assert.Equal(0, (await OpenSslAsync("verify", "-CAfile", ca, Path.Combine(Pki, "131091.pem"))).ExitCode);
    }

    [Theory]
    [InlineData("--node 13_1091", "a node is named by its institution code")]
    [InlineData("--node 131091 --node 131091", "given twice")]
    [InlineData("--node 131091 --host bad_host!", "neither a host name nor an IP address")]
    [InlineData("--node 131091 --days 0", "--days must be between 1 and 3650")]
    public async Task A_wrong_command_line_exits_2_with_the_reason(string commandLine, string expected)
    {
        var arguments = commandLine.Split(' ');
        var outcome = await InitAsync(arguments);
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(expected, outcome.StandardError);
        Assert.False(File.Exists(Path.Combine(Pki, "ca.pem")), "nothing was written");
    }
}
