using System.Text.Json.Nodes;
using Renkei.Cli.Deployment;
using Renkei.Infrastructure.Tls;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// <c>renkei serve --role portal</c> and J-LIS's JPKI settings in a deployment file: a good file resolves to what the
/// services need; each wrong setting is refused naming the setting.
/// </summary>
public sealed class PortalDeploymentConfigTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public PortalDeploymentConfigTests()
    {
        using var authority = NodeCertificateAuthority.Create();
        Directory.CreateDirectory(_directory.File("pki"));
        File.WriteAllText(_directory.File("pki/ca.pem"), PemCertificates.ToPem(authority.Certificate));
        foreach (var code in new[] { "PORTAL", "JLIS00" })
        {
            using var node = authority.Issue(code, ["localhost", "127.0.0.1"]);
            File.WriteAllText(_directory.File($"pki/{code}.pem"), PemCertificates.ToPem(node));
            File.WriteAllText(_directory.File($"pki/{code}.key"), PemCertificates.PrivateKeyPem(node));
        }
    }

    public void Dispose() => _directory.Dispose();

    private DataLayout Layout => new(new DirectoryInfo(_directory.File("data")));

    private static readonly string NetworkKey = Convert.ToBase64String(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo());

    private static JsonObject Portal() => new()
    {
        ["role"] = "portal",
        ["listen"] = new JsonObject { ["address"] = "127.0.0.1", ["port"] = 7600 },
        ["tls"] = new JsonObject { ["certificate"] = "pki/PORTAL.pem", ["key"] = "pki/PORTAL.key", ["authority"] = "pki/ca.pem" },
        ["peers"] = new JsonObject { ["network"] = "https://127.0.0.1:7400", ["jlis"] = "https://127.0.0.1:7401", ["networkLogPublicKey"] = NetworkKey },
        ["portal"] = new JsonObject
        {
            ["wards"] = new JsonArray(
                new JsonObject { ["code"] = "131091", ["name"] = "品川区", ["endpoint"] = "https://127.0.0.1:7402" },
                new JsonObject { ["code"] = "131113", ["name"] = "大田区", ["endpoint"] = "https://127.0.0.1:7502/" }),
        },
    };

    private string Write(JsonObject config, string name = "portal.json")
    {
        var path = _directory.File(name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    [Fact]
    public void A_good_portal_file_names_the_portal_its_peers_and_the_wards_inboxes()
    {
        using var config = DeploymentConfig.Load(Write(Portal()), Layout, ServeRole.Portal);
        Assert.Equal((ServeRole.Portal, "PORTAL", "マイナポータル"), (config.Role, config.InstitutionCode, config.InstitutionName));
        Assert.Equal(new Uri("https://127.0.0.1:7400/"), config.NetworkAddress);
        Assert.Equal(new Uri("https://127.0.0.1:7401/"), config.JlisAddress);
        Assert.Equal(["131091", "131113"], config.PortalWards.Select(w => w.Code));
        Assert.Equal(new Uri("https://127.0.0.1:7402/"), config.PortalWards[0].EApplicationAddress);
        Assert.Equal("PORTAL", config.Tls!.InstitutionCode);
        Assert.Equal(NetworkKey, config.NetworkLogPublicKey);
        Assert.Equal(Path.Combine(Layout.Root.FullName, "portal", "keys", "institution"), config.InstitutionKeyDirectory);
    }

    public static TheoryData<string, string> PortalMistakes => new()
    {
        { "database", "database: the portal keeps no database" },
        { "no-network", "peers.network: missing" },
        { "no-jlis", "peers.jlis: missing" },
        { "no-network-key", "peers.networkPublicKeys: missing the network's log-signing key (its public-keys file, or peers.networkLogPublicKey)" },
        { "bad-ward-code", "portal.wards[1].code: not a local government code" },
        { "ward-twice", "portal.wards[1].code: 131091 is listed twice" },
        { "ward-without-endpoint", "portal.wards[0].endpoint: missing" },
        { "http-ward-with-tls", "portal.wards[0].endpoint: with tls every peer is reached over https" },
        { "intermediate", "intermediate: only for roles municipality and holder" },
        { "portal-section-elsewhere", "portal: only for role portal" },
    };

    [Theory]
    [MemberData(nameof(PortalMistakes))]
    public void A_wrong_portal_file_is_refused_naming_the_setting(string mistake, string expected)
    {
        var portal = Portal();
        var wards = portal["portal"]!["wards"]!.AsArray();
        var role = ServeRole.Portal;
        switch (mistake)
        {
            case "database": portal["database"] = "sqlite:portal.db"; break;
            case "no-network": portal["peers"]!.AsObject().Remove("network"); break;
            case "no-jlis": portal["peers"]!.AsObject().Remove("jlis"); break;
            case "no-network-key": portal["peers"]!.AsObject().Remove("networkLogPublicKey"); break;
            case "bad-ward-code": wards[1]!["code"] = "131092"; break;
            case "ward-twice": wards[1]!["code"] = "131091"; break;
            case "ward-without-endpoint": wards[0]!.AsObject().Remove("endpoint"); break;
            case "http-ward-with-tls": wards[0]!["endpoint"] = "http://127.0.0.1:7402/"; break;
            case "intermediate": portal["intermediate"] = new JsonObject(); break;
            case "portal-section-elsewhere":
                portal["role"] = "jlis";
                portal["institution"] = new JsonObject { ["code"] = "JLIS00" };
                portal["tls"]!["certificate"] = "pki/JLIS00.pem";
                portal["tls"]!["key"] = "pki/JLIS00.key";
                role = ServeRole.Jlis;
                break;
        }
        var problem = Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(portal), Layout, role));
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Jlis_runs_its_jpki_with_the_passphrase_file_and_refuses_an_empty_or_missing_one()
    {
        var jlis = new JsonObject
        {
            ["role"] = "jlis",
            ["listen"] = new JsonObject { ["port"] = 7401 },
            ["jlis"] = new JsonObject { ["jpkiPassphraseFile"] = "secrets/jpki.txt" },
        };
        Directory.CreateDirectory(_directory.File("secrets"));
        File.WriteAllText(_directory.File("secrets/jpki.txt"), "a long passphrase\n");
        using (var config = DeploymentConfig.Load(Write(jlis, "jlis.json"), Layout, ServeRole.Jlis))
            Assert.Equal("a long passphrase", config.JpkiPassphrase);

        File.WriteAllText(_directory.File("secrets/jpki.txt"), "\n");
        Assert.Contains("jlis.jpkiPassphraseFile: the file is empty",
            Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(jlis, "jlis.json"), Layout, ServeRole.Jlis)).Message);
        jlis["jlis"]!["jpkiPassphraseFile"] = "secrets/none.txt";
        Assert.Contains("jlis.jpkiPassphraseFile: secrets/none.txt: no such file",
            Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(jlis, "jlis.json"), Layout, ServeRole.Jlis)).Message);

        jlis.Remove("jlis");
        using var without = DeploymentConfig.Load(Write(jlis, "jlis.json"), Layout, ServeRole.Jlis);
        Assert.Null(without.JpkiPassphrase);
    }
}
