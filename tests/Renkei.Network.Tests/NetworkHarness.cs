using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using Renkei.TestSupport;

namespace Renkei.Network.Tests;

/// <summary>
/// A network on a test database with real HTTP peers: J-LIS (asks for tokens), two wards and a pension organisation
/// (<see cref="TestInstitutionNode"/>s that receive tokens and answer queries) and the portal. Institutions call the network
/// through <see cref="NetworkHttpClient"/> with a <see cref="SigningHandler"/>, as they do in production.
/// </summary>
public sealed class NetworkHarness : IAsyncDisposable
{
    public const string JlisCode = "JLIS00";
    public const string WardA = "131091";
    public const string WardB = "131113";
    public const string PensionCode = "JPN001";
    public const string PortalCode = "PORTAL";

    private readonly TempDirectory _directory = new();
    private readonly Action<NetworkOptions>? _configure;
    private readonly List<HttpClient> _clients = [];

    private NetworkHarness(TestDatabase database, Action<NetworkOptions>? configure)
    {
        Database = database;
        _configure = configure;
        Jlis = InstitutionKeys.LoadOrCreate(_directory.File("jlis"));
        Portal = new TestInstitutionNode(PortalCode, InstitutionClass.Portal, InstitutionKeys.LoadOrCreate(_directory.File("portal")));
        A = new TestInstitutionNode(WardA, InstitutionClass.Municipality, InstitutionKeys.LoadOrCreate(_directory.File(WardA)));
        B = new TestInstitutionNode(WardB, InstitutionClass.Municipality, InstitutionKeys.LoadOrCreate(_directory.File(WardB)));
        Pension = new TestInstitutionNode(PensionCode, InstitutionClass.PensionOrganisation, InstitutionKeys.LoadOrCreate(_directory.File(PensionCode)));
    }

    public TestDatabase Database { get; }
    public NetworkNode Network { get; private set; } = null!;
    public InstitutionKeys Jlis { get; }
    /// <summary>The portal: registered without an endpoint (it provides nothing); its tokens come back sealed to it through J-LIS.</summary>
    public TestInstitutionNode Portal { get; }
    public TestInstitutionNode A { get; }
    public TestInstitutionNode B { get; }
    public TestInstitutionNode Pension { get; }
    public string KeyDirectory => _directory.File("network-keys");
    public RecordingTap Tap { get; } = new();

    public static Task<NetworkHarness> StartAsync(string provider, Action<NetworkOptions>? configure = null) =>
        StartAsync(TestDatabase.Create(provider), configure);

    /// <summary>A harness on <paramref name="database"/>, which it disposes.</summary>
    public static async Task<NetworkHarness> StartAsync(TestDatabase database, Action<NetworkOptions>? configure = null)
    {
        var harness = new NetworkHarness(database, configure);
        try
        {
            foreach (var node in harness.Nodes) await node.StartAsync();
            await harness.StartNetworkAsync();
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    public IEnumerable<TestInstitutionNode> Nodes => [A, B, Pension, Portal];

    public NetworkOptions Options()
    {
        var options = new NetworkOptions
        {
            KeyDirectory = KeyDirectory,
            Institutions =
            [
                .. new[]
                {
                    new InstitutionInfo(JlisCode, "地方公共団体情報システム機構", InstitutionClass.NumberingAuthority, null, Jlis.SigningPublicKey, Jlis.SealingPublicKey),
                    A.Info, B.Info, Pension.Info, Portal.Info with { Endpoint = null },
                }.Select(InstitutionSetting.From),
            ],
            ProviderTimeout = TimeSpan.FromSeconds(2),
            BatchRetryInitial = TimeSpan.FromMilliseconds(100),
            BatchRetryMax = TimeSpan.FromMilliseconds(400),
        };
        _configure?.Invoke(options);
        return options;
    }

    /// <summary>The network as this harness runs it: its database and the recording tap registered, <see cref="Options"/> as settings.</summary>
    public Task<NetworkNode> StartNetworkNodeAsync() =>
        NetworkNode.StartAsync(Options(), services => services.AddSingleton(Database.Database).AddSingleton<IMessageTap>(Tap));

    public async Task StartNetworkAsync()
    {
        Network = await StartNetworkNodeAsync();
        foreach (var node in Nodes) node.NetworkKey = Network.SigningPublicKey;
    }

    public async Task RestartNetworkAsync()
    {
        await Network.DisposeAsync();
        await StartNetworkAsync();
    }

    /// <summary>A client that signs as <paramref name="code"/> with <paramref name="keys"/>.</summary>
    public NetworkHttpClient Client(string code, InstitutionKeys keys)
    {
        var http = SigningHandler.CreateClient(Network.BaseAddress, code, keys.Signing, NodeRoutes.NetworkInstitutionCode);
        _clients.Add(http);
        return new NetworkHttpClient(http);
    }

    public NetworkHttpClient ClientOf(TestInstitutionNode node) => Client(node.Code, node.Keys);

    /// <summary>Posts <paramref name="request"/> to <paramref name="route"/> signed by <paramref name="node"/>; returns the status and the raw body text.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> RawPostAsync<T>(TestInstitutionNode node, string route, T request)
    {
        var http = SigningHandler.CreateClient(Network.BaseAddress, node.Code, node.Keys.Signing, NodeRoutes.NetworkInstitutionCode);
        _clients.Add(http);
        using var response = await http.PostAsJsonAsync(route, request, Renkei.Core.Json.JsonDefaults.Options);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Has J-LIS issue <paramref name="node"/>'s token for the person with <paramref name="code"/>; returns the token the node received.</summary>
    public async Task<Token> IssueAsync(TestInstitutionNode node, ResidentCode code)
    {
        var requestId = Guid.NewGuid();
        var response = await Client(JlisCode, Jlis).IssueTokenAsync(new IssueTokenRequest(requestId, node.Code, code));
        if (node.Class == InstitutionClass.Portal)
        {
            Assert.False(response.Delivered);
            return OpenPortalToken(response);
        }
        Assert.True(response.Delivered);
        return node.DeliveredTokens[requestId];
    }

    /// <summary>Opens the portal's sealed token with the portal's sealing key, as the portal does.</summary>
    public Token OpenPortalToken(IssueTokenResponse response) =>
        Token.ParseOrThrow(Encoding.UTF8.GetString(MessageSealing.Open(Portal.Keys.Sealing, response.SealedToken!,
            MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(response.RequestId, PortalCode)))));

    public static ResidentCode Person(int n) => ResidentCode.FromBody(4_000_000_000L + n * 7919L);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) client.Dispose();
        if (Network is not null) await Network.DisposeAsync();
        foreach (var node in Nodes) await node.DisposeAsync();
        Jlis.Dispose();
        Database.Dispose();
        _directory.Dispose();
    }

    /// <summary>Keeps every body the network received, as text.</summary>
    public sealed class RecordingTap : IMessageTap
    {
        public ConcurrentQueue<(string Route, string? Institution, string Body)> Messages { get; } = new();

        public void Received(string route, string? institution, ReadOnlySpan<byte> body) =>
            Messages.Enqueue((route, institution, Encoding.UTF8.GetString(body)));
    }
}
