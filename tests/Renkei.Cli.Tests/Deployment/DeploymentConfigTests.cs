using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Renkei.Cli.Deployment;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Tls;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults.Tls;
using Renkei.ServiceDefaults;

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
/// The configuration file of <c>renkei serve --config</c>: a good file resolves to what the services need; each wrong
/// setting is refused naming the setting and what is wrong (and, from the command line, the file, with exit code 2).
/// </summary>
[Collection(InProcessServices.Name)]
public sealed class DeploymentConfigTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public DeploymentConfigTests()
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

    private DataLayout Layout => new(new DirectoryInfo(_directory.File("data")));

    private static JsonObject Ward() => new()
    {
        ["role"] = "municipality",
        ["institution"] = new JsonObject { ["code"] = "131091", ["name"] = "品川区" },
        ["listen"] = new JsonObject { ["address"] = "127.0.0.1", ["port"] = 7402 },
        ["database"] = "sqlite:db/ward.db",
        ["keyDirectory"] = "keys/131091",
        ["tls"] = new JsonObject { ["certificate"] = "pki/131091.pem", ["key"] = "pki/131091.key", ["authority"] = "pki/ca.pem" },
        ["peers"] = new JsonObject { ["jlis"] = "https://127.0.0.1:7401" },
        ["intermediate"] = new JsonObject { ["listen"] = new JsonObject { ["port"] = 7403 }, ["database"] = "postgres:Host=127.0.0.1;Database=intermediate_131091" },
        ["municipality"] = new JsonObject { ["demoStaff"] = true },
    };

    private JsonObject Network()
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var sealing = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_directory.File("131113.keys.json"), JsonSerializer.Serialize(new InstitutionPublicKeys("131113",
            Convert.ToBase64String(signing.ExportSubjectPublicKeyInfo()), Convert.ToBase64String(sealing.ExportSubjectPublicKeyInfo())), Core.Json.JsonDefaults.Options));
        return new JsonObject
        {
            ["role"] = "network",
            ["listen"] = new JsonObject { ["port"] = 7400 },
            ["tls"] = new JsonObject { ["certificate"] = "pki/network.pem", ["key"] = "pki/network.key", ["authority"] = "pki/ca.pem" },
            ["network"] = new JsonObject
            {
                ["providerTimeoutSeconds"] = 3,
                ["institutions"] = new JsonArray(
                    new JsonObject
                    {
                        ["code"] = "131091", ["name"] = "品川区", ["class"] = "municipality", ["endpoint"] = "https://127.0.0.1:7403/",
                        ["signingPublicKey"] = Convert.ToBase64String(signing.ExportSubjectPublicKeyInfo()),
                        ["sealingPublicKey"] = Convert.ToBase64String(sealing.ExportSubjectPublicKeyInfo()),
                    },
                    new JsonObject { ["code"] = "131113", ["name"] = "大田区", ["class"] = "municipality", ["endpoint"] = "https://127.0.0.1:7503/", ["publicKeys"] = "131113.keys.json" },
                    new JsonObject
                    {
                        ["code"] = "JLIS00", ["name"] = "地方公共団体情報システム機構", ["class"] = "numberingAuthority",
                        ["signingPublicKey"] = Convert.ToBase64String(signing.ExportSubjectPublicKeyInfo()),
                        ["sealingPublicKey"] = Convert.ToBase64String(sealing.ExportSubjectPublicKeyInfo()),
                    }),
            },
        };
    }

    private string Write(JsonObject config, string name = "ward.json")
    {
        var path = _directory.File(name);
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    [Fact]
    public void A_good_ward_file_resolves_paths_against_its_directory_and_loads_the_tls_files()
    {
        using var config = DeploymentConfig.Load(Write(Ward()), Layout, ServeRole.Municipality);
        Assert.Equal((ServeRole.Municipality, "131091", "品川区"), (config.Role, config.InstitutionCode, config.InstitutionName));
        Assert.Equal(new ListenEndpoint("127.0.0.1", 7402), config.Listen);
        Assert.Equal(_directory.File("db/ward.db"), new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(config.Database.ConnectionString).DataSource);
        Assert.Equal(Path.Combine(_directory.Path, "keys", "131091"), config.KeyDirectory);
        Assert.Equal("131091", config.Tls!.InstitutionCode);
        Assert.Equal(new Uri("https://127.0.0.1:7401/"), config.JlisAddress);
        Assert.Equal(DatabaseProvider.PostgreSql, config.Intermediate!.Database.Provider);
        Assert.Equal(new ListenEndpoint("127.0.0.1", 7403), config.Intermediate.Listen);
        Assert.True(config.DemoStaff);
        Assert.Same(config.Tls, config.HostOptions.MutualTls);
    }

    [Fact]
    public void A_ward_takes_e_applications_only_from_the_portal_whose_public_keys_it_is_given()
    {
        using (var without = DeploymentConfig.Load(Write(Ward()), Layout, ServeRole.Municipality))
            Assert.Null(without.EApplicationPortal);
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var sealing = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(_directory.File("portal.keys.json"), JsonSerializer.Serialize(new InstitutionPublicKeys("PORTAL",
            Convert.ToBase64String(signing.ExportSubjectPublicKeyInfo()), Convert.ToBase64String(sealing.ExportSubjectPublicKeyInfo())), Core.Json.JsonDefaults.Options));
        var ward = Ward();
        ward["municipality"]!["portalPublicKeys"] = "portal.keys.json";
        using var config = DeploymentConfig.Load(Write(ward), Layout, ServeRole.Municipality);
        Assert.Equal(("PORTAL", Convert.ToBase64String(signing.ExportSubjectPublicKeyInfo())), config.EApplicationPortal);
    }

    [Fact]
    public void Without_database_and_key_directory_the_data_layout_places_them()
    {
        var ward = Ward();
        ward.Remove("database");
        ward.Remove("keyDirectory");
        using var config = DeploymentConfig.Load(Write(ward), Layout);
        Assert.Equal(Layout.MunicipalityDatabase(Core.Numbers.LocalGovernmentCode.ParseOrThrow("131091")).ConnectionString, config.Database.ConnectionString);
        Assert.Equal(Path.GetDirectoryName(Layout.MunicipalityAuditKeyFile(Core.Numbers.LocalGovernmentCode.ParseOrThrow("131091"))), config.KeyDirectory);
    }

    [Fact]
    public void The_network_registry_reads_inline_keys_and_key_files()
    {
        using var config = DeploymentConfig.Load(Write(Network(), "network.json"), Layout, ServeRole.Network);
        Assert.Equal("NETWORK", config.InstitutionCode);
        Assert.Equal(TimeSpan.FromSeconds(3), config.ProviderTimeout);
        Assert.Equal(["131091", "131113", "JLIS00"], config.Institutions.Select(i => i.Code));
        Assert.Equal(InstitutionClass.NumberingAuthority, config.Institutions[2].Class);
        Assert.Null(config.Institutions[2].Endpoint);
        Assert.Equal(config.Institutions[0].SigningPublicKey, config.Institutions[1].SigningPublicKey); // both from the same test key
    }

    public static TheoryData<string, string> WardMistakes => new()
    {
        { "unknown-setting", "unknown setting 'adress'" },
        { "no-role", "role: missing" },
        { "bad-code", "institution.code: not a local government code" },
        { "other-certificate", "tls.certificate: the certificate is for 131113, not for this institution (131091)" },
        { "foreign-certificate", "tls: foreign.pem is not a valid" },
        { "missing-key", "tls: missing.key cannot be read: no such file" },
        { "http-peer-with-tls", "peers.jlis: with tls every peer is reached over https" },
        { "https-peer-without-tls", "peers.jlis: an https peer needs the tls settings" },
        { "no-jlis", "peers.jlis: missing" },
        { "bad-database", "database: must be 'sqlite:<path>' or 'postgres:<Npgsql connection string>'" },
        { "bad-port", "listen.port: must be between 0 and 65535" },
        { "same-port", "intermediate.listen.port: the intermediate server needs a port of its own" },
        { "wrong-section", "network: only for role network" },
        { "wrong-type", "listen.port: the value has the wrong type" },
        { "network-without-key", "peers.networkPublicKeys: missing: the intermediate server pins the network's signing key" },
        { "network-key-of-another", "peers.networkPublicKeys: the file holds the keys of 131113, not of NETWORK" },
        { "portal-keys-missing", "municipality.portalPublicKeys: missing-portal.json: no such file" },
        { "portal-keys-not-keys", "municipality.portalPublicKeys: ward.json is not a public-keys file" },
        { "checkpoint-zero", "audit.checkpointSeconds: must be between 1 and 60 (seconds)" },
        { "checkpoint-too-long", "audit.checkpointSeconds: must be between 1 and 60 (seconds)" },
        { "checkpoint-fraction", "audit.checkpointSeconds: the value has the wrong type" },
    };

    [Theory]
    [MemberData(nameof(WardMistakes))]
    public void A_wrong_ward_file_is_refused_naming_the_setting(string mistake, string expected)
    {
        var ward = Ward();
        switch (mistake)
        {
            case "unknown-setting": ward["listen"]!["adress"] = "127.0.0.1"; break;
            case "no-role": ward.Remove("role"); break;
            case "bad-code": ward["institution"]!["code"] = "131092"; break;
            case "other-certificate": ward["tls"]!["certificate"] = "pki/131113.pem"; ward["tls"]!["key"] = "pki/131113.key"; break;
            case "foreign-certificate": ward["tls"]!["certificate"] = "pki/foreign.pem"; ward["tls"]!["key"] = "pki/foreign.key"; break;
            case "missing-key": ward["tls"]!["key"] = "pki/missing.key"; break;
            case "http-peer-with-tls": ward["peers"]!["jlis"] = "http://127.0.0.1:7401/"; break;
            case "https-peer-without-tls": ward.Remove("tls"); break;
            case "no-jlis": ward["peers"] = new JsonObject(); break;
            case "bad-database": ward["database"] = "mysql:ward"; break;
            case "bad-port": ward["listen"]!["port"] = 70000; break;
            case "same-port": ward["intermediate"]!["listen"]!["port"] = 7402; break;
            case "wrong-section": ward["network"] = new JsonObject(); break;
            case "wrong-type": ward["listen"]!["port"] = true; break;
            case "network-without-key": ward["peers"]!["network"] = "https://127.0.0.1:7400/"; break;
            case "network-key-of-another":
                _ = Network(); // writes 131113.keys.json
                ward["peers"]!["network"] = "https://127.0.0.1:7400/";
                ward["peers"]!["networkPublicKeys"] = "131113.keys.json";
                break;
            case "portal-keys-missing": ward["municipality"]!["portalPublicKeys"] = "missing-portal.json"; break;
            case "portal-keys-not-keys": ward["municipality"]!["portalPublicKeys"] = "ward.json"; break;
            case "checkpoint-zero": ward["audit"] = new JsonObject { ["checkpointSeconds"] = 0 }; break;
            case "checkpoint-too-long": ward["audit"] = new JsonObject { ["checkpointSeconds"] = 61 }; break;
            case "checkpoint-fraction": ward["audit"] = new JsonObject { ["checkpointSeconds"] = 1.5 }; break;
        }
        var problem = Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(ward), Layout, ServeRole.Municipality));
        Assert.Contains(expected, problem.Message);
    }

    public static TheoryData<string, string> NetworkMistakes => new()
    {
        { "bad-class", "network.institutions[0].class: must be one of municipality, prefecture, nationalAgency" },
        { "no-endpoint", "network.institutions[1].endpoint: missing" },
        { "jlis-endpoint", "network.institutions[2].endpoint: J-LIS and the portal provide nothing" },
        { "bad-key", "network.institutions[0].signingPublicKey: the signing key is not a P-256 public key" },
        { "keys-of-another", "network.institutions[0].publicKeys: the file holds the keys of 131113, not of 131091" },
        { "twice", "network.institutions[1].code: 131091 is registered twice" },
        { "no-registry", "network.institutions: missing" },
        { "not-network-code", "institution.code: the network's own code is NETWORK" },
    };

    [Theory]
    [MemberData(nameof(NetworkMistakes))]
    public void A_wrong_registry_is_refused_naming_the_entry(string mistake, string expected)
    {
        var network = Network();
        var entries = network["network"]!["institutions"]!.AsArray();
        switch (mistake)
        {
            case "bad-class": entries[0]!["class"] = "ward"; break;
            case "no-endpoint": entries[1]!.AsObject().Remove("endpoint"); break;
            case "jlis-endpoint": entries[2]!["endpoint"] = "https://127.0.0.1:7401/"; break;
            case "bad-key": entries[0]!["signingPublicKey"] = Convert.ToBase64String(new byte[40]); break;
            case "keys-of-another":
                entries[0]!.AsObject().Remove("signingPublicKey");
                entries[0]!.AsObject().Remove("sealingPublicKey");
                entries[0]!["publicKeys"] = "131113.keys.json";
                break;
            case "twice": entries[1]!["code"] = "131091"; break;
            case "no-registry": network["network"]!.AsObject().Remove("institutions"); break;
            case "not-network-code": network["institution"] = new JsonObject { ["code"] = "NETWRK" }; break;
        }
        var problem = Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(network, "network.json"), Layout, ServeRole.Network));
        Assert.Contains(expected, problem.Message);
    }

    /// <summary>A ward on plain HTTP and SQLite, free ports: what a test can start in process.</summary>
    private static JsonObject LocalWard()
    {
        var ward = Ward();
        ward.Remove("tls");
        ward["listen"]!["port"] = 0;
        ward["peers"]!["jlis"] = "http://127.0.0.1:7401/";
        ward["intermediate"] = new JsonObject { ["database"] = "sqlite:db/intermediate.db" };
        ward["municipality"] = new JsonObject();
        return ward;
    }

    [Fact]
    public async Task The_checkpoint_period_reaches_every_signed_log_the_role_opens()
    {
        // On the network, so the ward's intermediate server is a node that keeps the ward's party records.
        using var networkKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ward = LocalWard();
        ward["peers"]!["network"] = "http://127.0.0.1:7400/";
        ward["peers"]!["networkSigningPublicKey"] = Convert.ToBase64String(networkKey.ExportSubjectPublicKeyInfo());
        ward["audit"] = new JsonObject { ["checkpointSeconds"] = 7 };
        var holder = new JsonObject
        {
            ["role"] = "holder",
            ["institution"] = new JsonObject { ["code"] = "JPS001", ["name"] = "日本年金機構" },
            ["database"] = "sqlite:db/pension.db",
            ["holder"] = new JsonObject { ["kind"] = "pensionOrganisation" },
            ["intermediate"] = new JsonObject { ["database"] = "sqlite:db/pension-intermediate.db" },
            ["audit"] = new JsonObject { ["checkpointSeconds"] = 13 },
        };
        var network = new JsonObject
        {
            ["role"] = "network",
            ["database"] = "sqlite:db/network.db",
            ["network"] = new JsonObject { ["institutions"] = new JsonArray() },
            ["audit"] = new JsonObject { ["checkpointSeconds"] = 60 },
        };

        var opened = new List<TimeSpan>();
        foreach (var (file, name) in new[] { (ward, "ward.json"), (holder, "pension.json"), (network, "network.json") })
        {
            using var config = DeploymentConfig.Load(Write(file, name), Layout);
            var running = new Stack<IAsyncDisposable>();
            try
            {
                await Commands.ServeCommand.StartRoleAsync(config, running, [], CancellationToken.None);
                opened.AddRange(running.Select(service => service switch
                {
                    Municipality.Audit.OperationLog log => log.Store.Options.CheckpointPeriod,
                    Holders.HolderNode node => node.OperationLog.Store.Options.CheckpointPeriod,
                    Network.NetworkNode node => node.RecordsLogOptions.CheckpointPeriod,
                    ServiceHost host => host.Services.GetService(typeof(Intermediate.Node.IntermediateNode)) is Intermediate.Node.IntermediateNode node
                        ? node.Records.Store.Options.CheckpointPeriod
                        : null,
                    _ => (TimeSpan?)null,
                }).OfType<TimeSpan>());
            }
            finally
            {
                while (running.TryPop(out var service)) await service.DisposeAsync();
            }
        }
        // The ward's operation log and its intermediate server's party records; the holder's operation log; the network's provision records.
        Assert.Equal([TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(13), TimeSpan.FromSeconds(60)], opened);

        using var unset = DeploymentConfig.Load(Write(LocalWard(), "default.json"), Layout);
        Assert.Equal(Infrastructure.Audit.AuditLogOptions.Default.CheckpointPeriod, unset.AuditLog.CheckpointPeriod);
        var jlis = new JsonObject { ["role"] = "jlis", ["audit"] = new JsonObject { ["checkpointSeconds"] = 5 } };
        Assert.Contains("audit: only for roles network, municipality and holder",
            Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(jlis, "jlis.json"), Layout)).Message);
    }

    [Fact]
    public void Malformed_json_is_refused_with_its_line()
    {
        var path = _directory.File("broken.json");
        File.WriteAllText(path, "{\n  \"role\": \"jlis\",\n  \"listen\": { \"port\": 7401 \n}\n");
        var problem = Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(path, Layout));
        Assert.StartsWith("line ", problem.Message);
    }

    [Fact]
    public async Task Serve_with_a_wrong_file_exits_2_naming_the_file_and_the_problem()
    {
        var ward = Ward();
        ward["tls"]!["certificate"] = "pki/131113.pem";
        ward["tls"]!["key"] = "pki/131113.key";
        var path = Write(ward, "shinagawa.json");
        var wrong = await CliProcess.RunAsync(_directory.File("data"), "serve", "--role", "municipality", "--config", path);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("shinagawa.json: tls.certificate: the certificate is for 131113", wrong.StandardError);

        var otherRole = await CliProcess.RunAsync(_directory.File("data"), "serve", "--role", "jlis", "--config", Write(Ward(), "ward.json"));
        Assert.Equal(2, otherRole.ExitCode);
        Assert.Contains("ward.json: role: the file is for role municipality, not --role jlis", otherRole.StandardError);

        var missing = await CliProcess.RunAsync(_directory.File("data"), "serve", "--role", "jlis", "--config", _directory.File("nowhere.json"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nowhere.json: no such file", missing.StandardError);

        var mixed = await CliProcess.RunAsync(_directory.File("data"), "serve", "--role", "municipality", "--config", path, "--port", "7000");
        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("--port: with --config every setting comes from the file", mixed.StandardError);

        var networkWithoutFile = await CliProcess.RunAsync(_directory.File("data"), "serve", "--role", "network");
        Assert.Equal(2, networkWithoutFile.ExitCode);
        Assert.Contains("--role network runs from a configuration file", networkWithoutFile.StandardError);
    }

    [Fact]
    public void A_holder_needs_its_intermediate_server_and_an_insurer_its_insurer_number()
    {
        var holder = new JsonObject
        {
            ["role"] = "holder",
            ["institution"] = new JsonObject { ["code"] = "JPS001", ["name"] = "日本年金機構" },
            ["holder"] = new JsonObject { ["kind"] = "pensionOrganisation" },
            ["intermediate"] = new JsonObject { ["listen"] = new JsonObject { ["port"] = 7603 } },
        };
        using (var config = DeploymentConfig.Load(Write(holder, "pension.json"), Layout, ServeRole.Holder))
            Assert.Equal((Holders.HolderKind.PensionOrganisation, "JPS001"), (config.HolderKind, config.InstitutionCode));

        holder.Remove("intermediate");
        Assert.Contains("intermediate: missing",
            Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(holder, "pension.json"), Layout)).Message);
        holder["intermediate"] = new JsonObject();
        holder["holder"]!["kind"] = "healthInsurer";
        Assert.Contains("institution.code: an insurer's institution code is its 8-digit insurer number",
            Assert.Throws<DeploymentConfigException>(() => DeploymentConfig.Load(Write(holder, "pension.json"), Layout)).Message);
    }

    [Fact]
    public async Task Records_verify_reads_the_intermediate_servers_database_and_key_directory_from_the_file()
    {
        var ward = Ward();
        ward["intermediate"]!["database"] = "sqlite:db/intermediate.db";
        var file = Write(ward);
        using (var config = DeploymentConfig.Load(file, Layout, ServeRole.Municipality))
        using (var keys = Renkei.Infrastructure.Signing.InstitutionKeys.LoadOrCreate(config.InstitutionKeyDirectory))
        await using (var log = new Renkei.Intermediate.Records.PartyRecordLog(config.Intermediate!.Database, "131091", keys.Signing))
        {
            log.EnsureSchema();
            await log.RecordBatchItemsAsync(Renkei.Intermediate.Contracts.PartyRole.Provider, Guid.NewGuid(), Enumerable.Range(0, 4).Select(i =>
                new Renkei.Intermediate.Records.PartyRecordEntry(Renkei.Intermediate.Contracts.PartyRole.Provider, Guid.NewGuid(), i, "131113", "131091",
                    "child-allowance", "local-tax", ProvisionResult.Provided, null, Core.Numbers.Token.FromInt64(500 + i))).ToList());
        }

        var verified = await CliProcess.RunAsync(_directory.File("data"), "records", "verify", "--role", "intermediate", "--config", file, "--json");
        var wrongRole = await CliProcess.RunAsync(_directory.File("data"), "records", "verify", "--role", "network", "--config", file);

        Assert.True(verified.ExitCode == 0, verified.StandardOutput + verified.StandardError);
        using var report = JsonDocument.Parse(verified.StandardOutput);
        Assert.Equal(("131091", 4L), (report.RootElement.GetProperty("institution").GetString(), report.RootElement.GetProperty("entries").GetInt64()));
        Assert.Equal(2, wrongRole.ExitCode);
        Assert.Contains("ward.json", wrongRole.StandardError);
    }
}
