using Renkei.Cli.Commands;
using Renkei.Core.Cards;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Registry;

namespace Renkei.Cli.Demo;

/// <summary>
/// The demo's individual number cards (個人番号カード): a share of each ward's residents apply, J-LIS issues, and the card
/// is handed over at the counter with the identity check recorded and the demo PINs set. Each card is a software card
/// file under <c>&lt;data&gt;/cards/&lt;ward&gt;/&lt;resident id&gt;.card</c> (never named by number), for the portal and the
/// kiosk. Every card key pair is generated on the card (RSA-2048), which is why the demo issues a few dozen cards, not
/// one per resident.
/// </summary>
internal static class DemoCards
{
    /// <summary>Cards per ward. DEMO ONLY: every demo card has the same, published PINs (<see cref="Pins"/>).</summary>
    public const int PerWard = 6;

    public const string UserPin = "1234";
    public const string SigningPin = "RENKEI2026";

    public static CardPinSet Pins => new(
        CardPin.Parse(CardPinKind.UserAuthentication, UserPin),
        CardPin.Parse(CardPinKind.Signing, SigningPin),
        CardPin.Parse(CardPinKind.TextEntrySupport, UserPin),
        CardPin.Parse(CardPinKind.ResidentRegistry, UserPin));

    public static string Directory(DataLayout layout) => Path.Combine(layout.Root.FullName, "cards");

    /// <summary>
    /// Issues cards to the members of the households that moved (the scenario family is among them) and to every n-th
    /// other resident, up to <see cref="PerWard"/> per ward. Returns how many cards were handed over.
    /// </summary>
    public static async Task<int> IssueAsync(DataLayout layout, DemoCountry country, IReadOnlyList<MovedPerson> moved, CancellationToken cancellationToken)
    {
        var identity = new IdentityCheck("demo-counter", IdentityDocument.DriversLicence);
        var issued = 0;
        foreach (var ward in country.Wards)
        {
            var counter = new CardCounter(country.JlisFor(ward.Descriptor.Code).Cards, "demo-counter");
            var movedHere = moved.Where(m => m.To == ward.Descriptor.Code).Select(m => m.ResidentCode).ToHashSet();
            var addressees = new AddresseeSystem(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = "renkei-demo" });
            var residents = addressees.Population().Select(m => ward.Register.Find(m.ResidentId)).OfType<Resident>()
                .Where(r => r.IndividualNumber is not null).ToList();
            var chosen = residents.Where(r => movedHere.Contains(r.ResidentCode))
                .Concat(residents.Where(r => !movedHere.Contains(r.ResidentCode)).Where((_, i) => i % 37 == 0))
                .Take(PerWard).ToList();
            var files = chosen.ToDictionary(r => Facts(ward, r), r => FileOf(layout, ward, r));
            await counter.IssueNewCardsAsync(files.Keys, holder => new SoftwareCardFile(files[holder]), Pins, identity, ct: cancellationToken);
            issued += files.Count;
        }
        return issued;
    }

    /// <summary>
    /// The card file of <paramref name="resident"/> at <paramref name="ward"/>: the existing one, or a card applied for, issued
    /// and handed over now (the scenario's parent, who arrived without one). Returns the file's path.
    /// </summary>
    public static async Task<string> EnsureCardAsync(DataLayout layout, DemoCountry country, RunningWard ward, Resident resident, CancellationToken cancellationToken)
    {
        var file = FileOf(layout, ward, resident);
        if (File.Exists(file)) return file;
        var counter = new CardCounter(country.JlisFor(ward.Descriptor.Code).Cards, "demo-counter");
        await counter.IssueNewCardAsync(Facts(ward, resident), new SoftwareCardFile(file), Pins,
            new IdentityCheck("demo-counter", IdentityDocument.DriversLicence), ct: cancellationToken);
        return file;
    }

    private static string FileOf(DataLayout layout, RunningWard ward, Resident resident)
    {
        var folder = Path.Combine(Directory(layout), ward.Descriptor.Code.Digits);
        Infrastructure.PrivateFiles.CreateDirectory(folder);
        return Path.Combine(folder, resident.Id + ".card");
    }

    private static CardHolderFacts Facts(RunningWard ward, Resident r) => new(ward.Descriptor.Code, r.IndividualNumber!.Value,
        r.Name.FamilyName + " " + r.Name.GivenName, r.Address, r.BirthDate, r.Sex);
}
