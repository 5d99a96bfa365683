using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Storage;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests;

/// <summary>J-LIS running on Kestrel over a throw-away database, and a client talking to it over HTTP.</summary>
public sealed class JlisHarness : IAsyncDisposable
{
    public static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    public static readonly LocalGovernmentCode Ota = LocalGovernmentCode.ParseOrThrow("131113");

    private readonly TestDatabase _database;
    private readonly TempDirectory _directory;

    private JlisHarness(TestDatabase database, TempDirectory directory, ServiceHost host)
    {
        _database = database;
        _directory = directory;
        Host = host;
        Store = new JlisStore(database.Database);
        JlisCallers.Register(database.Database, Shinagawa.Digits, JlisRoles.Municipality, WardKeys(Shinagawa), "品川区");
        JlisCallers.Register(database.Database, Ota.Digits, JlisRoles.Municipality, WardKeys(Ota), "大田区");
        Http = JlisCallers.Client(host.BaseAddress, Shinagawa.Digits, WardKeys(Shinagawa));
        Client = new JlisHttpClient(Http);
    }

    /// <summary>The key directory of a ward (its institution keys; registered at J-LIS when the harness starts).</summary>
    public string WardKeys(LocalGovernmentCode ward) => _directory.File(Path.Combine("wards", ward.Digits));

    /// <summary>J-LIS as <paramref name="ward"/> asks it: requests signed with the ward's key (the harness disposes the client).</summary>
    public JlisHttpClient ClientFor(LocalGovernmentCode ward)
    {
        if (ward == Shinagawa) return Client;
        var http = JlisCallers.Client(Host.BaseAddress, ward.Digits, WardKeys(ward));
        _owned.Add(http);
        return new JlisHttpClient(http);
    }

    /// <summary>An unsigned client: nobody J-LIS knows.</summary>
    public HttpClient Anonymous()
    {
        var http = new HttpClient { BaseAddress = Host.BaseAddress };
        _owned.Add(http);
        return http;
    }

    private readonly List<HttpClient> _owned = [];

    public ServiceHost Host { get; private set; }
    public HttpClient Http { get; private set; }
    public JlisHttpClient Client { get; private set; }
    public JlisStore Store { get; }
    public Database Database => _database.Database;
    public string KeyFile => _directory.File("jlis-numbering.key");

    public static async Task<JlisHarness> StartAsync(string provider)
    {
        var database = TestDatabase.Create(provider);
        var directory = new TempDirectory();
        var host = await TestModules.StartJlisAsync(database.Database, new JlisOptions { KeyFilePath = Path.Combine(directory.Path, "jlis-numbering.key") });
        return new JlisHarness(database, directory, host);
    }

    /// <summary>Stops the service and starts it again on the same database and key file.</summary>
    public async Task RestartAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        Host = await TestModules.StartJlisAsync(Database, new JlisOptions { KeyFilePath = KeyFile });
        Http = JlisCallers.Client(Host.BaseAddress, Shinagawa.Digits, WardKeys(Shinagawa));
        Client = new JlisHttpClient(Http);
    }

    public static ResidentCode[] RandomCodes(int count, int seed)
    {
        var random = new Random(seed);
        var bodies = new HashSet<long>();
        while (bodies.Count < count) bodies.Add(random.NextInt64(ResidentCode.BodyCount));
        return bodies.Select(ResidentCode.FromBody).ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) owned.Dispose();
        Http.Dispose();
        await Host.DisposeAsync();
        _database.Dispose();
        _directory.Dispose();
    }
}
