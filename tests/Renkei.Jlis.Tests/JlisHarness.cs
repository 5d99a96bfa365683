using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Storage;
using Renkei.TestSupport;

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
        Http = new HttpClient { BaseAddress = host.BaseAddress };
        Client = new JlisHttpClient(Http);
        Store = new JlisStore(database.Database);
    }

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
        var host = await JlisService.StartAsync(new JlisServiceOptions(database.Database, Path.Combine(directory.Path, "jlis-numbering.key")));
        return new JlisHarness(database, directory, host);
    }

    /// <summary>Stops the service and starts it again on the same database and key file.</summary>
    public async Task RestartAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        Host = await JlisService.StartAsync(new JlisServiceOptions(Database, KeyFile));
        Http = new HttpClient { BaseAddress = Host.BaseAddress };
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
        Http.Dispose();
        await Host.DisposeAsync();
        _database.Dispose();
        _directory.Dispose();
    }
}
