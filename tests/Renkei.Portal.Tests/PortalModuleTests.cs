using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.Portal.Tests;

/// <summary>
/// The portal as a module (issue 13): <see cref="PortalModule.AddPortal"/> and <see cref="PortalModule.MapPortal"/> start it
/// from configuration alone, and each setting that is wrong stops the start with a message naming the setting, before
/// anything listens or a key is made. The portal trusts no key a tree head carries: without the network's pinned
/// log-signing key it does not start (issue 19; the <c>Portal:NetworkLogPublicKey</c> rows).
/// </summary>
public sealed class PortalModuleTests
{
    private const string PortalName = "テスト市民ポータル";

    private static string NetworkKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
    }

    // Nothing listens at port 9: pages that need the network are not opened here.
    private static Dictionary<string, string?> Settings(string keyDirectory) => new()
    {
        ["Portal:InstitutionCode"] = "PORTAL",
        ["Portal:Name"] = PortalName,
        ["Portal:KeyDirectory"] = keyDirectory,
        ["Portal:NetworkAddress"] = "http://127.0.0.1:9/",
        ["Portal:JlisAddress"] = "http://127.0.0.1:9/",
        ["Portal:NetworkLogPublicKey"] = NetworkKey(),
        ["Portal:IdleTimeout"] = "00:05:00",
        ["Portal:Wards:0:Code"] = "131091",
        ["Portal:Wards:0:Name"] = "品川区",
        ["Portal:Wards:0:EApplicationAddress"] = "http://127.0.0.1:9/",
    };

    private static Task<ServiceHost> StartAsync(IReadOnlyDictionary<string, string?> settings, int port = 0) =>
        ServiceHost.StartAsync(PortalService.ServiceName, b => b.AddPortal(), a => a.MapPortal(), new ServiceHostOptions(port) { Settings = settings });

    [Fact]
    public async Task The_portal_starts_from_configuration_alone()
    {
        using var keys = new TempDirectory();
        var keyDirectory = Path.Combine(keys.Path, "portal");
        await using var host = await StartAsync(Settings(keyDirectory));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };

        var top = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, top.StatusCode);
        Assert.Contains(PortalName, await top.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(PortalService.AssetsPath + "portal.css")).StatusCode);
        var history = await http.GetAsync("/history");
        Assert.Equal(HttpStatusCode.Redirect, history.StatusCode); // a declared page: a resident session first
        Assert.Equal("/login", history.Headers.Location?.OriginalString);

        Assert.True(Directory.EnumerateFiles(keyDirectory).Any(), "the portal made its institution keys at start");
        var ward = Assert.Single(host.Services.GetRequiredService<IOptions<PortalOptions>>().Value.Wards);
        Assert.Equal(new PortalWard("131091", "品川区", new Uri("http://127.0.0.1:9/")), ward);
    }

    public static TheoryData<string, string?, string> WrongSettings => new()
    {
        { "Portal:InstitutionCode", null, "Portal:InstitutionCode" },
        { "Portal:Name", " ", "Portal:Name" },
        { "Portal:KeyDirectory", null, "Portal:KeyDirectory" },
        { "Portal:NetworkAddress", "network.example", "Portal:NetworkAddress" },
        { "Portal:JlisAddress", null, "Portal:JlisAddress" },
        { "Portal:NetworkLogPublicKey", null, "Portal:NetworkLogPublicKey" },
        { "Portal:NetworkLogPublicKey", "bm90LWEta2V5", "Portal:NetworkLogPublicKey" },
        { "Portal:IdleTimeout", "00:00:00", "Portal:IdleTimeout" },
        { "Portal:NetworkTimeout", "-00:00:01", "Portal:NetworkTimeout" },
        { "Portal:Wards:0:Code", "131092", "Portal:Wards:0:Code" }, // a wrong check digit
        { "Portal:Wards:0:EApplicationAddress", "ward.example", "Portal:Wards:0:EApplicationAddress" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public async Task A_wrong_setting_stops_the_start_and_names_the_setting(string key, string? value, string named)
    {
        using var keys = new TempDirectory();
        var keyDirectory = Path.Combine(keys.Path, "portal");
        await RefusedStart.SettingAsync<Exception>(StartAsync, Settings(keyDirectory), key, value, named, value is { Length: > 3 } ? value : null);
        Assert.False(Directory.Exists(keyDirectory), "a portal that did not start made no keys");
    }
}
