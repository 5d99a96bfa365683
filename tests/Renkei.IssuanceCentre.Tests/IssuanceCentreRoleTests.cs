using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Renkei.Core.Json;
using Renkei.Country;
using Renkei.Infrastructure.Signing;
using Renkei.ServiceDefaults.Health;
using Renkei.TestSupport;

namespace Renkei.IssuanceCentre.Tests;

/// <summary>
/// <c>renkei serve --role issuance-centre</c>: the role's name, its starting file (its database and keys under the data
/// directory, J-LIS at a placeholder), and a file of its one section starting the centre, ready when its database answers.
/// </summary>
public sealed class IssuanceCentreRoleTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_centre_file_starts_the_centre_and_its_starting_file_names_its_own_database_and_keys()
    {
        Assert.Equal(CountryRole.IssuanceCentre, CountryRoles.Parse("issuance-centre"));
        Assert.Contains("issuance-centre", CountryRoles.Names);
        Assert.Equal([IssuanceCentreOptions.Section], CountryRoles.ModuleSections(CountryRole.IssuanceCentre));

        var layout = new DataLayout(new DirectoryInfo(_directory.Path));
        var starting = CountryRoles.StartingSettings(CountryRole.IssuanceCentre, layout, null, null);
        Assert.Equal((IssuanceCentreDeclaration.DemoCode, "sqlite:" + layout.IssuanceCentreDatabaseFile, layout.IssuanceCentreInstitutionKeyDirectory),
            (starting["IssuanceCentre:Code"], starting["IssuanceCentre:Database"], starting["IssuanceCentre:KeyDirectory"]));

        using var kiosk = InstitutionKeys.LoadOrCreate(_directory.File("kiosk"));
        var path = _directory.File("centre.json");
        File.WriteAllText(path, new JsonObject
        {
            ["IssuanceCentre"] = new JsonObject
            {
                ["Code"] = "ISSUANCE", ["Database"] = "sqlite:" + _directory.File("centre.db"), ["KeyDirectory"] = _directory.File("keys"),
                ["JlisAddress"] = "http://127.0.0.1:9/",
                ["Wards"] = new JsonArray(new JsonObject { ["Code"] = "131091", ["Name"] = "品川区", ["Address"] = "http://127.0.0.1:9/" }),
                ["Kiosks"] = new JsonArray(new JsonObject { ["Code"] = "KIOSK-1", ["PublicKey"] = kiosk.SigningPublicKey }),
            },
            ["Serve"] = new JsonObject { ["Listen"] = new JsonObject { ["Port"] = 0 } },
        }.ToJsonString());
        await using var running = await CountryRoles.StartAsync(CountryRole.IssuanceCentre, CountryRoles.Load(path, CountryRole.IssuanceCentre));
        using var http = new HttpClient { BaseAddress = running.Services[0].BaseAddress };
        var ready = await http.GetFromJsonAsync<HealthAnswer>(ServiceHealth.ReadyPath, JsonDefaults.Options);
        Assert.Equal("ready", ready!.Status);
        Assert.Equal(("ISSUANCE", _directory.File("keys")), CountryRoles.Institution(CountryRole.IssuanceCentre, CountryRoles.Load(path, CountryRole.IssuanceCentre)));

        // A section of another role is refused by name.
        File.WriteAllText(path, new JsonObject { ["Portal"] = new JsonObject { ["Name"] = "x" } }.ToJsonString());
        var refused = Assert.Throws<RoleConfigurationException>(() => CountryRoles.Load(path, CountryRole.IssuanceCentre));
        Assert.Contains("Portal is not a section of --role issuance-centre", refused.Message, StringComparison.Ordinal);
    }
}
