using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tokens;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Tokens;

/// <summary>
/// J-LIS with token routes on Kestrel, a <see cref="TestNetworkPeer"/> that knows J-LIS and two wards, and clients:
/// an unsigned numbering client and, per ward, a token client that signs as the ward.
/// </summary>
public sealed class TokenHarness : IAsyncDisposable
{
    public const string Shinagawa = "131091";
    public const string Ota = "131113";

    private readonly TestDatabase _database;
    private readonly TempDirectory _directory;
    private readonly List<IDisposable> _owned = [];

    private TokenHarness(TestDatabase database, TempDirectory directory, TestNetworkPeer network)
    {
        _database = database;
        _directory = directory;
        Network = network;
    }

    public TestNetworkPeer Network { get; }
    public ServiceHost Jlis { get; private set; } = null!;
    public JlisHttpClient Numbering { get; private set; } = null!;
    public InstitutionKeys ShinagawaKeys { get; private set; } = null!;
    public InstitutionKeys OtaKeys { get; private set; } = null!;

    /// <summary>J-LIS's own institution keys (loaded again from its key directory).</summary>
    public InstitutionKeys JlisKeys() => Own(InstitutionKeys.LoadOrCreate(_directory.File("jlis-institution")));
    public Database Database => _database.Database;

    public static async Task<TokenHarness> StartAsync(string provider)
    {
        var network = await TestNetworkPeer.StartAsync();
        var harness = new TokenHarness(TestDatabase.Create(provider), new TempDirectory(), network);
        try
        {
            var jlisKeyDirectory = harness._directory.File("jlis-institution");
            using (var jlisKeys = InstitutionKeys.LoadOrCreate(jlisKeyDirectory))
                network.Register(JlisTokenRoutes.JlisInstitutionCode, InstitutionClass.NumberingAuthority, jlisKeys.SigningPublicKey);
            harness.ShinagawaKeys = harness.Own(InstitutionKeys.LoadOrCreate(harness._directory.File("shinagawa")));
            network.Register(Shinagawa, InstitutionClass.Municipality, harness.ShinagawaKeys.SigningPublicKey);
            harness.OtaKeys = harness.Own(InstitutionKeys.LoadOrCreate(harness._directory.File("ota")));
            network.Register(Ota, InstitutionClass.Municipality, harness.OtaKeys.SigningPublicKey);

            harness.Jlis = await TestModules.StartJlisAsync(harness.Database, new JlisOptions
            {
                KeyFilePath = harness._directory.File("numbering.key"),
                Tokens = new JlisTokenSettings { NetworkAddress = network.BaseAddress, KeyDirectory = jlisKeyDirectory },
            });
            harness.Numbering = new JlisHttpClient(harness.SignedHttp(Shinagawa, harness.ShinagawaKeys));
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>An HTTP client to J-LIS that signs as <paramref name="institution"/> with <paramref name="keys"/>.</summary>
    public HttpClient SignedHttp(string institution, InstitutionKeys keys) =>
        Own(SigningHandler.CreateClient(Jlis.BaseAddress, institution, keys.Signing, JlisTokenRoutes.JlisInstitutionCode));

    public JlisHttpClient TokenClient(string institution, InstitutionKeys keys) => new(SignedHttp(institution, keys));

    public HttpClient PlainHttp() => Own(new HttpClient { BaseAddress = Jlis.BaseAddress });

    public InstitutionKeys NewKeys(string name) => Own(InstitutionKeys.LoadOrCreate(_directory.File(name)));

    /// <summary>Has J-LIS designate numbers for <paramref name="count"/> fresh codes (a numbering batch).</summary>
    public async Task<NumberAssignment[]> DesignateAsync(int count, int seed)
    {
        var file = await Numbering.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), LocalGovernmentCode.ParseOrThrow(Shinagawa),
            JlisHarness.RandomCodes(count, seed)));
        return [.. file.Assignments];
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) owned.Dispose();
        if (Jlis is not null) await Jlis.DisposeAsync();
        await Network.DisposeAsync();
        _database.Dispose();
        _directory.Dispose();
    }
}
