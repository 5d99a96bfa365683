using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Options;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Health;
using Renkei.TestSupport;

namespace Renkei.IssuanceCentre.Tests;

/// <summary>
/// The centre as a module on its own host: it starts from its settings alone (its keys created, its database migrated,
/// ready when the database answers) and refuses to start on a wrong setting, naming it and not repeating it; its sessions
/// end when idle.
/// </summary>
public sealed class IssuanceCentreModuleTests
{
    [Fact]
    public async Task The_centre_starts_from_its_settings_and_is_ready_when_its_database_answers()
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        await using var host = await StartAsync(Settings(database, directory));
        using var http = new HttpClient { BaseAddress = host.BaseAddress };
        var ready = await http.GetFromJsonAsync<HealthAnswer>(ServiceHealth.ReadyPath, JsonDefaults.Options);
        Assert.Equal(("ready", "ok"), (ready!.Status, ready.Checks["database"]));
        Assert.True(File.Exists(Path.Combine(directory.File("centre-keys"), InstitutionKeys.SigningKeyFileName)));
        // An unsigned caller is refused: the kiosk routes declare their callers.
        using var refused = await http.PostAsJsonAsync(Contracts.IssuanceCentreRoutes.Challenges, new Contracts.KioskChallengeRequest("KIOSK-1"), JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Theory]
    [InlineData("IssuanceCentre:Database", "mysql:Password=hunter2-not-echoed", "IssuanceCentre:Database")]
    [InlineData("IssuanceCentre:Code", "centre", "IssuanceCentre:Code")]
    [InlineData("IssuanceCentre:KeyDirectory", "", "IssuanceCentre:KeyDirectory")]
    [InlineData("IssuanceCentre:JlisAddress", "jlis.example/", "IssuanceCentre:JlisAddress")]
    [InlineData("IssuanceCentre:SessionIdleTimeout", "00:00:00", "IssuanceCentre:SessionIdleTimeout")]
    [InlineData("IssuanceCentre:Wards:0:Code", "131092", "IssuanceCentre:Wards:0:Code")]
    [InlineData("IssuanceCentre:Wards:0:Address", "ftp://ward.example/", "IssuanceCentre:Wards:0:Address")]
    [InlineData("IssuanceCentre:Kiosks:0:PublicKey", "bm90IGEga2V5", "IssuanceCentre:Kiosks:0:PublicKey")]
    [InlineData("IssuanceCentre:Kiosks:0:Code", "kiosk 1", "IssuanceCentre:Kiosks:0:Code")]
    public async Task A_wrong_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        await RefusedStart.SettingAsync<OptionsValidationException>((s, port) => StartAsync(s, port), Settings(database, directory), key, value, named, value);
    }

    [Fact]
    public void A_session_ends_after_five_idle_minutes_and_belongs_to_its_kiosk()
    {
        var clock = new MovingClock(DateTimeOffset.UtcNow);
        var sessions = new KioskSessions(clock, TimeSpan.FromMinutes(5));
        var menu = new Municipality.Contracts.KioskMenu("131091", "品川区", true, null, []);
        var id = sessions.Open(new KioskSessionState("KIOSK-1", "131091", "47000000001", menu));
        Assert.Null(sessions.Find(id, "KIOSK-2"));
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.NotNull(sessions.Find(id, "KIOSK-1")); // used: the idle time starts again
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.NotNull(sessions.Find(id, "KIOSK-1"));
        clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Find(id, "KIOSK-1"));
        Assert.DoesNotContain("47000000001", new KioskSessionState("KIOSK-1", "131091", "47000000001", menu).ToString(), StringComparison.Ordinal);
    }

    private sealed class MovingClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private static Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0) =>
        ServiceHost.StartAsync("issuance-centre", b => b.AddIssuanceCentre(), a => a.MapIssuanceCentreApi(), new ServiceHostOptions(port) { Settings = settings });

    private static Dictionary<string, string?> Settings(TestDatabase database, TempDirectory directory)
    {
        using var kiosk = InstitutionKeys.LoadOrCreate(directory.File("kiosk-keys"));
        return new()
        {
            ["IssuanceCentre:Code"] = "ISSUANCE",
            ["IssuanceCentre:Database"] = database.Setting,
            ["IssuanceCentre:KeyDirectory"] = directory.File("centre-keys"),
            ["IssuanceCentre:JlisAddress"] = "http://127.0.0.1:9/",
            ["IssuanceCentre:Wards:0:Code"] = "131091",
            ["IssuanceCentre:Wards:0:Name"] = "品川区",
            ["IssuanceCentre:Wards:0:Address"] = "http://127.0.0.1:9/",
            ["IssuanceCentre:Kiosks:0:Code"] = "KIOSK-1",
            ["IssuanceCentre:Kiosks:0:PublicKey"] = kiosk.SigningPublicKey,
        };
    }
}
