using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Infrastructure.Tls;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// Test classes that start services on SQLite in this process: they run alone, as other classes' temporary directories
/// clear SQLite's connection pools when they are disposed, under a connection being opened.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class InProcessServices
{
    public const string Name = "in-process services";
}

/// <summary>
/// A role's configuration (<c>renkei serve --role … --config appsettings.json</c>, <see cref="CountryRoles"/>): the modules'
/// own sections plus <c>Serve</c>, read with the .NET configuration system. A good file starts the role's services; each
/// wrong setting is refused naming the setting and never repeating its value (from the command line: the file too, exit 2).
/// </summary>
[Collection(InProcessServices.Name)]
public sealed class RoleConfigurationTests : IDisposable
{
    private const string Secret = "Pa55-not-for-logs";
    private readonly TempDirectory _directory = new();

    public RoleConfigurationTests()
    {
        using var authority = NodeCertificateAuthority.Create();
        using var stranger = NodeCertificateAuthority.Create("Another CA");
        Directory.CreateDirectory(_directory.File("pki"));
        File.WriteAllText(_directory.File("pki/ca.pem"), PemCertificates.ToPem(authority.Certificate));
        foreach (var (file, code, issuer) in new[] { ("131091", "131091", authority), ("131113", "131113", authority), ("network", "NETWORK", authority), ("foreign", "131091", stranger) })
        {
            using var node = issuer.Issue(code, ["localhost", "127.0.0.1"]);
            File.WriteAllText(_directory.File($"pki/{file}.pem"), PemCertificates.ToPem(node));
            File.WriteAllText(_directory.File($"pki/{file}.key"), PemCertificates.PrivateKeyPem(node));
        }
    }

    public void Dispose() => _directory.Dispose();

    private string Data => _directory.File("data");

    private JsonObject Tls(string node) => new() { ["Certificate"] = _directory.File($"pki/{node}.pem"), ["Key"] = _directory.File($"pki/{node}.key"), ["Authority"] = _directory.File("pki/ca.pem") };

    /// <summary>A ward on plain HTTP and SQLite with its intermediate server, on free ports: what a test starts in process.</summary>
    private JsonObject Ward() => new()
    {
        ["Ward"] = new JsonObject
        {
            ["Database"] = "sqlite:" + _directory.File("db/ward.db"), ["Code"] = "131091", ["Name"] = "品川区",
            ["KeyDirectory"] = _directory.File("keys/131091/institution"), ["JlisAddress"] = "http://127.0.0.1:7401/",
        },
        ["Intermediate"] = new JsonObject
        {
            ["Database"] = "sqlite:" + _directory.File("db/intermediate.db"), ["HolderCode"] = "131091", ["HolderName"] = "品川区",
            ["InstitutionKeyDirectory"] = _directory.File("keys/131091/institution"),
        },
        ["Serve"] = new JsonObject
        {
            ["AuditKeyFile"] = _directory.File("keys/131091/audit-signing.key"), ["TotpKeyFile"] = _directory.File("keys/131091/totp.key"), ["DemoStaff"] = true,
        },
    };

