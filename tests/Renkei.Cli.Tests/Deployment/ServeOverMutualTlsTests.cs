using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure.Tls;
using Renkei.Intermediate.Contracts;
using Renkei.Network.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using Renkei.ServiceDefaults.Tls;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// A deployment as docs/deployment.md describes it, one institution per <c>renkei serve --role … --config</c> process, each
/// from its own appsettings-style file: certificates from <c>renkei pki init</c>, each institution on its own databases,
/// every connection mutual TLS.
/// </summary>
public sealed partial class ServeOverMutualTlsTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly OwnedProcesses _processes = new();

    public void Dispose()
    {
        _processes.Dispose();
        _root.Dispose();
    }

    private string Pki(string file) => Path.Combine(_root.Path, "pki", file);

    private static string DatabaseSetting(TestDatabase database) =>
        (database.Database.Provider == Infrastructure.DatabaseProvider.Sqlite ? "sqlite:" + new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.Database.ConnectionString).DataSource : "postgres:" + database.Database.ConnectionString);

    private JsonObject Tls(string node) => new() { ["Certificate"] = Pki(node + ".pem"), ["Key"] = Pki(node + ".key"), ["Authority"] = Pki("ca.pem") };

    private string Keys(string path) => Path.Combine(_root.Path, "keys", path);

    /// <summary>Starts <c>renkei serve</c> and returns the addresses it prints, one per service it runs.</summary>
    private async Task<IReadOnlyList<Uri>> ServeAsync(string role, JsonObject config, int services)
    {
        var path = Path.Combine(_root.Path, role + ".json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        var process = Process.Start(CliProcess.StartInfo(Path.Combine(_root.Path, "data"), "serve", "--role", role, "--config", path))!;
        _processes.Add(process);
        var errors = process.StandardError.ReadToEndAsync();
        var addresses = new List<Uri>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (addresses.Count < services)
        {
            var line = await process.StandardOutput.ReadLineAsync(deadline.Token);
            if (line is null) Assert.Fail($"renkei serve --role {role} ended: {await errors}");
            if (ListeningOn().Match(line) is { Success: true } match) addresses.Add(new Uri(match.Groups[1].Value));
        }
        return addresses;
    }

    [GeneratedRegex(@"listening on (https://127\.0\.0\.1:\d+/)")]
    private static partial Regex ListeningOn();

    /// <summary>What <c>renkei serve --config … --public-keys</c> prints (also written to <c>public/&lt;name&gt;.json</c>).</summary>
    private async Task<JsonNode> PublicKeysAsync(string role, JsonObject config, string name)
    {
        var path = Path.Combine(_root.Path, role + ".json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        var printed = await CliProcess.RunAsync(Path.Combine(_root.Path, "data"), "serve", "--role", role, "--config", path, "--public-keys");
        Assert.True(printed.ExitCode == 0, printed.StandardError);
        var file = Path.Combine(_root.Path, "public", name + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, printed.StandardOutput);
        return JsonNode.Parse(printed.StandardOutput)!;
    }

    /// <summary>A registry entry of the network (Network:Institutions) with the keys the institution printed.</summary>
    private static JsonObject Registered(string code, string name, string kind, string? endpoint, JsonNode keys)
    {
        var entry = new JsonObject
        {
            ["Code"] = code, ["Name"] = name, ["Class"] = kind,
            ["SigningPublicKey"] = keys["signingPublicKey"]!.GetValue<string>(), ["SealingPublicKey"] = keys["sealingPublicKey"]!.GetValue<string>(),
        };
        if (endpoint is not null) entry["Endpoint"] = endpoint;
        return entry;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The three-process deployment of docs/deployment.md: the network, J-LIS and a ward with its intermediate server,
    /// each from its own file, every connection mutual TLS. A resident arriving from abroad gets a code and a number from
    /// J-LIS and, through J-LIS and the network, the ward's token delivered to its intermediate server.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Network_jlis_and_a_ward_served_from_config_files_number_a_resident_and_deliver_its_token_over_mutual_tls(string provider)
    {
        using var networkDatabase = TestDatabase.Create(provider);
        using var jlisDatabase = networkDatabase.Sibling();
        using var wardDatabase = networkDatabase.Sibling();
        using var intermediateDatabase = networkDatabase.Sibling();
        var init = await CliProcess.RunAsync(_root.Path, "pki", "init", "--out", Path.Combine(_root.Path, "pki"), "--node", "network", "--node", "jlis", "--node", "131091",
            "--log-key", Path.Combine(_root.Path, "keys", "network"));
        Assert.True(init.ExitCode == 0, init.StandardError);

        // Fixed ports: each file names the others' addresses before any of them runs.
        var (networkPort, jlisPort, intermediatePort) = (FreePort(), FreePort(), FreePort());
        var networkUrl = $"https://127.0.0.1:{networkPort}/";
        var jlisConfig = new JsonObject
        {
            ["Jlis"] = new JsonObject
            {
                ["Database"] = DatabaseSetting(jlisDatabase), ["KeyFilePath"] = Keys("jlis/numbering.key"),
                ["Tokens"] = new JsonObject { ["NetworkAddress"] = networkUrl, ["KeyDirectory"] = Keys("jlis/institution") },
            },
            ["Serve"] = new JsonObject { ["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = jlisPort }, ["Tls"] = Tls("jlis") },
        };
        JsonObject WardConfig(JsonNode? networkKeys) => new()
        {
            ["Ward"] = new JsonObject
            {
                ["Database"] = DatabaseSetting(wardDatabase), ["Code"] = "131091", ["Name"] = "品川区", ["KeyDirectory"] = Keys("131091/institution"),
                ["JlisAddress"] = $"https://127.0.0.1:{jlisPort}/",
            },
            ["Intermediate"] = new JsonObject
            {
                ["Database"] = DatabaseSetting(intermediateDatabase), ["HolderCode"] = "131091", ["HolderName"] = "品川区",
                ["InstitutionKeyDirectory"] = Keys("131091/institution"), ["NetworkAddress"] = networkUrl,
                ["NetworkSigningPublicKey"] = networkKeys?["signingPublicKey"]!.GetValue<string>(),
            },
            ["Serve"] = new JsonObject
            {
                ["Listen"] = new JsonObject { ["Port"] = 0 }, ["IntermediateListen"] = new JsonObject { ["Port"] = intermediatePort }, ["Tls"] = Tls("131091"),
                ["AuditKeyFile"] = Keys("131091/audit-signing.key"), ["TotpKeyFile"] = Keys("131091/totp.key"), ["DemoStaff"] = true,
            },
        };
        JsonObject NetworkConfig(params JsonObject[] institutions) => new()
        {
            ["Network"] = new JsonObject { ["Database"] = DatabaseSetting(networkDatabase), ["KeyDirectory"] = Keys("network"), ["Institutions"] = new JsonArray(institutions) },
            ["Serve"] = new JsonObject { ["Listen"] = new JsonObject { ["Address"] = "127.0.0.1", ["Port"] = networkPort }, ["Tls"] = Tls("network") },
        };

        // Each institution hands its public keys to the network (and the network its own to the ward, to pin).
        var networkKeys = await PublicKeysAsync("network", NetworkConfig(), "network");
        var jlisKeys = await PublicKeysAsync("jlis", jlisConfig, "jlis");
        var wardKeys = await PublicKeysAsync("municipality", WardConfig(null), "131091");
        var networkConfig = NetworkConfig(
            Registered("JLIS00", "地方公共団体情報システム機構", "NumberingAuthority", null, jlisKeys),
            Registered("131091", "品川区", "Municipality", $"https://127.0.0.1:{intermediatePort}/", wardKeys));

        var network = (await ServeAsync("network", networkConfig, services: 1))[0];
        var jlis = (await ServeAsync("jlis", jlisConfig, services: 1))[0];
        var ward = await ServeAsync("municipality", WardConfig(networkKeys), services: 2);
        var (wardApi, intermediate) = (ward[0], ward[1]);
        Assert.Equal((networkUrl, intermediatePort), (network.AbsoluteUri, intermediate.Port));

        // A staff terminal of the ward, presenting the ward's node certificate and trusting only the network's CA.
        using var tls = MutualTls.Load(Pki("131091.pem"), Pki("131091.key"), Pki("ca.pem"));
        using var http = new HttpClient(tls.CreateHandler()) { BaseAddress = wardApi, Timeout = TimeSpan.FromMinutes(1) };
        var clerk = DemoStaff.Accounts(LocalGovernmentCode.ParseOrThrow("131091")).Single(a => a.Id.Value == "jumin01");
        var login = await http.PostAsJsonAsync(MunicipalityRoutes.StaffSessions,
            new StaffLoginRequest("jumin01", clerk.Password, clerk.CodeAt(DateTimeOffset.UtcNow)), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<StaffLoginResponse>(JsonDefaults.Options))!.Token;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync(MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest("resident-register"), JsonDefaults.Options)).StatusCode);

        // The ward asks J-LIS for a resident-record code and a number, then for the person's token, which the network
        // derives and delivers to the ward's intermediate server: ward → J-LIS → network → intermediate server.
        var arrival = await http.PostAsJsonAsync(MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("高橋", "誠", "タカハシ", "マコト", new DateOnly(1980, 3, 3), Sex.Male), "東京都品川区西五反田二丁目8番1号",
            null, Relationship.Head, new DateOnly(2024, 10, 1), "カナダ"), JsonDefaults.Options);
        Assert.True(arrival.StatusCode == HttpStatusCode.Created, "arrival: " + await arrival.Content.ReadAsStringAsync());
        var search = await http.PostAsJsonAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Name: "高橋", IncludeNumbers: true), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        using (var hits = JsonDocument.Parse(await search.Content.ReadAsStringAsync()))
        {
            var numbers = FindAll(hits.RootElement, "individualNumber").Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()).ToList();
            Assert.True(numbers.Count == 1, $"{numbers.Count} numbers in the answer");
            Assert.True(IndividualNumber.Parse(numbers[0]).IsValid, "J-LIS designated a valid individual number"); // the number itself is not printed
        }

        using var intermediateHttp = new HttpClient(tls.CreateHandler()) { BaseAddress = intermediate, Timeout = TimeSpan.FromMinutes(1) };
        var status = await intermediateHttp.PostAsJsonAsync(IntermediateNodeRoutes.TokenStatus, new TokenStatusRequest("131091"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var tokens = (await status.Content.ReadFromJsonAsync<TokenStatusResponse>(JsonDefaults.Options))!;
        Assert.Equal((1L, 0L), (tokens.WithToken, tokens.Pending));

        // Without a certificate from the network's CA only public routes answer (health; the network's provision-records
        // log, so anyone can audit it); every other route of the network, J-LIS, the ward and the intermediate server is 401.
        using var anonymous = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { Timeout = TimeSpan.FromSeconds(30) };
        foreach (var service in new[] { network, jlis, wardApi, intermediate })
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(service, "health/live"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(new Uri(network, ProvisionLogRoutes.LatestHead))).StatusCode);
        foreach (var (service, route) in new[] { (network, "tokens/issue"), (jlis, "numbering/derive"), (wardApi, "residents/search"), (wardApi, "staff/sessions"), (intermediate, IntermediateNodeRoutes.TokenStatus) })
        {
            var closed = await anonymous.PostAsJsonAsync(new Uri(service, route), new { }, JsonDefaults.Options);
            Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
            Assert.Equal(CallerCertificate.RequiredCode, (await closed.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);
        }

        // A third party takes the network's log-signing key from its certificate (checked against the CA), no node certificate;
        // it is the key in the network's public-keys file, and the monitor verifies the heads with it.
        var key = await CliProcess.RunAsync(_root.Path, "records", "key", "--network", networkUrl, "--ca", Path.Combine(_root.Path, "pki", "ca.pem"),
            "--out", Path.Combine(_root.Path, "network.pub"), "--json");
        Assert.True(key.ExitCode == 0, key.StandardError);
        using (var pinned = System.Security.Cryptography.ECDsa.Create())
        {
            pinned.ImportFromPem(File.ReadAllText(Path.Combine(_root.Path, "network.pub")));
            Assert.Equal((string)networkKeys["logSigningPublicKey"]!, Convert.ToBase64String(pinned.ExportSubjectPublicKeyInfo()));
            Assert.NotEqual((string)networkKeys["signingPublicKey"]!, (string)networkKeys["logSigningPublicKey"]!);
        }
        var monitor = await CliProcess.RunAsync(_root.Path, "records", "monitor", "--network", networkUrl, "--ca", Path.Combine(_root.Path, "pki", "ca.pem"),
            "--public-key", Path.Combine(_root.Path, "network.pub"), "--state", Path.Combine(_root.Path, "monitor"), "--json");
        Assert.True(monitor.ExitCode == 0, monitor.StandardError);
        Assert.Contains("\"first-head\"", monitor.StandardOutput, StringComparison.Ordinal);

        // The ward's certificate does not let it speak for J-LIS at the network: the header must name the certificate's institution.
        using var networkHttp = new HttpClient(tls.CreateHandler()) { BaseAddress = network };
        using var impostor = new HttpRequestMessage(HttpMethod.Post, "tokens/issue") { Content = JsonContent.Create(new { }) };
        impostor.Headers.Add(Core.Crypto.SignatureHeaders.Institution, "JLIS00");
        var refused = await networkHttp.SendAsync(impostor);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(CallerCertificate.MismatchCode, (await refused.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);
    }

    private static IEnumerable<JsonElement> FindAll(JsonElement element, string property)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var member in element.EnumerateObject())
            {
                if (member.Name == property) yield return member.Value;
                foreach (var inner in FindAll(member.Value, property)) yield return inner;
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
                foreach (var inner in FindAll(item, property)) yield return inner;
        }
    }
}
