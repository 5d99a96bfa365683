using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Holders.Contracts;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.Holders.Tests;

/// <summary>
/// The holder as a module (issue 13): <see cref="HolderModule.AddHolder"/> and <see cref="HolderModule.MapHolderApi"/> start it
/// from configuration alone, and each setting that is wrong stops the start with a message naming the setting.
/// </summary>
public sealed class HolderModuleTests
{
    private static Dictionary<string, string?> Settings(string database, string keyDirectory) => new()
    {
        ["Holder:Kind"] = nameof(HolderKind.HealthInsurer),
        ["Holder:InstitutionCode"] = HolderInstitutions.DemoInsurerCode,
        ["Holder:Name"] = HolderInstitutions.DemoInsurerName,
        ["Holder:Database"] = database,
        ["Holder:KeyDirectory"] = keyDirectory,
        // Not called while the test runs: the copies of a new record wait for the next feed.
        ["Holder:IntermediateAddress"] = "http://127.0.0.1:9/",
        ["Holder:AuditCheckpointPeriod"] = "00:00:01",
    };

    private static Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0) =>
        ServiceHost.StartAsync("holder", b => b.AddHolder(), a => a.MapHolderApi(), new ServiceHostOptions(port) { Settings = settings });

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_holder_starts_from_configuration_alone(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var keys = new TempDirectory();
        await using var host = await StartAsync(Settings(database.Setting, keys.Path));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        var health = await http.GetFromJsonAsync<Dictionary<string, string>>(HolderRoutes.Health, JsonDefaults.Options);
        Assert.Equal("ok", health!["status"]);
        Assert.Equal(HolderInstitutions.DemoInsurerCode, health["institution"]);
        Assert.Equal("healthInsurer", health["kind"]);
        // The database the module made from Holder:Database is the one readiness checks.
        using var ready = await http.GetAsync(ServiceDefaults.Health.ServiceHealth.ReadyPath);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ok", (await ready.Content.ReadFromJsonAsync<ServiceDefaults.Health.HealthAnswer>(JsonDefaults.Options))!.Checks["database"]);

        // The insurer's routes are mapped, the pension organisation's are not; the staff key the module created opens them.
        using var anonymous = await http.PostAsJsonAsync(HolderRoutes.LookupPerson, new { individualNumber = "123456789018" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var staff = new HolderStaffClient(http, File.ReadAllBytes(Path.Combine(keys.Path, HolderRoutes.StaffKeyFileName)));
        var number = IndividualNumber.FromBody(12_345_678);
        var recorded = await staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), number,
            Intermediate.Contracts.HealthInsuranceMemberCategory.Insured, new DateOnly(2024, 4, 1)));
        Assert.True(recorded.Created);
        Assert.False(recorded.CopyFed); // no intermediate server listens: the next feed sends the copy
        Assert.Equal(recorded.PersonId, (await staff.LookupAsync(new PersonLookupRequest(number))).PersonId);
        using var pension = await http.PostAsJsonAsync(HolderRoutes.PensionRecord, new { });
        Assert.Equal(HttpStatusCode.NotFound, pension.StatusCode);
    }

    public static TheoryData<string, string?, string> WrongSettings => new()
    {
        { "Holder:Kind", null, "Holder:Kind" },
        { "Holder:InstitutionCode", "jps-1", "Holder:InstitutionCode" },
        { "Holder:InstitutionCode", "JPS001", "Holder:InstitutionCode" }, // an insurer's code is its 8-digit insurer number
        { "Holder:Name", " ", "Holder:Name" },
        { "Holder:KeyDirectory", null, "Holder:KeyDirectory" },
        { "Holder:Database", null, "Holder:Database" },
        { "Holder:Database", "mysql:Server=db;Password=hunter2-secret", "Holder:Database" },
        { "Holder:IntermediateAddress", "intermediate.example", "Holder:IntermediateAddress" },
        { "Holder:JlisAddress", "ftp://jlis.example/", "Holder:JlisAddress" },
        { "Holder:InsurerType", "99", "Holder:InsurerType" },
        { "Holder:AuditCheckpointPeriod", "00:10:00", "Holder:AuditCheckpointPeriod" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task A_wrong_setting_stops_the_start_and_names_the_setting(string key, string? value, string named)
    {
        using var database = TestDatabase.CreateSqlite();
        using var keys = new TempDirectory();
        var keyDirectory = Path.Combine(keys.Path, "holder");
        await RefusedStart.SettingAsync<Exception>(StartAsync, Settings(database.Setting, keyDirectory), key, value, named, "hunter2-secret");
        Assert.False(Directory.Exists(keyDirectory), "a holder that did not start made no keys");
    }
}
