using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tests.Cards;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Portal;

/// <summary>
/// The real information provision network and J-LIS with token, JPKI and card routes, a preset of the
/// <see cref="TestCountry"/>, each on its own database, over HTTP on loopback. The network's registry holds J-LIS, the
/// portal (class Portal, no node) and 品川区 (its intermediate server as node). Cards are issued through J-LIS's card
/// routes as a counter does; the portal and the ward call J-LIS signed with their own keys.
/// </summary>
public sealed class PortalLoginHarness : IAsyncDisposable
{
    public const string PortalCode = PortalRoutes.DemoPortalCode;
    public const string WardCode = "131091";
    public const string JpkiPassphrase = "correct horse battery staple";
    public static readonly LocalGovernmentCode Ward = LocalGovernmentCode.ParseOrThrow(WardCode);

    private readonly TestCountry _country;
    private int _nextCode = Random.Shared.Next(1_000, 900_000);

    private PortalLoginHarness(TestCountry country)
    {
        _country = country;
        JlisKeys = Own(InstitutionKeys.LoadOrCreate(country.Layout.JlisInstitutionKeyDirectory));
        PortalKeys = Own(InstitutionKeys.LoadOrCreate(country.Layout.PortalInstitutionKeyDirectory));
        WardKeys = Own(InstitutionKeys.LoadOrCreate(country.Layout.MunicipalityInstitutionKeyDirectory(Ward)));
        // The portal is registered without an endpoint (it provides nothing); its tokens come back sealed to it through J-LIS.
        Network.Registry.Upsert(new InstitutionInfo(PortalCode, "マイナポータル", InstitutionClass.Portal, null, PortalKeys.SigningPublicKey, PortalKeys.SealingPublicKey));
        // The ward's counter and numbering sign as the ward (J-LIS knows every ward of the country).
        var ward = country.JlisClientFor(Ward);
        Counter = new CardCounter(new CardHttpClient(ward), "shinagawa-clerk-07");
        Numbering = new JlisHttpClient(ward);
    }

    public Database JlisDatabase => _country.Layout.JlisDatabase();
    public InstitutionKeys JlisKeys { get; }
    public InstitutionKeys PortalKeys { get; }
    public InstitutionKeys WardKeys { get; }
    public NetworkNode Network => _country.Network;
    public ServiceHost Jlis => _country.Jlis;
    public CardCounter Counter { get; }
    public JlisHttpClient Numbering { get; }

    private string JpkiKeyDirectory => _country.Layout.JpkiKeyDirectory;

    public static async Task<PortalLoginHarness> StartAsync(string provider)
    {
        var country = await TestCountry.StartAsync(provider, c => c.AddNetwork()
            .AddJlis(jlis =>
            {
                jlis.JpkiPassphrase = JpkiPassphrase;
                jlis.Settings["Jlis:Pki:KeyFileIterations"] = JpkiOptions.MinimumKeyFileIterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
            })
            .AddWard(Ward, "品川区", ward => ward.Api.Enabled = false));
        try
        {
            return new PortalLoginHarness(country);
        }
        catch
        {
            await country.DisposeAsync();
            throw;
        }
    }

    /// <summary>A resident with a designated number and a handed-over card (in memory) with both certificates.</summary>
    public async Task<(ResidentCode Code, SoftwareCard Card)> IssueCardAsync()
    {
        var (code, card, _) = await IssueCardWithNumberAsync();
        return (code, card);
    }

