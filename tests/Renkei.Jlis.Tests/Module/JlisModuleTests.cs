using Microsoft.Extensions.Options;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Pki;
using Renkei.ServiceDefaults;
using Renkei.ServiceDefaults.Health;
using Renkei.Core.Json;
using System.Net.Http.Json;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Module;

/// <summary>J-LIS as a module: it starts from configuration alone, and a wrong setting stops the start naming the setting.</summary>
public sealed class JlisModuleTests
{
    private const string Passphrase = "module-test-passphrase";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task J_LIS_starts_from_configuration_alone_with_tokens_pki_and_its_institutions(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var directory = new TempDirectory();
        var ward = directory.File("ward");
        string wardKey;
        using (var keys = InstitutionKeys.LoadOrCreate(ward)) wardKey = keys.SigningPublicKey;
        var settings = Settings(database, directory, tokens: true, pki: true);
        settings["Jlis:Institutions:0:Code"] = JlisHarness.Shinagawa.Digits;
        settings["Jlis:Institutions:0:Name"] = "品川区";
        settings["Jlis:Institutions:0:Role"] = JlisRoles.Municipality;
        settings["Jlis:Institutions:0:SigningPublicKey"] = wardKey;
        await using var host = await StartAsync(settings);

        // The host's readiness check reaches the database the module registered from its setting.
        using (var probe = new HttpClient { BaseAddress = host.BaseAddress })
        {
            var ready = await probe.GetFromJsonAsync<HealthAnswer>(ServiceHealth.ReadyPath.TrimStart('/'), JsonDefaults.Options);
            Assert.Equal(("ready", "ok"), (ready!.Status, ready.Checks["database"]));
        }

        var patterns = host.Routes.Select(r => r.Pattern.TrimStart('/')).ToHashSet();
        Assert.Contains(JlisTokenRoutes.Request, patterns);
        Assert.Contains(PkiRoutes.RootCertificate, patterns);
        Assert.Contains(PortalLoginRoutes.PortalToken, patterns);

        // The CAs were made with the passphrase from the settings and publish their root; the ward from the settings numbers a resident.
        using var anonymous = new HttpClient { BaseAddress = host.BaseAddress };
        using var root = await new JpkiHttpClient(anonymous).RootCertificateAsync();
        Assert.True(File.Exists(Path.Combine(directory.File("jpki"), JpkiOptions.KeyFileName)));
        using var http = JlisCallers.Client(host.BaseAddress, JlisHarness.Shinagawa.Digits, ward);
        var code = JlisHarness.RandomCodes(1, 5)[0];
        var assigned = await new JlisHttpClient(http).DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), JlisHarness.Shinagawa, code));
        Assert.Equal(code, assigned.ResidentCode);
    }

    [Fact]
    public async Task Without_the_token_and_pki_sections_J_LIS_serves_numbering_only()
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        await using var host = await StartAsync(Settings(database, directory, tokens: false, pki: false));
        var patterns = host.Routes.Select(r => r.Pattern.TrimStart('/')).ToHashSet();
        Assert.Contains(JlisRoutes.DeriveNumber, patterns);
        Assert.DoesNotContain(JlisTokenRoutes.Request, patterns);
        Assert.DoesNotContain(PkiRoutes.RootCertificate, patterns);
        Assert.False(Directory.Exists(directory.File("jpki")));
    }

    [Theory]
    [InlineData("Jlis:Database", "mysql:Password=hunter2-not-echoed", "Jlis:Database")]
    [InlineData("Jlis:KeyFilePath", "", "Jlis:KeyFilePath")]
    [InlineData("Jlis:Tokens:NetworkAddress", "not/absolute", "Jlis:Tokens:NetworkAddress")]
    [InlineData("Jlis:Tokens:KeyDirectory", "", "Jlis:Tokens:KeyDirectory")]
    [InlineData("Jlis:Tokens:InstitutionCode", "", "Jlis:Tokens:InstitutionCode")]
    [InlineData("Jlis:Tokens:InstitutionCacheTime", "-00:00:01", "Jlis:Tokens:InstitutionCacheTime")]
    [InlineData("Jlis:Tokens:NetworkTimeout", "00:00:00", "Jlis:Tokens:NetworkTimeout")]
    [InlineData("Jlis:Pki:KeyDirectory", "", "Jlis:Pki:KeyDirectory")]
    [InlineData("Jlis:Pki:Passphrase", "", "Jlis:Pki:Passphrase")]
    [InlineData("Jlis:Pki:DistributionBaseAddress", "not/absolute", "Jlis:Pki:DistributionBaseAddress")]
    [InlineData("Jlis:Pki:KeyFileIterations", "1000", "Jlis:Pki:KeyFileIterations")]
    [InlineData("Jlis:Pki:CrlValidity", "00:00:00", "Jlis:Pki:CrlValidity")]
    public async Task A_wrong_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        await RefusedStart.SettingAsync<OptionsValidationException>(StartAsync, Settings(database, directory, tokens: true, pki: true), key, value, named, Passphrase);
    }

    [Fact]
    public async Task An_institution_the_registry_refuses_stops_the_start_naming_it()
    {
        using var database = TestDatabase.CreateSqlite();
        using var directory = new TempDirectory();
        var settings = Settings(database, directory, tokens: false, pki: false);
        settings["Jlis:Institutions:0:Code"] = JlisHarness.Shinagawa.Digits;
        settings["Jlis:Institutions:0:Name"] = "品川区";
        settings["Jlis:Institutions:0:Role"] = JlisRoles.Municipality;
        settings["Jlis:Institutions:0:SigningPublicKey"] = "bm90IGEga2V5";

        await RefusedStart.AssertAsync<OptionsValidationException>(port => StartAsync(settings, port), ["Jlis:Institutions:0", "signingPublicKey"], "bm90IGEga2V5");
    }

    private static Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0) =>
        ServiceHost.StartAsync("jlis", b => b.AddJlis(), a => a.MapJlisApi(), new ServiceHostOptions(port) { Settings = settings });

    private static Dictionary<string, string?> Settings(TestDatabase database, TempDirectory directory, bool tokens, bool pki)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jlis:Database"] = database.Setting,
            ["Jlis:KeyFilePath"] = directory.File("numbering.key"),
        };
        if (tokens)
        {
            // Nothing listens there: J-LIS asks the network only when an institution asks for a token.
            settings["Jlis:Tokens:NetworkAddress"] = "http://127.0.0.1:9/";
            settings["Jlis:Tokens:KeyDirectory"] = directory.File("jlis-institution");
        }
        if (pki)
        {
            settings["Jlis:Pki:KeyDirectory"] = directory.File("jpki");
            settings["Jlis:Pki:Passphrase"] = Passphrase;
            settings["Jlis:Pki:KeyFileIterations"] = JpkiOptions.MinimumKeyFileIterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return settings;
    }
}
