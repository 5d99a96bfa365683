using Renkei.Core.Numbers;

namespace Renkei.Cli.Demo;

/// <summary>
/// One ward of the demo country. <paramref name="Share"/> is its fraction of the demo population
/// (the three shares sum to 1, in proportion to the real populations: 品川区 ~0.42M, 大田区 ~0.74M, 板橋区 ~0.57M).
/// </summary>
public sealed record DemoWard(LocalGovernmentCode Code, string Name, double Share)
{
    /// <summary>Prefecture and ward as addresses begin: 東京都品川区.</summary>
    public string AddressPrefix => "東京都" + Name;

    public static readonly DemoWard Shinagawa = new(LocalGovernmentCode.ParseOrThrow("131091"), "品川区", 0.42 / 1.73);
    public static readonly DemoWard Ota = new(LocalGovernmentCode.ParseOrThrow("131113"), "大田区", 0.74 / 1.73);
    public static readonly DemoWard Itabashi = new(LocalGovernmentCode.ParseOrThrow("131199"), "板橋区", 0.57 / 1.73);

    /// <summary>The three wards in generation order (品川, 大田, 板橋).</summary>
    public static IReadOnlyList<DemoWard> All { get; } = [Shinagawa, Ota, Itabashi];

    /// <summary>The demo ward with this code.</summary>
    /// <exception cref="ArgumentException">not one of the three demo wards</exception>
    public static DemoWard ByCode(LocalGovernmentCode code) =>
        All.FirstOrDefault(w => w.Code == code) ?? throw new ArgumentException("not a demo ward: " + code.Digits, nameof(code));
}

/// <summary>
/// A planned move of a whole household between two demo wards (転出 from <paramref name="From"/>, 転入 into
/// <paramref name="To"/>), to be applied after initial numbering: every member of household
/// <paramref name="HouseholdNumber"/> of the departure ward moves on <paramref name="Date"/> to
/// <paramref name="NewAddress"/> (inside <paramref name="To"/>) and keeps their resident-record code and number.
/// The arrival ward assigns its own household number.
/// </summary>
public sealed record DemoMove(LocalGovernmentCode From, LocalGovernmentCode To, string HouseholdNumber, DateOnly Date, string NewAddress);
