using Microsoft.AspNetCore.Builder;
using Renkei.Core.Cards;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Cards;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Institutions;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tests.Pki;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tests.Cards;

/// <summary>
/// J-LIS's card service with its numbering and JPKI authority on a throw-away database, on a clock the test moves,
/// served over HTTP on loopback (card and JPKI routes), with a municipal counter terminal talking to it.
/// </summary>
public sealed class CardHarness : IAsyncDisposable
{
    public const string Passphrase = "correct horse battery staple";
    public static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    public static readonly IdentityCheck Identity = new("shinagawa-clerk-07", IdentityDocument.DriversLicence);

    public const string UserPin = "4821";
    public const string SigningPin = "RENKEI2026";
    public const string TextPin = "7302";
    public const string RegistryPin = "5519";

    private readonly TestDatabase _database;
    private readonly TempDirectory _directory;
    private readonly InstitutionKeys _keys;
    private int _nextCode = 1_000;

    private CardHarness(TestDatabase database, TempDirectory directory, TestClock clock, NumberingService numbering, JpkiAuthority authority,
        InstitutionKeys keys, CardService service, ServiceHost host)
    {
        _database = database;
        _directory = directory;
        Clock = clock;
        Numbering = numbering;
        Authority = authority;
        _keys = keys;
        Service = service;
        Host = host;
        Http = ClientAs(Shinagawa.Digits, JlisRoles.Municipality);
        Cards = new CardHttpClient(Http);
        Pki = new JpkiHttpClient(Http);
        Counter = new CardCounter(Cards, "shinagawa-clerk-07");
    }

    /// <summary>大田区: another ward, registered at J-LIS, whose residents the tests' holders are not.</summary>
    public static readonly LocalGovernmentCode Ota = LocalGovernmentCode.ParseOrThrow("131113");

    /// <summary>The card call centre's institution code in the tests.</summary>
    public const string CallCentre = "JLISCC";

    private readonly List<HttpClient> _owned = [];

    /// <summary>
    /// A client signing as <paramref name="code"/> (registered at J-LIS with <paramref name="role"/> first), e.g. another
    /// ward or the call centre; the harness disposes it.
    /// </summary>
    public HttpClient ClientAs(string code, string role)
    {
        var http = JlisCallers.Client(Host.BaseAddress, code, _directory.File(Path.Combine("institutions", code)), Database, role);
        _owned.Add(http);
        return http;
    }

    /// <summary>An unsigned client: nobody J-LIS knows.</summary>
    public HttpClient Anonymous()
    {
        var http = new HttpClient { BaseAddress = Host.BaseAddress };
        _owned.Add(http);
        return http;
    }

    public TestClock Clock { get; }
    public NumberingService Numbering { get; }
    public JpkiAuthority Authority { get; }
    public CardService Service { get; }
    public ServiceHost Host { get; }
    public HttpClient Http { get; }
    public CardHttpClient Cards { get; }
    public JpkiHttpClient Pki { get; }
    public CardCounter Counter { get; }
    public Database Database => _database.Database;

    /// <summary>Starts on 2026-01-05 10:00 in Japan unless told otherwise.</summary>
    public static async Task<CardHarness> StartAsync(string provider, DateTimeOffset? now = null)
    {
        var database = TestDatabase.Create(provider);
        var directory = new TempDirectory();
        var clock = new TestClock(now ?? new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(9)));
        var numbering = NumberingService.Open(database.Database, directory.File("numbering.key"));
        var options = new JpkiOptions(Path.Combine(directory.Path, "keys", "jpki"), Passphrase) { KeyFileIterations = JpkiOptions.MinimumKeyFileIterations };
        var authority = JpkiAuthority.OpenOrCreate(database.Database, options, clock);
        var keys = CardService.LoadKeys(options);
        var service = new CardService(database.Database, numbering, authority, keys, clock);
        var host = await ServiceHost.StartAsync("jlis-cards", _ => { }, app =>
        {
            CardEndpoints.Map(app, service);
            JpkiEndpoints.Map(app, authority);
            JlisInstitutions.Use(app, database.Database);
        });
        return new CardHarness(database, directory, clock, numbering, authority, keys, service, host);
    }

    /// <summary>A resident with a designated number (as the municipality's register would hold them).</summary>
    public CardHolderFacts NewHolder(DateOnly birthDate, string name = "番号 花子", string address = "東京都品川区広町二丁目1番36号", Sex sex = Sex.Female)
    {
        var code = ResidentCode.FromBody(4_700_000_000L + Interlocked.Increment(ref _nextCode));
        var number = Numbering.DeriveNumber(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code)).IndividualNumber;
        return new CardHolderFacts(Shinagawa, number, name, address, birthDate, sex);
    }

    public static CardPinSet Pins(bool signing = true) => new(
        CardPin.Parse(CardPinKind.UserAuthentication, UserPin),
        signing ? CardPin.Parse(CardPinKind.Signing, SigningPin) : null,
        CardPin.Parse(CardPinKind.TextEntrySupport, TextPin),
        CardPin.Parse(CardPinKind.ResidentRegistry, RegistryPin));

    public SoftwareCardFile CardFile(string name) => new(_directory.File(Path.Combine("cards", name + ".card")));

    /// <summary>Application, issuance and handover for a new holder; the card is a file in the test directory.</summary>
    public async Task<(CardHolderFacts Holder, SoftwareCard Card)> IssueCardAsync(DateOnly birthDate, string file = "card", bool signing = true)
    {
        var holder = NewHolder(birthDate);
        var card = await Counter.IssueNewCardAsync(holder, CardFile(file), Pins(signing), Identity);
        return (holder, card);
    }

    public static CardPin Pin(CardPinKind kind, string text) => CardPin.Parse(kind, text);

    /// <summary>Every row of every card_ table as text (for scanning what J-LIS stored).</summary>
    public string DumpCardTables()
    {
        var text = new System.Text.StringBuilder();
        using var c = Database.Open();
        foreach (var table in new[] { "card_applications", "card_cards", "card_events", "card_requests" })
        {
            using var select = c.Command($"SELECT * FROM {table}");
            using var reader = select.ExecuteReader();
            while (reader.Read())
                for (var i = 0; i < reader.FieldCount; i++) text.Append(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) owned.Dispose();
        await Host.DisposeAsync();
        _keys.Dispose();
        Authority.Dispose();
        Numbering.Dispose();
        _database.Dispose();
        _directory.Dispose();
    }
}
