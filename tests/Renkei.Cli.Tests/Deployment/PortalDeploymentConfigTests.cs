using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure.Tls;
using Renkei.ServiceDefaults.Tls;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// <c>renkei serve --role portal</c> and J-LIS's JPKI settings in a role's file: a good portal file starts the portal with
/// its pages on plain HTTP and its own calls on the node's mutual TLS; each wrong setting is refused naming the setting.
/// </summary>
[Collection(InProcessServices.Name)]
public sealed class PortalDeploymentConfigTests : IDisposable
{
    private const string Secret = "jpki-passphrase-not-for-logs";
    private readonly TempDirectory _directory = new();

    public PortalDeploymentConfigTests()
    {
        using var authority = NodeCertificateAuthority.Create();
        Directory.CreateDirectory(_directory.File("pki"));
        File.WriteAllText(_directory.File("pki/ca.pem"), PemCertificates.ToPem(authority.Certificate));
        using var node = authority.Issue("PORTAL", ["localhost", "127.0.0.1"]);
        File.WriteAllText(_directory.File("pki/PORTAL.pem"), PemCertificates.ToPem(node));
        File.WriteAllText(_directory.File("pki/PORTAL.key"), PemCertificates.PrivateKeyPem(node));
    }

    public void Dispose() => _directory.Dispose();

    private static readonly string NetworkKey = Convert.ToBase64String(System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo());

    private JsonObject Portal() => new()
    {
        ["Portal"] = new JsonObject
        {
            ["InstitutionCode"] = "PORTAL", ["Name"] = "マイナポータル", ["KeyDirectory"] = _directory.File("keys/portal"),
            ["NetworkAddress"] = "https://127.0.0.1:7400/", ["JlisAddress"] = "https://127.0.0.1:7401/", ["NetworkLogPublicKey"] = NetworkKey,
            ["Wards"] = new JsonArray(
                new JsonObject { ["Code"] = "131091", ["Name"] = "品川区", ["EApplicationAddress"] = "https://127.0.0.1:7402/" },
                new JsonObject { ["Code"] = "131113", ["Name"] = "大田区", ["EApplicationAddress"] = "https://127.0.0.1:7502/" }),
        },
        ["Serve"] = new JsonObject
        {
            ["Tls"] = new JsonObject { ["Certificate"] = _directory.File("pki/PORTAL.pem"), ["Key"] = _directory.File("pki/PORTAL.key"), ["Authority"] = _directory.File("pki/ca.pem") },
        },
    };

    private string Write(JsonObject config, string name = "portal.json")
    {
        var path = _directory.File(name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    [Fact]
    public async Task A_good_portal_file_serves_its_pages_on_http_and_calls_the_others_with_the_node_certificate()
    {
        await using var running = await CountryRoles.StartAsync(CountryRole.Portal, CountryRoles.Load(Write(Portal()), CountryRole.Portal));
        var portal = running.Services.Single();
        Assert.Equal("http", portal.BaseAddress.Scheme);
        Assert.Equal("PORTAL", portal.Services.GetRequiredService<MutualTls>().InstitutionCode);
        var options = portal.Services.GetRequiredService<IOptions<Renkei.Portal.PortalOptions>>().Value;
        Assert.Equal(["131091", "131113"], options.Wards.Select(w => w.Code));
        Assert.Equal(NetworkKey, options.NetworkLogPublicKey);
    }

    public static TheoryData<string, string> PortalMistakes => new()
    {
        { "database", "Serve:Database is not a setting of Serve" },
        { "no-network", "Portal:NetworkAddress is required" },
        { "no-jlis", "Portal:JlisAddress is required" },
        { "no-network-key", "Portal:NetworkLogPublicKey is required: the network's log-signing key must be pinned" },
        { "bad-ward-code", "Portal:Wards:1:Code must be a 6-digit local government code" },
        { "ward-twice", "Portal:Wards lists a ward code twice" },
        { "ward-not-http", "Portal:Wards:0:EApplicationAddress is required: an absolute http or https address" },
        { "intermediate", "Intermediate is not a section of --role portal" },
        { "demo-staff", "Serve:DemoStaff is only for --role municipality" },
    };

    [Theory]
    [MemberData(nameof(PortalMistakes))]
    public async Task A_wrong_portal_file_is_refused_naming_the_setting(string mistake, string expected)
    {
        var portal = Portal();
        var (settings, wards) = (portal["Portal"]!.AsObject(), portal["Portal"]!["Wards"]!.AsArray());
        switch (mistake)
        {
            case "database": portal["Serve"]!["Database"] = "sqlite:portal.db"; break;
            case "no-network": settings.Remove("NetworkAddress"); break;
            case "no-jlis": settings.Remove("JlisAddress"); break;
            case "no-network-key": settings.Remove("NetworkLogPublicKey"); break;
            case "bad-ward-code": wards[1]!["Code"] = "131092"; break;
            case "ward-twice": wards[1]!["Code"] = "131091"; break;
            case "ward-not-http": wards[0]!["EApplicationAddress"] = "ftp://127.0.0.1/"; break;
            case "intermediate": portal["Intermediate"] = new JsonObject { ["HolderCode"] = "PORTAL" }; break;
            case "demo-staff": portal["Serve"]!["DemoStaff"] = true; break;
        }
        var problem = await RefusedStart.AssertAsync<Exception>(async port =>
        {
            portal["Serve"]!["Listen"] = new JsonObject { ["Port"] = port };
            return (await CountryRoles.StartAsync(CountryRole.Portal, CountryRoles.Load(Write(portal), CountryRole.Portal))).Services[0];
        }, [expected]);
        Assert.True(problem is RoleConfigurationException or OptionsValidationException, problem.GetType().Name + ": " + problem.Message);
    }

    [Fact]
    public async Task Jlis_runs_its_jpki_only_with_a_passphrase_and_never_repeats_it()
    {
        var jlis = new JsonObject
        {
            ["Jlis"] = new JsonObject
            {
                ["Database"] = "sqlite:" + _directory.File("db/jlis.db"), ["KeyFilePath"] = _directory.File("keys/jlis/numbering.key"),
                ["Pki"] = new JsonObject { ["KeyDirectory"] = _directory.File("keys/jlis/jpki") },
            },
        };
        var path = Write(jlis, "jlis.json");
        var without = await Assert.ThrowsAsync<OptionsValidationException>(() => CountryRoles.StartAsync(CountryRole.Jlis, CountryRoles.Load(path, CountryRole.Jlis)));
        Assert.Contains("Jlis:Pki:Passphrase is required", without.Message);

        // The passphrase comes from the environment (Jlis__Pki__Passphrase); another setting's failure does not show it.
        var refused = await CliProcess.RunAsync(_directory.File("data"), new Dictionary<string, string> { ["Jlis__Pki__Passphrase"] = Secret, ["Jlis__Pki__KeyFileIterations"] = "1" },
            "serve", "--role", "jlis", "--config", path);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("jlis.json: Jlis:Pki:KeyFileIterations must be at least", refused.StandardError);
        Assert.DoesNotContain(Secret, refused.StandardError + refused.StandardOutput);
    }
}