    private string Write(JsonNode config, string name = "ward.json")
    {
        var path = _directory.File(name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private IConfiguration Load(JsonNode config, CountryRole role = CountryRole.Municipality, string name = "ward.json") => CountryRoles.Load(Write(config, name), role);

    [Fact]
    public async Task A_ward_file_starts_the_intermediate_server_and_the_api_with_one_staff_directory_and_operation_log()
    {
        using var networkKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ward = Ward();
        ward["Intermediate"]!["NetworkAddress"] = "http://127.0.0.1:7400/";
        ward["Intermediate"]!["NetworkSigningPublicKey"] = Convert.ToBase64String(networkKey.ExportSubjectPublicKeyInfo());
        await using var running = await CountryRoles.StartAsync(CountryRole.Municipality, Load(ward));

        Assert.Equal(["municipality-131091", "intermediate-131091"], running.Services.Select(s => s.Name));
        var (api, intermediate) = (running.Services[0], running.Services[1]);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        Assert.Contains("品川区", await http.GetStringAsync("health"));
        // The intermediate server is a network node, so the ward acquires its tokens there (derived, not written in the file).
        var options = api.Services.GetRequiredService<IOptions<Municipality.Service.WardOptions>>().Value;
        Assert.Equal(intermediate.BaseAddress, options.Tokens.IntermediateAddress);
        Assert.Contains(api.Services.GetRequiredService<StaffDirectory>().List(), s => s.Id.Value == "jumin01"); // Serve:DemoStaff
        Assert.True(File.Exists(_directory.File("keys/131091/audit-signing.key")));
    }

    [Fact]
    public async Task The_checkpoint_period_reaches_every_signed_log_the_roles_open()
    {
        using var networkKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ward = Ward();
        ward["Intermediate"]!["NetworkAddress"] = "http://127.0.0.1:7400/";
        ward["Intermediate"]!["NetworkSigningPublicKey"] = Convert.ToBase64String(networkKey.ExportSubjectPublicKeyInfo());
        ward["Intermediate"]!["AuditLog"] = new JsonObject { ["CheckpointPeriod"] = "00:00:11" };
        ward["Serve"]!["AuditLog"] = new JsonObject { ["CheckpointPeriod"] = "00:00:07" };
        var holder = new JsonObject
        {
            ["Holder"] = new JsonObject
            {
                ["Kind"] = "PensionOrganisation", ["InstitutionCode"] = "JPS001", ["Name"] = "日本年金機構", ["Database"] = "sqlite:" + _directory.File("db/pension.db"),
                ["KeyDirectory"] = _directory.File("keys/JPS001"), ["AuditCheckpointPeriod"] = "00:00:13",
            },
            ["Intermediate"] = new JsonObject
            {
                ["Database"] = "sqlite:" + _directory.File("db/pension-intermediate.db"), ["HolderCode"] = "JPS001", ["HolderName"] = "日本年金機構",
                ["InstitutionKeyDirectory"] = _directory.File("keys/JPS001/institution"),
            },
        };
        var network = new JsonObject
        {
            ["Network"] = new JsonObject
            {
                ["Database"] = "sqlite:" + _directory.File("db/network.db"), ["KeyDirectory"] = _directory.File("keys/network"),
                ["AuditLog"] = new JsonObject { ["CheckpointPeriod"] = "00:01:00" },
            },
        };

        var opened = new List<TimeSpan>();
        foreach (var (file, role) in new[] { (ward, CountryRole.Municipality), (holder, CountryRole.Holder), (network, CountryRole.Network) })
        {
            await using var running = await CountryRoles.StartAsync(role, Load(file, role, role + ".json"));
            foreach (var host in running.Services)
            {
                if (host.Services.GetService<OperationLog>() is { } log) opened.Add(log.Store.Options.CheckpointPeriod);
                if (host.Services.GetService<Intermediate.Node.IntermediateNode>() is { } node) opened.Add(node.Records.Store.Options.CheckpointPeriod);
            }
            if (role == CountryRole.Holder) opened.Add(new Holders.HolderNode(running.Services[0]).OperationLog.Store.Options.CheckpointPeriod);
            if (role == CountryRole.Network) opened.Add(new Network.NetworkNode(running.Services[0]).RecordsLogOptions.CheckpointPeriod);
        }
        // The ward's operation log and its intermediate server's party records; the holder's operation log; the network's provision records.
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(11), TimeSpan.FromSeconds(13), TimeSpan.FromSeconds(60)], opened);
    }

