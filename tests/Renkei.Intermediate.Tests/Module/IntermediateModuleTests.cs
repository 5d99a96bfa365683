using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Node;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Health;
using Renkei.Core.Json;
using System.Net.Http.Json;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests.Module;

/// <summary>The intermediate server as a module: it starts from configuration alone, and a wrong setting stops the start naming the setting.</summary>
public sealed class IntermediateModuleTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_copies_only_server_starts_from_configuration_alone(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var directory = new TempDirectory();
        await using var host = await StartAsync(Settings(database, directory));
        Assert.Null(host.Services.GetService<IntermediateNode>());

        // The host's readiness check reaches the database the module registered from its setting.
        using (var probe = new HttpClient { BaseAddress = host.BaseAddress })
        {
            var ready = await probe.GetFromJsonAsync<HealthAnswer>(ServiceHealth.ReadyPath.TrimStart('/'), JsonDefaults.Options);
            Assert.Equal(("ready", "ok"), (ready!.Status, ready.Checks["database"]));
        }

        // The holder's own systems load a copy and have it provided, signed with the institution key from the settings.
        using var keys = InstitutionKeys.LoadOrCreate(directory.File("keys"));
        using var http = SigningHandler.CreateClient(host.BaseAddress, Holder, keys.Signing, Holder);
        var client = new IntermediateHttpClient(http);
        var stored = await client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(42), TestActors.Feed));
        Assert.Equal(CopyUpdateOutcome.Created, stored.Outcome);
        var answer = await client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, 42, null, InformationKindCodes.LocalTax, null, TestActors.Feed));
        Assert.Equal(ProvisionOutcome.Provided, answer.Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task With_the_network_settings_the_server_is_its_institutions_node(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var directory = new TempDirectory();
        using var network = InstitutionKeys.LoadOrCreate(directory.File("network"));
        var settings = Settings(database, directory);
        settings["Intermediate:NetworkAddress"] = "http://127.0.0.1:9/";
        settings["Intermediate:NetworkSigningPublicKey"] = network.SigningPublicKey;
        settings["Intermediate:AuditLog:CheckpointPeriod"] = "00:00:09";
        await using var host = await StartAsync(settings);

        var node = host.Services.GetRequiredService<IntermediateNode>();
        using var keys = InstitutionKeys.LoadOrCreate(directory.File("keys"));
        Assert.Equal(keys.SigningPublicKey, node.Keys.SigningPublicKey);
        Assert.Equal(TimeSpan.FromSeconds(9), node.Records.Store.Options.CheckpointPeriod);
    }

    [Theory]
    [InlineData("Intermediate:Database", "mysql:Password=hunter2-not-echoed", "Intermediate:Database")]
    [InlineData("Intermediate:HolderCode", "", "Intermediate:HolderCode")]
    [InlineData("Intermediate:HolderName", "", "Intermediate:HolderName")]
    [InlineData("Intermediate:InstitutionKeyDirectory", "", "Intermediate:InstitutionKeyDirectory")]
    [InlineData("Intermediate:NetworkTimeout", "00:00:00", "Intermediate:NetworkTimeout")]
    [InlineData("Intermediate:NetworkAddress", "http://127.0.0.1:9/", "Intermediate:NetworkSigningPublicKey")]
    [InlineData("Intermediate:NetworkSigningPublicKey", "bm90IGEga2V5", "Intermediate:NetworkSigningPublicKey")]
    [InlineData("Intermediate:NetworkAddress", "not/absolute", "Intermediate:NetworkAddress")]
    public async Task A_wrong_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        await RefusedStart.SettingAsync<OptionsValidationException>(StartAsync, Settings(database, directory), key, value, named);
    }

    private static Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0) =>
        ServiceHost.StartAsync("intermediate", b => b.AddIntermediate(), a => a.MapIntermediateApi(), new ServiceHostOptions(port) { Settings = settings });

    private static Dictionary<string, string?> Settings(TestDatabase database, TempDirectory directory) => new()
    {
        ["Intermediate:Database"] = database.Setting,
        ["Intermediate:HolderCode"] = Holder,
        ["Intermediate:HolderName"] = HolderName,
        ["Intermediate:InstitutionKeyDirectory"] = directory.File("keys"),
    };
}
