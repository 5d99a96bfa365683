using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Renkei.Core.Json;
using Renkei.Country;
using Renkei.Infrastructure.Signing;
using Renkei.ServiceDefaults.Health;
using Renkei.TestSupport;

namespace Renkei.Kiosk.Tests;

/// <summary>
/// <c>renkei serve --role kiosk</c>: the role's name and sections, its starting file (its keys under the data directory, the
/// centre at a placeholder, the screen on loopback), and a file of its one section starting the terminal: the screen answers
/// the device's own browser, the public keys are the kiosk's (for the centre's <c>IssuanceCentre:Kiosks</c>).
/// </summary>
public sealed class KioskRoleTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_kiosk_file_starts_the_terminal_and_its_starting_file_names_its_keys_and_the_centre()
    {
        Assert.Equal(CountryRole.Kiosk, CountryRoles.Parse("kiosk"));
        Assert.Equal([KioskOptions.Section], CountryRoles.ModuleSections(CountryRole.Kiosk));

        var layout = new DataLayout(new DirectoryInfo(_directory.Path));
        var starting = CountryRoles.StartingSettings(CountryRole.Kiosk, layout, "KIOSK-SHINAGAWA-01", "品川駅前店");
        Assert.Equal(("KIOSK-SHINAGAWA-01", "品川駅前店", layout.KioskKeyDirectory("KIOSK-SHINAGAWA-01"), CountryRoles.PlaceholderIssuanceCentre.AbsoluteUri, "127.0.0.1"),
            (starting["Kiosk:Code"], starting["Kiosk:Location"], starting["Kiosk:KeyDirectory"], starting["Kiosk:CentreAddress"], starting["Serve:Listen:Address"]));

        var keys = _directory.File("keys");
        var path = _directory.File("kiosk.json");
        File.WriteAllText(path, new JsonObject
        {
            ["Kiosk"] = new JsonObject
            {
                ["Code"] = "KIOSK-1", ["Location"] = "品川駅前店", ["KeyDirectory"] = keys, ["CentreAddress"] = "http://127.0.0.1:9/", ["CentreCode"] = "ISSUANCE",
            },
            ["Serve"] = new JsonObject { ["Listen"] = new JsonObject { ["Port"] = 0 } },
        }.ToJsonString());
        await using (var running = await CountryRoles.StartAsync(CountryRole.Kiosk, CountryRoles.Load(path, CountryRole.Kiosk)))
        {
            using var http = new HttpClient { BaseAddress = running.Services[0].BaseAddress };
            Assert.Equal("ready", (await http.GetFromJsonAsync<HealthAnswer>(ServiceHealth.ReadyPath, JsonDefaults.Options))!.Status);
            var screen = await http.GetAsync(new Uri("/", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, screen.StatusCode);
            Assert.Contains("品川駅前店", await http.GetStringAsync(new Uri("/api/terminal", UriKind.Relative)), StringComparison.Ordinal);
        }
        // The keys the terminal made are the ones --public-keys names (the centre pins the signing key).
        Assert.Equal(("KIOSK-1", keys), CountryRoles.Institution(CountryRole.Kiosk, CountryRoles.Load(path, CountryRole.Kiosk)));
        using (var made = InstitutionKeys.LoadOrCreate(keys)) Assert.False(string.IsNullOrEmpty(made.SigningPublicKey));

        // A section of another role is refused by name, and a missing setting names itself.
        File.WriteAllText(path, new JsonObject { ["IssuanceCentre"] = new JsonObject { ["Code"] = "x" } }.ToJsonString());
        Assert.Contains("IssuanceCentre is not a section of --role kiosk",
            Assert.Throws<RoleConfigurationException>(() => CountryRoles.Load(path, CountryRole.Kiosk)).Message, StringComparison.Ordinal);
        File.WriteAllText(path, new JsonObject { ["Kiosk"] = new JsonObject { ["Code"] = "KIOSK-1" } }.ToJsonString());
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => CountryRoles.StartAsync(CountryRole.Kiosk, CountryRoles.Load(path, CountryRole.Kiosk)));
        Assert.Contains("Kiosk:CentreAddress", refused.Message, StringComparison.Ordinal);
    }
}
