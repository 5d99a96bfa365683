using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Jlis;
using Renkei.Municipality.Service;
using Renkei.Network.Contracts;
using Renkei.Portal;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Country;

/// <summary>
/// The country builder derives every link from what is declared (registrations at the network with the right keys and
/// endpoints, J-LIS's registry, pinned keys), and a country whose start is refused leaves nothing running.
/// </summary>
public sealed class CountryBuilderTests : IDisposable
{
    private static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    private readonly TempDirectory _directory = new();
    private readonly List<TestDatabase> _databases = [];

    private DataLayout Layout(string provider) => new(new DirectoryInfo(_directory.Path), _ =>
    {
        var database = TestDatabase.Create(provider);
        _databases.Add(database);
        return database.Database;
    });

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_links_follow_from_what_is_declared(string provider)
    {
        var layout = Layout(provider);
        await using var country = await new CountryBuilder(layout).AddNetwork().AddJlis().AddPortal()
            .AddWard(Shinagawa, "品川区", ward => ward.Console.Enabled = true)
            .StartAsync();

        var network = country.Network!;
        var ward = country.Ward(Shinagawa);
        using var wardKeys = InstitutionKeys.LoadOrCreate(ward.InstitutionKeyDirectory);
        using var portalKeys = InstitutionKeys.LoadOrCreate(layout.PortalInstitutionKeyDirectory);
        using var jlisKeys = InstitutionKeys.LoadOrCreate(layout.JlisInstitutionKeyDirectory);

        // The network knows each institution by its own keys; the ward's endpoint is its intermediate server.
        var registered = network.Registry.Find("131091")!;
        Assert.Equal((InstitutionClass.Municipality, ward.Intermediate!.BaseAddress, wardKeys.SigningPublicKey, wardKeys.SealingPublicKey),
            (registered.Class, registered.Endpoint, registered.SigningPublicKey, registered.SealingPublicKey));
        Assert.Equal(jlisKeys.SigningPublicKey, network.Registry.Find(JlisTokenRoutesCode)!.SigningPublicKey);
        Assert.Equal((InstitutionClass.Portal, (Uri?)null), (network.Registry.Find(PortalRoutes.DemoPortalCode)!.Class, network.Registry.Find(PortalRoutes.DemoPortalCode)!.Endpoint));

        // The intermediate server pins the network's key; the ward takes the portal's e-applications; J-LIS knows the ward.
        Assert.Equal(network.SigningPublicKey, Options<IntermediateOptions>(ward.Intermediate).NetworkSigningPublicKey);
        var wardOptions = Options<WardOptions>(ward.Api!);
        Assert.Equal(ward.Intermediate.BaseAddress, wardOptions.Tokens.IntermediateAddress);
        Assert.Equal(portalKeys.SigningPublicKey, Assert.Single(wardOptions.EApplicationPortals).PublicKey);
        Assert.Equal(wardKeys.SigningPublicKey, Assert.Single(Options<JlisOptions>(country.Jlis!).Institutions, i => i.Code == "131091").SigningPublicKey);
        Assert.Equal(ward.Api!.BaseAddress, Assert.Single(Options<PortalOptions>(country.Portal!).Wards).EApplicationAddress);

        // The API and the console share one staff directory and one operation log.
        Assert.Same(ward.OperationLog, ward.Api.Services.GetRequiredService<Renkei.Municipality.Audit.OperationLog>());
        Assert.Same(ward.OperationLog, ward.Console!.Services.GetRequiredService<Renkei.Municipality.Audit.OperationLog>());
        Assert.Same(ward.Staff, ward.Console.Services.GetRequiredService<Renkei.Municipality.Staff.StaffDirectory>());
        Assert.Equal(["network", "jlis", "portal", "ward-131091", "console-131091", "intermediate-131091"], country.Services.Select(s => s.Name));
        using var http = new HttpClient();
        foreach (var (_, host) in country.Services)
            Assert.True((await http.GetAsync(new Uri(host.BaseAddress, "health/live"))).IsSuccessStatusCode);
    }

    private const string JlisTokenRoutesCode = Renkei.Jlis.Contracts.JlisTokenRoutes.JlisInstitutionCode;

    [Fact]
    public async Task A_refused_service_stops_every_one_started_before_it()
    {
        var (networkPort, intermediatePort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var builder = new CountryBuilder(Layout("sqlite"))
            .AddNetwork(network => network.Port = networkPort)
            .AddJlis()
            .AddWard(Shinagawa, "品川区", ward =>
            {
                ward.Intermediate.Port = intermediatePort;
                ward.Api.Settings["Ward:SessionIdleTimeout"] = "-00:01:00";
            });

        var refused = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => builder.StartAsync());

        Assert.Contains("Ward:SessionIdleTimeout", refused.Message, StringComparison.Ordinal);
        Assert.False(LoopbackPorts.IsListening(networkPort), "the network stopped");
        Assert.False(LoopbackPorts.IsListening(intermediatePort), "the ward's intermediate server stopped");
    }

    private static T Options<T>(Renkei.ServiceDefaults.ServiceHost host) where T : class => host.Services.GetRequiredService<IOptions<T>>().Value;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var database in _databases) database.Dispose();
        _directory.Dispose();
    }
}
