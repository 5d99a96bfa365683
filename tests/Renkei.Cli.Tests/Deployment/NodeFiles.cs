using Microsoft.Extensions.Configuration;
using Renkei.Infrastructure.Tls;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>A role's settings as a deployment's file gives them, with a node certificate of <paramref name="authority"/> written as <c>renkei pki init</c> writes it.</summary>
internal static class NodeFiles
{
    /// <summary>Writes the node's certificate and key and the CA certificate under <paramref name="directory"/>; returns the <c>Serve:Tls</c> settings naming them.</summary>
    public static Dictionary<string, string?> ServeTls(NodeCertificateAuthority authority, string code, string directory)
    {
        Directory.CreateDirectory(directory);
        using var node = authority.Issue(code, ["localhost", "127.0.0.1"]);
        var (certificate, key, ca) = (Path.Combine(directory, code + ".pem"), Path.Combine(directory, code + ".key"), Path.Combine(directory, "ca.pem"));
        File.WriteAllText(certificate, PemCertificates.ToPem(node));
        File.WriteAllText(key, PemCertificates.PrivateKeyPem(node));
        File.WriteAllText(ca, PemCertificates.ToPem(authority.Certificate));
        return new() { ["Serve:Tls:Certificate"] = certificate, ["Serve:Tls:Key"] = key, ["Serve:Tls:Authority"] = ca };
    }

    public static IConfiguration Settings(params IEnumerable<KeyValuePair<string, string?>>[] parts) =>
        new ConfigurationBuilder().AddInMemoryCollection(parts.SelectMany(p => p)).Build();
}
