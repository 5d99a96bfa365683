using System.Text;
using Microsoft.Playwright;
using Renkei.Cli;
using Renkei.Cli.Commands;
using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Network.Contracts;
using Renkei.TestSupport.Browser;
using Renkei.TestSupport;

namespace Renkei.Portal.Tests;

/// <summary>
/// A small demo country seeded and run in-process exactly as <c>renkei demo --scenario attachments</c> does (network, J-LIS
/// with its JPKI CAs and card service, three wards, two holders, the portal), with the attachments scenario walked, and one
/// headless Chromium. Every service talks real HTTP on loopback.
/// </summary>
public sealed class PortalCountry : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly BrowserFixture _browser = new();

    internal DataLayout Layout { get; private set; } = null!;
    internal DemoCountry Country { get; private set; } = null!;
    internal AttachmentScenarioResult Scenario { get; private set; } = null!;

    public Uri Portal => Country.Portal.BaseAddress;
    public IBrowser Browser => _browser.Browser;

    public async Task InitializeAsync()
    {
        Layout = new DataLayout(new DirectoryInfo(_data.Path));
        var generator = new DemoCountryGenerator(6, 900);
        Country = await DemoCountry.StartAsync(Layout, generator.Wards, CancellationToken.None);
        await DemoCommand.SeedAsync(Layout, Country, generator, CancellationToken.None);
        Scenario = await AttachmentScenario.RunAsync(Country, Layout, TextWriter.Null, CancellationToken.None);
        await _browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        if (Country is not null) await Country.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A fresh browser context (own cookies and localStorage) on the portal; <paramref name="width"/> 375 for a phone.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 1280) => Chromium.NewContextAsync(Browser, new BrowserNewContextOptions
    {
        BaseURL = Portal.ToString(),
        Locale = "ja-JP",
        TimezoneId = "Asia/Tokyo",
        ViewportSize = new ViewportSize { Width = width, Height = 900 },
        AcceptDownloads = true,
    });

    /// <summary>Demo card files other than the scenario parent's, in a stable order.</summary>
    public IReadOnlyList<string> OtherCards() =>
        Directory.GetFiles(DemoCards.Directory(Layout), "*.card", SearchOption.AllDirectories)
            .Where(f => Path.GetFullPath(f) != Path.GetFullPath(Scenario.ParentCardFile)).Order(StringComparer.Ordinal).ToList();

    /// <summary>J-LIS's card service as the ward of the card's holder asks it (the demo keeps each ward's cards in a folder named by its code).</summary>
    public CardHttpClient CardServiceFor(string cardFile) =>
        Country.JlisFor(LocalGovernmentCode.ParseOrThrow(new DirectoryInfo(Path.GetDirectoryName(cardFile)!).Name)).Cards;

    /// <summary>
    /// The provision records the network holds about the person a card belongs to, asked independently of the portal under
    /// test: a second portal-class institution (its own keys, registered here) logs the card in at J-LIS and asks the network.
    /// </summary>
    public async Task<IReadOnlyList<ProvisionRecord>> NetworkRecordsAboutAsync(string cardFile)
    {
        const string code = "PORTALCK";
        var keyDirectory = Path.Combine(_data.Path, "check-portal-keys");
        using var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
        Country.Network.Registry.Upsert(new InstitutionInfo(code, "検査用ポータル", InstitutionClass.Portal, null, keys.SigningPublicKey, keys.SealingPublicKey));

        var card = SoftwareCard.Open(new SoftwareCardFile(cardFile));
        var challenge = CardLoginChallenge.Create(code, TimeProvider.System);
        var signature = card.Sign(CardPin.Parse(CardPinKind.UserAuthentication, DemoCards.UserPin), Encoding.UTF8.GetBytes(challenge.Text));
        var certificate = Convert.ToBase64String(card.Certificate(CardPinKind.UserAuthentication)!.RawData);
        using var jlisHttp = SigningHandler.CreateClient(Country.JlisAddress, code, keys.Signing, JlisTokenRoutes.JlisInstitutionCode);
        var requestId = Guid.NewGuid();
        var answer = await new JlisHttpClient(jlisHttp).PortalTokenAsync(
            new PortalTokenRequest(requestId, code, certificate, challenge.Text, Convert.ToBase64String(signature)));
        var digits = MessageSealing.Open(keys.Sealing, answer.SealedToken,
            MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(requestId, code)));
        var token = Token.ParseOrThrow(Encoding.UTF8.GetString(digits));

        using var networkHttp = SigningHandler.CreateClient(Country.Network.BaseAddress, code, keys.Signing, NodeRoutes.NetworkInstitutionCode);
        return (await new NetworkHttpClient(networkHttp).ProvisionRecordsAsync(new ProvisionRecordQuery(code, token, null, null))).Records;
    }
}

[CollectionDefinition(Name)]
public sealed class PortalCountryCollection : ICollectionFixture<PortalCountry>
{
    public const string Name = "portal demo country";
}
