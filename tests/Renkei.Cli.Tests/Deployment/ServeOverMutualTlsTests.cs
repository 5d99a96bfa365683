using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure.Tls;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// A deployment as docs/deployment.md describes it, one institution per <c>renkei serve --config</c> process: certificates
/// from <c>renkei pki init</c>, J-LIS and a ward (with its intermediate server) on their own databases, every connection
/// mutual TLS. A resident arriving from abroad at the ward gets a resident-record code and a number from J-LIS, which the
/// ward can only reach by presenting its node certificate.
/// </summary>
public sealed partial class ServeOverMutualTlsTests : IDisposable
{
    private readonly TempDirectory _root = new();
    private readonly List<Process> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
        _root.Dispose();
    }

    private string Pki(string file) => Path.Combine(_root.Path, "pki", file);

    private static string DatabaseSetting(TestDatabase database) =>
        (database.Database.Provider == Infrastructure.DatabaseProvider.Sqlite ? "sqlite:" + new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(database.Database.ConnectionString).DataSource : "postgres:" + database.Database.ConnectionString);

    private JsonObject Tls(string node) => new() { ["certificate"] = Pki(node + ".pem"), ["key"] = Pki(node + ".key"), ["authority"] = Pki("ca.pem") };

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

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Jlis_and_a_ward_served_from_config_files_number_a_resident_over_mutual_tls(string provider)
    {
        using var jlisDatabase = TestDatabase.Create(provider);
        using var wardDatabase = jlisDatabase.Sibling();
        using var intermediateDatabase = jlisDatabase.Sibling();
        var init = await CliProcess.RunAsync(_root.Path, "pki", "init", "--out", Path.Combine(_root.Path, "pki"), "--node", "jlis", "--node", "131091");
        Assert.True(init.ExitCode == 0, init.StandardError);

        var jlis = (await ServeAsync("jlis", new JsonObject
        {
            ["role"] = "jlis",
            ["listen"] = new JsonObject { ["address"] = "127.0.0.1", ["port"] = 0 },
            ["database"] = DatabaseSetting(jlisDatabase),
            ["keyDirectory"] = Path.Combine(_root.Path, "keys", "jlis"),
            ["tls"] = Tls("jlis"),
        }, services: 1))[0];
        var ward = await ServeAsync("municipality", new JsonObject
        {
            ["role"] = "municipality",
            ["institution"] = new JsonObject { ["code"] = "131091", ["name"] = "品川区" },
            ["listen"] = new JsonObject { ["port"] = 0 },
            ["database"] = DatabaseSetting(wardDatabase),
            ["keyDirectory"] = Path.Combine(_root.Path, "keys", "131091"),
            ["tls"] = Tls("131091"),
            ["peers"] = new JsonObject { ["jlis"] = jlis.AbsoluteUri },
            ["intermediate"] = new JsonObject { ["listen"] = new JsonObject { ["port"] = 0 }, ["database"] = DatabaseSetting(intermediateDatabase) },
            ["municipality"] = new JsonObject { ["demoStaff"] = true },
        }, services: 2);
        var (wardApi, intermediate) = (ward[0], ward[1]);

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

        // The ward asks J-LIS (over mutual TLS) for a resident-record code and a number.
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

        // The intermediate server runs in the ward's process on its own port, behind the same mutual TLS.
        using var intermediateHttp = new HttpClient(tls.CreateHandler()) { BaseAddress = intermediate };
        Assert.Equal(HttpStatusCode.OK, (await intermediateHttp.GetAsync("health")).StatusCode);

        // Without a certificate from the network's CA nobody gets in: not to J-LIS, not to the ward.
        using var anonymous = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { Timeout = TimeSpan.FromSeconds(30) };
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync(new Uri(jlis, "health")));
        await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.GetAsync(new Uri(wardApi, MunicipalityRoutes.Health)));
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
