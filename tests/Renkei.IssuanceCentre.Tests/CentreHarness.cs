using System.Text;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Country;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Pki;
using Renkei.ServiceDefaults;
using Renkei.TestSupport;

namespace Renkei.IssuanceCentre.Tests;

/// <summary>
/// The issuance centre as the <see cref="CountryBuilder"/> starts it, with the real J-LIS (JPKI and cards) on loopback, on
/// SQLite or PostgreSQL: J-LIS knows 品川区 and 大田区, the centre is registered at J-LIS and pins the kiosk
/// <see cref="Kiosk"/>. Its participating ward 品川区 is <see cref="FakeWardIssuanceServer"/> (the centre's unit tests);
/// 大田区 does not take part. Cards are issued through J-LIS's card routes as a counter does.
/// </summary>
internal sealed class CentreHarness : IAsyncDisposable
{
    public const string Kiosk = "KIOSK-SHINAGAWA-01";
    public const string SecondKiosk = "KIOSK-SHINAGAWA-02";
    public const string UnpinnedKiosk = "KIOSK-UNKNOWN-99";
    public const string JpkiPassphrase = "issuance centre tests jpki passphrase";
    public static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    public static readonly LocalGovernmentCode Ota = LocalGovernmentCode.ParseOrThrow("131113");

    public static readonly CardPinSet Pins = new(
        CardPin.Parse(CardPinKind.UserAuthentication, "4821"),
        CardPin.Parse(CardPinKind.Signing, "RENKEI2026"),
        CardPin.Parse(CardPinKind.TextEntrySupport, "7302"),
        CardPin.Parse(CardPinKind.ResidentRegistry, "5519"));

    private static readonly IdentityCheck Identity = new("test-counter", IdentityDocument.DriversLicence);

    private readonly TestCountry _country;
    private int _nextCode = Random.Shared.Next(1_000, 900_000);

    private CentreHarness(TestCountry country, FakeWardIssuanceServer ward)
    {
        _country = country;
        Ward = ward;
    }

    public FakeWardIssuanceServer Ward { get; }
    public RunningCountry Running => _country.Running;
    public ServiceHost Centre => Running.IssuanceCentre!;
    public ServiceHost Jlis => _country.Jlis;
    public Database CentreDatabase => _country.Layout.IssuanceCentreDatabase();
    public Database JlisDatabase => _country.Layout.JlisDatabase();
    public string CentreCode => _country.Builder.IssuanceCentre!.Code;
    public string Directory => _country.Directory.Path;

    public static async Task<CentreHarness> StartAsync(string provider)
    {
        var country = TestCountry.Declare(provider, c => c
            .AddJlis(jlis =>
            {
                jlis.JpkiPassphrase = JpkiPassphrase;
                jlis.Settings["Jlis:Pki:KeyFileIterations"] = JpkiOptions.MinimumKeyFileIterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
            })
            .AddWard(Shinagawa, "品川区", NoServices)
            .AddWard(Ota, "大田区", NoServices)
            .AddIssuanceCentre());
        FakeWardIssuanceServer? ward = null;
        try
        {
            var centre = country.Builder.IssuanceCentre!;
            centre.PinKiosk(Kiosk, Path.Combine(country.Directory.Path, "kiosks", Kiosk));
            centre.PinKiosk(SecondKiosk, Path.Combine(country.Directory.Path, "kiosks", SecondKiosk));
            using (var keys = InstitutionKeys.LoadOrCreate(country.Layout.IssuanceCentreInstitutionKeyDirectory))
                ward = await FakeWardIssuanceServer.StartAsync(Shinagawa.Digits, centre.Code, keys.SigningPublicKey);
            // 品川区 takes part through the stand-in of its issuance server.
            centre.Settings["IssuanceCentre:Wards:0:Code"] = Shinagawa.Digits;
            centre.Settings["IssuanceCentre:Wards:0:Name"] = "品川区";
            centre.Settings["IssuanceCentre:Wards:0:Address"] = ward.Host.BaseAddress.ToString();
            await country.StartAsync();
            return new CentreHarness(country, ward);
        }
        catch
        {
            if (ward is not null) await ward.DisposeAsync();
            await country.DisposeAsync();
            throw;
        }
    }

    private static void NoServices(WardDeclaration ward) => (ward.Api.Enabled, ward.Intermediate.Enabled) = (false, false);

    /// <summary>The centre as <paramref name="kiosk"/> calls it, signing with the key in its directory (the pinned kiosk's by default).</summary>
    public IssuanceCentreHttpClient KioskClient(string kiosk = Kiosk)
    {
        var keys = _country.Own(InstitutionKeys.LoadOrCreate(Path.Combine(Directory, "kiosks", kiosk)));
        return new IssuanceCentreHttpClient(_country.Own(SigningHandler.CreateClient(Centre.BaseAddress, kiosk, keys.Signing, CentreCode)));
    }

    /// <summary>A resident of <paramref name="ward"/> with a designated number and a handed-over card (in memory).</summary>
    public async Task<(ResidentCode Code, IndividualNumber Number, SoftwareCard Card)> IssueCardAsync(LocalGovernmentCode ward)
    {
        var http = _country.JlisClientFor(ward);
        var code = ResidentCode.FromBody(4_700_000_000L + Interlocked.Increment(ref _nextCode));
        var number = (await new JlisHttpClient(http).DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), ward, code))).IndividualNumber;
        var holder = new CardHolderFacts(ward, number, "交付 花子", "東京都品川区広町二丁目1番36号", new DateOnly(1990, 2, 3), Sex.Female);
        var card = await new CardCounter(new CardHttpClient(http), "test-counter").IssueNewCardAsync(holder, new InMemoryCardMedium(), Pins, Identity);
        return (code, number, card);
    }

    /// <summary>The centre's log of the transaction, read from its database.</summary>
    public CentreTransaction? CentreLog(Guid transactionId) => new TransactionLog(CentreDatabase).Find(transactionId);

    /// <summary>J-LIS's card service as <paramref name="ward"/> asks it (suspend, resume).</summary>
    public CardHttpClient CardsOf(LocalGovernmentCode ward) => new(_country.JlisClientFor(ward));

    /// <summary>J-LIS's CAs opened on its database and key file (to revoke a certificate directly).</summary>
    public JpkiAuthority OpenAuthority() =>
        _country.Own(JpkiAuthority.Open(JlisDatabase, new JpkiOptions(_country.Layout.JpkiKeyDirectory, JpkiPassphrase)));

    /// <summary>A session request for a challenge the centre gave <paramref name="kiosk"/>, signed by the card after its PIN.</summary>
    public static async Task<KioskSessionRequest> ProofAsync(IssuanceCentreHttpClient centre, SoftwareCard card, string kiosk = Kiosk)
    {
        var challenge = (await centre.ChallengeAsync(new KioskChallengeRequest(kiosk))).Challenge;
        return Proof(card, challenge, kiosk);
    }

    public static KioskSessionRequest Proof(SoftwareCard card, string challenge, string kiosk = Kiosk) => new(kiosk, challenge,
        Convert.ToBase64String(card.Certificate(CardPinKind.UserAuthentication)!.RawData),
        Convert.ToBase64String(card.Sign(Pins.UserAuthentication, Encoding.UTF8.GetBytes(challenge))));

    public async ValueTask DisposeAsync()
    {
        await _country.DisposeAsync();
        await Ward.DisposeAsync();
    }
}
