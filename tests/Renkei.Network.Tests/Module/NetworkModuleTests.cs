using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Health;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Module;

/// <summary>The network as a module: it starts from configuration alone, and a wrong setting stops the start naming the setting.</summary>
public sealed class NetworkModuleTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_network_starts_from_configuration_alone(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var directory = new TempDirectory();
        using var ward = InstitutionKeys.LoadOrCreate(directory.File("ward"));
        var settings = Settings(database, directory);
        settings["Network:Institutions:0:Code"] = NetworkHarness.WardA;
        settings["Network:Institutions:0:Name"] = "品川区";
        settings["Network:Institutions:0:Class"] = nameof(InstitutionClass.Municipality);
        settings["Network:Institutions:0:Endpoint"] = "http://127.0.0.1:9/";
        settings["Network:Institutions:0:SigningPublicKey"] = ward.SigningPublicKey;
        settings["Network:Institutions:0:SealingPublicKey"] = ward.SealingPublicKey;
        settings["Network:AuditLog:CheckpointPeriod"] = "00:00:07";

        await using var host = await StartAsync(settings);
        var network = new NetworkNode(host);

        // The host's readiness check reaches the database the module registered from its setting.
        using (var probe = new HttpClient { BaseAddress = host.BaseAddress })
        {
            var ready = await probe.GetFromJsonAsync<HealthAnswer>(ServiceHealth.ReadyPath.TrimStart('/'), JsonDefaults.Options);
            Assert.Equal(("ready", "ok"), (ready!.Status, ready.Checks["database"]));
        }

        // A declared route answers: the institution from the settings asks the registry, signed with its key.
        using var http = SigningHandler.CreateClient(host.BaseAddress, NetworkHarness.WardA, ward.Signing, NodeRoutes.NetworkInstitutionCode);
        var found = await new NetworkHttpClient(http).LookupInstitutionAsync(new InstitutionLookupRequest(NetworkHarness.WardA));
        Assert.Equal(("品川区", InstitutionClass.Municipality, new Uri("http://127.0.0.1:9/")), (found.Name, found.Class, found.Endpoint));
        Assert.Equal(TimeSpan.FromSeconds(7), network.RecordsLogOptions.CheckpointPeriod);
        Assert.True(File.Exists(Path.Combine(directory.File("network-keys"), NetworkService.MasterKeyFileName)));

        // An unsigned caller is refused: the declarations came with the routes.
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var refused = await anonymous.PostAsJsonAsync(NetworkRoutes.InstitutionLookup, new InstitutionLookupRequest(NetworkHarness.WardA), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData("Network:Database", "mysql:Password=hunter2-not-echoed", "Network:Database")]
    [InlineData("Network:KeyDirectory", "", "Network:KeyDirectory")]
    [InlineData("Network:ProviderTimeout", "00:00:00", "Network:ProviderTimeout")]
    [InlineData("Network:DeliveryTimeout", "-00:00:01", "Network:DeliveryTimeout")]
    [InlineData("Network:BatchParallelism", "0", "Network:BatchParallelism")]
    [InlineData("Network:BulkProviderTimeout", "00:00:00", "Network:BulkProviderTimeout")]
    [InlineData("Network:BatchChunkSize", "-5", "Network:BatchChunkSize")]
    [InlineData("Network:BatchChunkSize", "1001", "Network:BatchChunkSize")]
    [InlineData("Network:BatchChunksInFlight", "0", "Network:BatchChunksInFlight")]
    [InlineData("Network:BatchChunksInFlight", "65", "Network:BatchChunksInFlight")]
    [InlineData("Network:BatchRetryInitial", "00:00:00", "Network:BatchRetryInitial")]
    [InlineData("Network:BatchRetryMax", "00:00:00.001", "Network:BatchRetryMax")]
    [InlineData("Network:TreeHeadInterval", "-00:00:01", "Network:TreeHeadInterval")]
    [InlineData("Network:Institutions:0:Name", "品川区", "Network:Institutions:0:Code")]
    public async Task A_wrong_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        await RefusedStart.SettingAsync<OptionsValidationException>(StartAsync, Settings(database, directory), key, value, named, value);
    }

    [Fact]
    public async Task An_institution_the_registry_refuses_stops_the_start_naming_it()
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        using var ward = InstitutionKeys.LoadOrCreate(directory.File("ward"));
        var settings = Settings(database, directory);
        settings["Network:Institutions:0:Code"] = NetworkHarness.WardA;
        settings["Network:Institutions:0:Name"] = "品川区";
        settings["Network:Institutions:0:Class"] = nameof(InstitutionClass.Municipality);
        settings["Network:Institutions:0:SigningPublicKey"] = "bm90IGEga2V5";
        settings["Network:Institutions:0:SealingPublicKey"] = ward.SealingPublicKey;

        await RefusedStart.AssertAsync<OptionsValidationException>(port => StartAsync(settings, port), ["Network:Institutions:0", "signing key"], "bm90IGEga2V5");
    }

    private static Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0) =>
        ServiceHost.StartAsync("network", b => b.AddNetwork(), a => a.MapNetworkApi(), new ServiceHostOptions(port) { Settings = settings });

    private static Dictionary<string, string?> Settings(TestDatabase database, TempDirectory directory) => new()
    {
        ["Network:Database"] = database.Setting,
        ["Network:KeyDirectory"] = directory.File("network-keys"),
    };
}
