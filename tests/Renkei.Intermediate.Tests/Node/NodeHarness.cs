using System.Net.Http.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Records;
using Renkei.Intermediate.Storage;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>One institution's intermediate server running as a network node, over its own throw-away database and key directory.</summary>
public sealed class TestNode : IAsyncDisposable
{
    private TestNode(string code, string name, TestDatabase database, TempDirectory keys, ServiceHost host, InstitutionInfo info)
    {
        Code = code;
        Name = name;
        TestDatabase = database;
        KeyDirectory = keys;
        Host = host;
        Info = info;
        // The holder's own systems: every request signed with the holder's institution key, for its own server.
        _keys = InstitutionKeys.LoadOrCreate(keys.Path);
        Http = SigningHandler.CreateClient(host.BaseAddress, code, _keys.Signing, code, timeout: TimeSpan.FromMinutes(2));
        Client = new IntermediateHttpClient(Http);
        Store = new IntermediateStore(database.Database);
    }

    private readonly InstitutionKeys _keys;

    /// <summary>The holder's institution signing key (its own systems sign with it).</summary>
    public System.Security.Cryptography.ECDsa SigningKey => _keys.Signing;

    public string Code { get; }
    public string Name { get; }
    public TestDatabase TestDatabase { get; }
    public Database Database => TestDatabase.Database;
    public TempDirectory KeyDirectory { get; }
    public ServiceHost Host { get; }
    public InstitutionInfo Info { get; }
    public HttpClient Http { get; }
    public IntermediateHttpClient Client { get; }
    public IntermediateStore Store { get; }

    public static async Task<TestNode> StartAsync(string code, string name, TestDatabase database, TestNetworkPeer network)
    {
        var keys = new TempDirectory();
        var host = await TestModules.StartIntermediateAsync(database.Database, Options(code, name, keys.Path, network));
        using var published = InstitutionKeys.LoadOrCreate(keys.Path);
        var info = new InstitutionInfo(code, name, InstitutionClass.Municipality, host.BaseAddress, published.SigningPublicKey, published.SealingPublicKey);
        network.Register(info);
        return new TestNode(code, name, database, keys, host, info);
    }

    public static IntermediateOptions Options(string code, string name, string keyDirectory, TestNetworkPeer network) => new()
        {
            HolderCode = code,
            HolderName = name,
            InstitutionKeyDirectory = keyDirectory,
            NetworkAddress = network.BaseAddress,
            NetworkSigningPublicKey = network.SigningPublicKey,
        };

    /// <summary>Registers a token request for <paramref name="addressee"/> and has the network deliver <paramref name="token"/> under it.</summary>
    public async Task BindAsync(TestNetworkPeer network, string person, long addressee, Token token)
    {
        var requestId = Guid.NewGuid();
        await Client.RegisterPendingTokenAsync(new PendingTokenRequest(requestId, Code, addressee, TestActors.Feed));
        using var delivered = await network.ClientFor(Host.BaseAddress, Code).PostAsJsonAsync(NodeRoutes.DeliverToken, new TokenDelivery(requestId, Code, token), JsonDefaults.Options);
        delivered.EnsureSuccessStatusCode();
        network.Issue(person, Code, token);
    }

    /// <summary>The node's provision records opened beside the running server (same database, same key), for reading and verifying.</summary>
    public PartyRecordLog OpenRecords()
    {
        using var keys = InstitutionKeys.LoadOrCreate(KeyDirectory.Path);
        return new PartyRecordLog(Database, Code, keys.Signing);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
        _keys.Dispose();
        TestDatabase.Dispose();
        KeyDirectory.Dispose();
    }
}

/// <summary>Two wards as network nodes — 品川区 asks, 大田区 provides — and the test network between them.</summary>
public sealed class NodePair : IAsyncDisposable
{
    public const string InquirerCode = "131091";
    public const string ProviderCode = "131113";

    private NodePair(TestNetworkPeer network, TestNode inquirer, TestNode provider)
    {
        Network = network;
        Inquirer = inquirer;
        Provider = provider;
    }

    public TestNetworkPeer Network { get; }
    public TestNode Inquirer { get; }
    public TestNode Provider { get; }

    public static async Task<NodePair> StartAsync(string databaseProvider)
    {
        var network = await TestNetworkPeer.StartAsync();
        var first = TestDatabase.Create(databaseProvider);
        var inquirer = await TestNode.StartAsync(InquirerCode, "品川区", first, network);
        var provider = await TestNode.StartAsync(ProviderCode, "大田区", first.Sibling(), network);
        return new NodePair(network, inquirer, provider);
    }

    public async ValueTask DisposeAsync()
    {
        await Inquirer.DisposeAsync();
        await Provider.DisposeAsync();
        await Network.DisposeAsync();
    }
}