    public static TheoryData<string, string> Mistakes => new()
    {
        { "old-format", "the file is in the removed deployment format" },
        { "unknown-section", "Network is not a section of --role municipality (its sections: Ward, Intermediate, Serve" },
        { "bad-port", "Serve:Listen:Port must be between 0 and 65535" },
        { "bad-address", "Serve:IntermediateListen:Address must be an IP address or host name" },
        { "tls-without-key", "Serve:Tls:Key is required" },
        { "other-certificate", "Serve:Tls:Certificate is the certificate of 131113, not of this institution (131091)" },
        { "foreign-certificate", "Serve:Tls: foreign.pem is not a valid" },
        { "no-audit-key", "Serve:AuditKeyFile is required" },
        { "bad-database", "Ward:Database must start with sqlite: or postgres:" },
        { "bad-code", "Ward:Code must be the ward's local government code" },
        { "no-jlis", "Ward:JlisAddress is required" },
        { "bad-portal-key", "Ward:EApplicationPortals:0:PublicKey is not an EC public key" },
        { "intermediate-database", "Intermediate:Database must be sqlite:<path> or postgres:<connection string>" },
        { "half-a-node", "Intermediate:NetworkSigningPublicKey is required for a network node" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public async Task A_wrong_ward_setting_is_refused_naming_the_setting_and_not_its_value(string mistake, string expected)
    {
        var ward = Ward();
        var (serve, module) = (ward["Serve"]!, ward["Ward"]!);
        switch (mistake)
        {
            case "old-format": ward["role"] = "municipality"; break;
            case "unknown-section": ward["Network"] = new JsonObject { ["KeyDirectory"] = "keys" }; break;
            case "bad-port": serve["Listen"] = new JsonObject { ["Port"] = 70000 }; break;
            case "bad-address": serve["IntermediateListen"] = new JsonObject { ["Address"] = "no such host!" }; break;
            case "tls-without-key": serve["Tls"] = Tls("131091"); serve["Tls"]!.AsObject().Remove("Key"); break;
            case "other-certificate": serve["Tls"] = Tls("131113"); break;
            case "foreign-certificate": serve["Tls"] = Tls("foreign"); break;
            case "no-audit-key": serve.AsObject().Remove("AuditKeyFile"); break;
            case "bad-database": module["Database"] = $"mysql:Host=db;Password={Secret}"; break;
            case "bad-code": module["Code"] = "131092"; break;
            case "no-jlis": module.AsObject().Remove("JlisAddress"); break;
            case "bad-portal-key": module["EApplicationPortals"] = new JsonArray(new JsonObject { ["Code"] = "PORTAL", ["PublicKey"] = Secret }); break;
            case "intermediate-database": ward["Intermediate"]!["Database"] = $"Host=db;Password={Secret}"; break;
            case "half-a-node": ward["Intermediate"]!["NetworkAddress"] = "http://127.0.0.1:7400/"; break;
        }
        var problem = await RefusedStart.AssertAsync<Exception>(async port =>
        {
            serve["Listen"] ??= new JsonObject { ["Port"] = port };
            return (await CountryRoles.StartAsync(CountryRole.Municipality, Load(ward))).Services[0];
        }, [expected], Secret);
        Assert.True(problem is RoleConfigurationException or OptionsValidationException, problem.GetType().Name + ": " + problem.Message);
    }

    [Fact]
    public void Malformed_json_is_refused_with_its_line()
    {
        var path = _directory.File("broken.json");
        File.WriteAllText(path, "{\n  \"Jlis\": { \"KeyFilePath\": \"k\" \n\n");
        var problem = Assert.Throws<RoleConfigurationException>(() => CountryRoles.Load(path, CountryRole.Jlis));
        Assert.StartsWith("not a JSON settings object (line ", problem.Message);
    }

    [Fact]
    public async Task Serve_with_a_wrong_file_an_old_flag_or_an_old_variable_exits_2_saying_what_replaced_it()
    {
        var ward = Ward();
        ward["Serve"]!["Tls"] = Tls("131113");
        var path = Write(ward, "shinagawa.json");
        var wrong = await CliProcess.RunAsync(Data, "serve", "--role", "municipality", "--config", path);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("shinagawa.json: Serve:Tls:Certificate is the certificate of 131113", wrong.StandardError);

        var module = Ward();
        module["Ward"]!.AsObject().Remove("JlisAddress");
        var invalid = await CliProcess.RunAsync(Data, "serve", "--role", "municipality", "--config", Write(module, "nojlis.json"));
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains("nojlis.json: Ward:JlisAddress is required", invalid.StandardError);

        var otherRole = await CliProcess.RunAsync(Data, "serve", "--role", "jlis", "--config", Write(Ward()));
        Assert.Equal(2, otherRole.ExitCode);
        Assert.Contains("Ward is not a section of --role jlis", otherRole.StandardError);

        var old = new JsonObject { ["role"] = "jlis", ["listen"] = new JsonObject { ["port"] = 7401 } };
        var oldFile = await CliProcess.RunAsync(Data, "serve", "--role", "jlis", "--config", Write(old, "old.json"));
        Assert.Equal(2, oldFile.ExitCode);
        Assert.Contains("old.json: the file is in the removed deployment format", oldFile.StandardError);
        Assert.Contains("docs/deployment.md", oldFile.StandardError);

        var oldFlags = await CliProcess.RunAsync(Data, "serve", "--role", "jlis", "--port", "7000");
        Assert.Equal(2, oldFlags.ExitCode);
        Assert.Contains("--port was removed: the setting is Serve:Listen:Port", oldFlags.StandardError);

        var missing = await CliProcess.RunAsync(Data, "serve", "--role", "jlis", "--config", _directory.File("nowhere.json"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nowhere.json: no such file", missing.StandardError);

        var none = await CliProcess.RunAsync(Data, "serve", "--role", "network");
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--config <file> is required", none.StandardError);

        var variable = await CliProcess.RunAsync(Data, new Dictionary<string, string> { ["RENKEI_MUNICIPALITY_DB_131091"] = $"postgres:Password={Secret}" },
            "serve", "--role", "municipality", "--config", path);
        Assert.Equal(2, variable.ExitCode);
        Assert.Contains("RENKEI_MUNICIPALITY_DB_131091 was removed", variable.StandardError);
        Assert.DoesNotContain(Secret, variable.StandardError);
    }

    [Fact]
    public async Task The_environment_overrides_the_file_as_Section__Key()
    {
        var keys = await CliProcess.RunAsync(Data, new Dictionary<string, string> { ["Ward__Code"] = "131113" },
            "serve", "--role", "municipality", "--config", Write(Ward()), "--public-keys");
        Assert.True(keys.ExitCode == 0, keys.StandardError);
        Assert.Equal("131113", JsonNode.Parse(keys.StandardOutput)!["code"]!.GetValue<string>());

        var refused = await CliProcess.RunAsync(Data, new Dictionary<string, string> { ["Ward__Database"] = $"oracle:Password={Secret}" },
            "serve", "--role", "municipality", "--config", Write(Ward(), "good.json"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("good.json: Ward:Database must start with sqlite: or postgres:", refused.StandardError);
        Assert.DoesNotContain(Secret, refused.StandardError);
    }

    [Fact]
    public async Task Write_config_writes_a_starting_file_that_serves_and_never_overwrites_one()
    {
        var file = _directory.File("conf/network.json");
        var written = await CliProcess.RunAsync(Data, "serve", "--role", "network", "--write-config", file);
        Assert.True(written.ExitCode == 0, written.StandardError);
        var again = await CliProcess.RunAsync(Data, "serve", "--role", "network", "--write-config", file);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("network.json exists already", again.StandardError);

        // The file names the data directory's places and every option at its default; with the node's certificate in
        // <data>/pki (renkei pki init --out) it serves as written (here on a free port).
        var settings = CountryRoles.Load(file, CountryRole.Network);
        Assert.Equal("sqlite:" + Path.Combine(Data, "network", "network.db"), settings["Network:Database"]);
        Assert.Equal("8", settings["Network:BatchParallelism"]);
        Directory.CreateDirectory(Path.Combine(Data, "pki"));
        foreach (var name in new[] { "network.pem", "network.key", "ca.pem" }) File.Copy(_directory.File("pki/" + name), Path.Combine(Data, "pki", name));
        var onFreePort = new ConfigurationBuilder().AddConfiguration(settings).AddInMemoryCollection([new("Serve:Listen:Port", "0")]).Build();
        await using (var running = await CountryRoles.StartAsync(CountryRole.Network, onFreePort))
            Assert.Equal("https", running.Services.Single().BaseAddress.Scheme);

        var wardFile = _directory.File("conf/ward.json");
        var ward = await CliProcess.RunAsync(Data, "serve", "--role", "municipality", "--write-config", wardFile, "--code", "131091", "--name", "品川区");
        Assert.True(ward.ExitCode == 0, ward.StandardError);
        var wardSettings = CountryRoles.Load(wardFile, CountryRole.Municipality);
        Assert.Equal(("131091", "品川区", "131091"), (wardSettings["Ward:Code"], wardSettings["Ward:Name"], wardSettings["Intermediate:HolderCode"]));
        Assert.Equal(Path.Combine(Data, "municipalities", "131091", "keys", "audit-signing.key"), wardSettings["Serve:AuditKeyFile"]);
        var noCode = await CliProcess.RunAsync(Data, "serve", "--role", "municipality", "--write-config", _directory.File("conf/other.json"));
        Assert.Equal(2, noCode.ExitCode);
        Assert.Contains("--code is required for a municipality", noCode.StandardError);
    }

    [Fact]
    public async Task Records_verify_reads_the_intermediate_servers_database_and_key_directory_from_the_file()
    {
        var file = Write(Ward());
        using (var keys = Infrastructure.Signing.InstitutionKeys.LoadOrCreate(_directory.File("keys/131091/institution")))
        await using (var log = new Intermediate.Records.PartyRecordLog(Infrastructure.Database.Sqlite(_directory.File("db/intermediate.db")), "131091", keys.Signing))
        {
            log.EnsureSchema();
            await log.RecordBatchItemsAsync(Intermediate.Contracts.PartyRole.Provider, Guid.NewGuid(), Enumerable.Range(0, 4).Select(i =>
                new Intermediate.Records.PartyRecordEntry(Intermediate.Contracts.PartyRole.Provider, Guid.NewGuid(), i, "131113", "131091",
                    "child-allowance", "local-tax", ProvisionResult.Provided, null, Core.Numbers.Token.FromInt64(500 + i))).ToList());
        }

        var verified = await CliProcess.RunAsync(Data, "records", "verify", "--role", "intermediate", "--config", file, "--json");
        var wrongRole = await CliProcess.RunAsync(Data, "records", "verify", "--role", "network", "--config", file);

        Assert.True(verified.ExitCode == 0, verified.StandardOutput + verified.StandardError);
        using var report = JsonDocument.Parse(verified.StandardOutput);
        Assert.Equal(("131091", 4L), (report.RootElement.GetProperty("institution").GetString(), report.RootElement.GetProperty("entries").GetInt64()));
        Assert.Equal(2, wrongRole.ExitCode);
        Assert.Contains("Ward is not a section of --role network", wrongRole.StandardError);
    }
}
