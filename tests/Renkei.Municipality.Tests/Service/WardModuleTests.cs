using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Access;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Service;

/// <summary>
/// The ward's module as a composer uses it: <see cref="WardModule.AddWard"/> and <see cref="WardModule.MapWardApi"/> with
/// <c>Ward:*</c> settings and the staff directory and operation log registered, nothing else; a wrong setting stops the
/// start with a message naming it.
/// </summary>
public sealed class WardModuleTests
{
    private const string PortalCode = "PORTAL";

    /// <summary>The ward's own pieces the composer registers: staff directory (demo staff seeded) and operation log.</summary>
    private sealed class Composer : IAsyncDisposable
    {
        public Composer(string provider)
        {
            Database = TestDatabase.Create(provider);
            Staff = new StaffDirectory(Database.Database, AffairCatalogue.LoadDefault(), Keys.File("totp.key"),
                new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000) });
            Log = OperationLog.Open(Database.Database, TestData.Shinagawa, Keys.File("audit-signing.key"));
        }

        public TempDirectory Keys { get; } = new();
        public TestDatabase Database { get; }
        public StaffDirectory Staff { get; }
        public OperationLog Log { get; }

        public Dictionary<string, string?> Settings(Uri jlis) => new()
        {
            ["Ward:Database"] = Database.Setting,
            ["Ward:Code"] = TestData.Shinagawa.Digits,
            ["Ward:Name"] = "品川区",
            ["Ward:JlisAddress"] = jlis.ToString(),
            ["Ward:KeyDirectory"] = Keys.File("institution"),
        };

        public Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0, bool registerStaff = true, bool registerLog = true) =>
            ServiceHost.StartAsync("municipality-" + TestData.Shinagawa.Digits,
                builder =>
                {
                    if (registerStaff) builder.Services.AddSingleton(Staff);
                    if (registerLog) builder.Services.AddSingleton(Log);
                    builder.AddWard();
                },
                app => app.MapWardApi(),
                new ServiceHostOptions(port) { Settings = settings });

        public async ValueTask DisposeAsync()
        {
            await Log.DisposeAsync();
            Database.Dispose();
            Keys.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_ward_starts_from_its_settings_alone_and_serves_staff_J_LIS_and_the_pinned_portal(string provider)
    {
        await using var composer = new Composer(provider);
        var accounts = DemoStaff.Seed(composer.Staff, TestData.Shinagawa);
        using var jlisDb = composer.Database.Sibling();
        await using var jlis = await TestModules.StartJlisAsync(jlisDb.Database, new JlisOptions { KeyFilePath = composer.Keys.File("jlis-numbering.key") });
        JlisCallers.Register(jlisDb.Database, TestData.Shinagawa.Digits, JlisRoles.Municipality, composer.Keys.File("institution"), "品川区");
        using var portalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = composer.Settings(jlis.BaseAddress);
        settings["Ward:SessionIdleTimeout"] = "00:10:00";
        settings["Ward:EApplicationPortals:0:Code"] = PortalCode;
        settings["Ward:EApplicationPortals:0:PublicKey"] = Convert.ToBase64String(portalKey.ExportSubjectPublicKeyInfo());

        await using var ward = await composer.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = ward.BaseAddress };

        var health = JsonSerializer.Deserialize<MunicipalityHealth>(await http.GetStringAsync(MunicipalityRoutes.Health), JsonDefaults.Options)!;
        Assert.Equal(("ok", TestData.Shinagawa.Digits, "品川区"), (health.Status, health.Municipality, health.Name));

        // Staff from the registered directory log in; the session lasts the configured idle time.
        var clerk = accounts.Single(a => a.Id.Value == "jumin01");
        var before = DateTimeOffset.UtcNow;
        var login = await PostAsync<StaffLoginResponse>(http, MunicipalityRoutes.StaffSessions,
            new StaffLoginRequest(clerk.Id.Value, clerk.Password, clerk.CodeAt(DateTimeOffset.UtcNow)), token: null, HttpStatusCode.OK);
        Assert.InRange(login.ExpiresAt - before, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        await PostAsync<StaffSessionState>(http, MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest("resident-register"), login.Token,
            HttpStatusCode.OK);

        // An arrival from abroad takes its code and number from J-LIS at Ward:JlisAddress, signed with the keys in Ward:KeyDirectory.
        var arrival = await PostAsync<RegisterEventResult>(http, MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("高橋", "誠", "タカハシ", "マコト", new DateOnly(1980, 3, 3), Sex.Male), "東京都品川区西五反田二丁目8番1号", null,
            Relationship.Head, new DateOnly(2024, 5, 1), "カナダ"), login.Token, HttpStatusCode.Created);
        Assert.NotNull(new ResidentRegister(composer.Database.Database, TestData.Shinagawa).Find(arrival.ResidentId)!.IndividualNumber);
        Assert.Contains(composer.Log.Read(), r => r.Entry.StaffId == "jumin01" && r.Entry.Action == OperationAction.Change);

        // The inbox takes calls from the portal pinned in Ward:EApplicationPortals (its body is then read: 400), no one else's.
        using (var pinned = SigningHandler.CreateClient(ward.BaseAddress, PortalCode, portalKey, TestData.Shinagawa.Digits))
        using (var response = await pinned.PostAsync(EApplicationRoutes.Submit, new StringContent("{}", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(EApplicationRefusalCodes.BadDocument, await response.Content.ReadAsStringAsync());
        }
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var impostor = SigningHandler.CreateClient(ward.BaseAddress, PortalCode, otherKey, TestData.Shinagawa.Digits))
        using (var response = await impostor.PostAsync(EApplicationRoutes.Submit, new StringContent("{}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Each setting the ward validates, a wrong value for it, and what the failure must name (null value: the setting is left out).</summary>
    public static TheoryData<string, string?, string> WrongSettings => new()
    {
        { "Ward:Database", null, "Ward:Database is required" },
        { "Ward:Database", "mysql:Server=db;Password=hunter2-secret", "Ward:Database must start with sqlite: or postgres:" },
        { "Ward:Code", null, "Ward:Code is required" },
        { "Ward:Code", "131092", "Ward:Code is not a local government code" },
        { "Ward:Code", TestData.Ota.Digits, "Ward:Code is not the municipality of the registered operation log" },
        { "Ward:Name", " ", "Ward:Name is required" },
        { "Ward:SessionIdleTimeout", "00:00:00", "Ward:SessionIdleTimeout must be positive" },
        { "Ward:JlisAddress", null, "Ward:JlisAddress is required" },
        { "Ward:JlisAddress", "ftp://jlis.example/", "Ward:JlisAddress must be an absolute http or https address" },
        { "Ward:KeyDirectory", null, "Ward:KeyDirectory is required" },
        { "Ward:JlisTimeout", "-00:00:01", "Ward:JlisTimeout must be positive" },
        { "Ward:Tokens:IntermediateAddress", "intermediate/tokens", "Ward:Tokens:IntermediateAddress must be an absolute http or https address" },
        { "Ward:Tokens:JlisAddress", "ftp://jlis.example/", "Ward:Tokens:JlisAddress must be an absolute http or https address" },
        { "Ward:Tokens:Timeout", "00:00:00", "Ward:Tokens:Timeout must be positive" },
        { "Ward:EApplicationPortals:0:PublicKey", "bm90IGEga2V5", "Ward:EApplicationPortals:0:PublicKey is not an EC public key" },
        { "Ward:EApplicationPortals:0:Code", null, "Ward:EApplicationPortals:0:Code is required" },
        { "Ward:EApplicationPortals:1:Code", PortalCode, "Ward:EApplicationPortals:1:Code names a portal already pinned" },
        { "Ward:IssuanceCentre:PublicKey", "bm90IGEga2V5", "Ward:IssuanceCentre:PublicKey is not an EC public key" },
        { "Ward:IssuanceCentre:Code", PortalCode, "Ward:IssuanceCentre:Code names a pinned e-application portal" },
        { "Ward:Kiosk:File", "/nonexistent-renkei/kiosk-service-x.json", "Ward:Kiosk:File: kiosk-service-x.json: cannot be read" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task A_wrong_setting_stops_the_start_naming_the_setting_and_nothing_listens(string key, string? value, string expected)
    {
        await using var composer = new Composer("sqlite");
        using var portalKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var settings = composer.Settings(new Uri("http://127.0.0.1:9/"));
        settings["Ward:EApplicationPortals:0:Code"] = PortalCode;
        settings["Ward:EApplicationPortals:0:PublicKey"] = Convert.ToBase64String(portalKey.ExportSubjectPublicKeyInfo());
        if (key.StartsWith("Ward:EApplicationPortals:1:", StringComparison.Ordinal))
            settings["Ward:EApplicationPortals:1:PublicKey"] = settings["Ward:EApplicationPortals:0:PublicKey"];
        await RefusedStart.SettingAsync<OptionsValidationException>((s, port) => composer.StartAsync(s, port), settings, key, value, expected,
            value is { Length: > 3 } ? value : null);
    }

    [Fact]
    public async Task Without_the_staff_directory_and_the_operation_log_registered_the_ward_does_not_start()
    {
        await using var composer = new Composer("sqlite");

        await RefusedStart.AssertAsync<OptionsValidationException>(port =>
                composer.StartAsync(composer.Settings(new Uri("http://127.0.0.1:9/")), port, registerStaff: false, registerLog: false),
            ["Ward: no StaffDirectory is registered", "Ward: no OperationLog is registered"]);
    }

    [Fact]
    public async Task A_database_the_composer_registers_needs_no_database_setting()
    {
        await using var composer = new Composer("sqlite");
        var settings = composer.Settings(new Uri("http://127.0.0.1:9/"));
        settings.Remove("Ward:Database");

        await using var ward = await ServiceHost.StartAsync("municipality-" + TestData.Shinagawa.Digits,
            builder =>
            {
                builder.Services.AddSingleton(composer.Database.Database).AddSingleton(composer.Staff).AddSingleton(composer.Log);
                builder.AddWard();
            },
            app => app.MapWardApi(), new ServiceHostOptions { Settings = settings });

        Assert.Same(composer.Database.Database, ward.Services.GetRequiredService<Database>());
        using var http = new HttpClient { BaseAddress = ward.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(MunicipalityRoutes.Health)).StatusCode);
    }

    private static async Task<T> PostAsync<T>(HttpClient http, string route, object body, string? token, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = JsonContent.Create(body, body.GetType(), options: JsonDefaults.Options) };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{route}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, JsonDefaults.Options)!;
    }
}
