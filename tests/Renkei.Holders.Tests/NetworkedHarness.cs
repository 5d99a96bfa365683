using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tokens;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Holders.Tests;

/// <summary>
/// The holders among the real services on loopback HTTP: the network, J-LIS with its token routes, each holder with its
/// own intermediate server as its network node, and a ward's intermediate server as an inquirer. Each institution has its
/// own database (same engine) and keys.
/// </summary>
public sealed class NetworkedHarness : IAsyncDisposable
{
    public const string Ward = "131091";

    private readonly string _provider;
    private readonly TempDirectory _directory = new();
    private readonly List<TestDatabase> _databases = [];
    private readonly List<IAsyncDisposable> _services = [];
    private readonly List<IDisposable> _owned = [];

    private NetworkedHarness(string provider) => _provider = provider;

    public NetworkNode Network { get; private set; } = null!;
    public ServiceHost Jlis { get; private set; } = null!;
    public JlisHttpClient Numbering { get; private set; } = null!;

    public static async Task<NetworkedHarness> StartAsync(string provider)
    {
        var h = new NetworkedHarness(provider);
        try
        {
            var jlisKeyDirectory = h._directory.File("jlis-institution");
            using (var jlisKeys = InstitutionKeys.LoadOrCreate(jlisKeyDirectory))
                h.Network = h.Own(await NetworkService.StartAsync(new NetworkServiceOptions(h.NewDatabase(), h._directory.File("network-keys"))
                {
                    Institutions = [new InstitutionInfo(JlisTokenRoutes.JlisInstitutionCode, "地方公共団体情報システム機構", InstitutionClass.NumberingAuthority, null,
                        jlisKeys.SigningPublicKey, jlisKeys.SealingPublicKey)],
                    ProviderTimeout = TimeSpan.FromSeconds(30), // a loaded test machine must not turn into "provider unavailable"
                }));
            var jlisDatabase = h.NewDatabase();
            h.Jlis = h.Own(await JlisService.StartAsync(new JlisServiceOptions(jlisDatabase, h._directory.File("numbering.key"))
            {
                Tokens = new JlisTokenOptions(h.Network.BaseAddress, jlisKeyDirectory),
            }));
            // The ward numbers its residents as itself, registered in J-LIS's own registry (its intermediate server may start later).
            h.Numbering = new JlisHttpClient(h.Owned(JlisCallers.Client(h.Jlis.BaseAddress, Ward, h._directory.File("ward-institution"), jlisDatabase)));
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    /// <summary>A holder and its intermediate server (its node, on the holder's institution keys), registered at the network.</summary>
    public async Task<(HolderNode Holder, IntermediateHttpClient Intermediate)> StartHolderAsync(HolderKind kind)
    {
        var code = HolderHarness.CodeOf(kind);
        var name = HolderHarness.NameOf(kind);
        var keys = _directory.File("holder-" + code);
        var intermediate = await StartNodeAsync(code, name, Path.Combine(keys, "institution"));
        var holder = Own(await HolderService.StartAsync(new HolderServiceOptions(kind, code, name, NewDatabase(), keys, intermediate.BaseAddress)
        {
            JlisAddress = Jlis.BaseAddress,
        }));
        Network.Registry.Upsert(holder.Registration);
        var holderKeys = Owned(InstitutionKeys.LoadOrCreate(Path.Combine(keys, "institution")));
        return (holder, Owned(IntermediateHttpClient.Signed(intermediate.BaseAddress, code, holderKeys.Signing)));
    }

    /// <summary>The ward's intermediate server (inquirer), registered at the network, and a token acquirer signing as the ward.</summary>
    public async Task<(IntermediateHttpClient Intermediate, TokenAcquirer Tokens)> StartWardAsync()
    {
        var keyDirectory = _directory.File("ward-institution");
        var keys = Owned(InstitutionKeys.LoadOrCreate(keyDirectory));
        var intermediate = await StartNodeAsync(Ward, "品川区", keyDirectory);
        Network.Registry.Upsert(new InstitutionInfo(Ward, "品川区", InstitutionClass.Municipality, intermediate.BaseAddress, keys.SigningPublicKey, keys.SealingPublicKey));
        var client = Owned(IntermediateHttpClient.Signed(intermediate.BaseAddress, Ward, keys.Signing));
        var jlis = new JlisHttpClient(Owned(SigningHandler.CreateClient(Jlis.BaseAddress, Ward, keys.Signing, JlisTokenRoutes.JlisInstitutionCode)));
        return (client, new TokenAcquirer(Ward, new Tokens.IntermediateTokenInbox(client, Ward, Tokens.IntermediateTokenInbox.Job), jlis));
    }

    /// <summary>J-LIS designates numbers for <paramref name="count"/> of the ward's resident-record codes.</summary>
    public async Task<IReadOnlyList<NumberAssignment>> DesignateAsync(int count, long first)
    {
        var codes = Enumerable.Range(0, count).Select(i => ResidentCode.FromBody(first + i * 104_729L)).ToList();
        var file = await Numbering.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), LocalGovernmentCode.ParseOrThrow(Ward), codes));
        Assert.Equal(count, file.Assignments.Count);
        return file.Assignments;
    }

    private async Task<ServiceHost> StartNodeAsync(string code, string name, string keyDirectory) =>
        Own(await IntermediateService.StartAsync(new IntermediateServiceOptions(NewDatabase(), code, name)
        {
            InstitutionKeyDirectory = keyDirectory,
            NetworkAddress = Network.BaseAddress,
            NetworkSigningPublicKey = Network.SigningPublicKey,
        }));

    private Database NewDatabase()
    {
        var database = TestDatabase.Create(_provider);
        _databases.Add(database);
        return database.Database;
    }

    private T Own<T>(T service) where T : IAsyncDisposable
    {
        _services.Add(service);
        return service;
    }

    private T Owned<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) owned.Dispose();
        for (var i = _services.Count - 1; i >= 0; i--) await _services[i].DisposeAsync();
        foreach (var database in _databases) database.Dispose();
        _directory.Dispose();
    }
}