    /// <summary><see cref="IssueCardAsync"/> with the number J-LIS designated (what a ward the resident moves to presents).</summary>
    public async Task<(ResidentCode Code, SoftwareCard Card, IndividualNumber Number)> IssueCardWithNumberAsync()
    {
        var code = ResidentCode.FromBody(4_800_000_000L + Interlocked.Increment(ref _nextCode));
        var number = (await Numbering.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Ward, code))).IndividualNumber;
        var holder = new CardHolderFacts(Ward, number, "番号 太郎", "東京都品川区広町二丁目1番36号", new DateOnly(1985, 4, 2), Sex.Male);
        var card = await Counter.IssueNewCardAsync(holder, new InMemoryCardMedium(), CardHarness.Pins(), CardHarness.Identity);
        return (code, card, number);
    }

    /// <summary>A J-LIS client that signs as <paramref name="institution"/>.</summary>
    public JlisHttpClient SignedClient(string institution, InstitutionKeys keys) =>
        new(Own(SigningHandler.CreateClient(Jlis.BaseAddress, institution, keys.Signing, JlisTokenRoutes.JlisInstitutionCode)));

    public JlisHttpClient PortalClient() => SignedClient(PortalCode, PortalKeys);

    /// <summary>Posts a request to J-LIS signed as <paramref name="institution"/>; the status and raw body.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> RawPostAsync<T>(string institution, InstitutionKeys keys, string route, T request)
    {
        var http = Own(SigningHandler.CreateClient(Jlis.BaseAddress, institution, keys.Signing, JlisTokenRoutes.JlisInstitutionCode));
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The login proof a portal would send: the card's user certificate and its signature over <paramref name="challenge"/>.</summary>
    public static PortalTokenRequest Proof(Guid requestId, SoftwareCard card, string challenge, string portal = PortalCode) => new(requestId, portal,
        Convert.ToBase64String(card.Certificate(CardPinKind.UserAuthentication)!.RawData), challenge,
        Convert.ToBase64String(card.Sign(CardHarness.Pin(CardPinKind.UserAuthentication, CardHarness.UserPin), Encoding.UTF8.GetBytes(challenge))));

    /// <summary>Opens a portal token J-LIS handed on, as the portal does.</summary>
    public Token OpenPortalToken(PortalTokenResponse response) =>
        Token.ParseOrThrow(Encoding.UTF8.GetString(MessageSealing.Open(PortalKeys.Sealing, response.SealedToken,
            MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(response.RequestId, PortalCode)))));

    /// <summary>The portal's token for <paramref name="code"/> asked of the network directly, signed as J-LIS (what a login must yield).</summary>
    public async Task<Token> PortalTokenFromNetworkAsync(ResidentCode code)
    {
        var network = new NetworkHttpClient(Own(SigningHandler.CreateClient(Network.BaseAddress, JlisTokenRoutes.JlisInstitutionCode, JlisKeys.Signing, NodeRoutes.NetworkInstitutionCode)));
        var issued = await network.IssueTokenAsync(new IssueTokenRequest(Guid.NewGuid(), PortalCode, code));
        return Token.ParseOrThrow(Encoding.UTF8.GetString(MessageSealing.Open(PortalKeys.Sealing, issued.SealedToken!,
            MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(issued.RequestId, PortalCode)))));
    }

    /// <summary>J-LIS's CAs opened again on its database and key file (as another J-LIS process would), to revoke or issue directly.</summary>
    public JpkiAuthority OpenAuthority() =>
        Own(JpkiAuthority.Open(JlisDatabase, new JpkiOptions(JpkiKeyDirectory, JpkiPassphrase)));

    /// <summary>The card operation records of <paramref name="eventName"/>: (card, operator, detail), oldest first.</summary>
    public List<(string Card, string Operator, string? Detail)> CardEvents(string eventName)
    {
        using var c = JlisDatabase.Open();
        using var select = c.Command("SELECT card_number, operator, detail FROM card_events WHERE event = @e ORDER BY event_id");
        using var reader = select.With("e", eventName).ExecuteReader();
        var rows = new List<(string, string, string?)>();
        while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), reader.NullableString(2)));
        return rows;
    }

    /// <summary>The country's temporary directory (key directories of further callers go under it).</summary>
    public string Directory => _country.Directory.Path;

    public T Own<T>(T disposable) where T : class, IDisposable => _country.Own(disposable);

    public ValueTask DisposeAsync() => _country.DisposeAsync();
}
