using System.Globalization;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Demo;

/// <summary>
/// Deterministic generator of the demo country's residents: three Tokyo wards (品川区, 大田区, 板橋区) with realistic
/// households, names, ages, addresses and ~3% foreign residents, plus a list of planned moves between the wards.
/// <para>
/// Same seed and size give exactly the same output on every machine and runtime (own SplitMix64, no
/// <see cref="System.Random"/>, no clock). Each ward is streamed lazily in constant memory, household by household
/// (head first, members consecutive), and each household is generated from its own counter-based random stream, so
/// household counts and moves can be computed without generating names.
/// </para>
/// <para>
/// Resident-record codes (住民票コード) are unique across the country by construction: the person with country-wide
/// index i (品川 first, then 大田, then 板橋) gets body (a·i + b) mod 10^10 with a seeded multiplier a coprime to 10^10.
/// Indices from <see cref="TotalResidents"/> upward are never used by generated residents; <see cref="ResidentCodeAt"/>
/// hands them out collision-free for later births and arrivals from abroad.
/// </para>
/// Individual numbers are left empty: J-LIS assigns them during initial numbering (初期一斉指定).
/// </summary>
public sealed class DemoCountryGenerator
{
    /// <summary>"Today" of the demo country unless another date is given: ages and residence dates are relative to it.</summary>
    public static readonly DateOnly DefaultReferenceDate = new(2026, 1, 1);

    public const int MinimumResidents = 10;
    public const int MaxHouseholdSize = 6;

    /// <summary>Share of planned moves among a ward's households (at least <see cref="MinimumMovesPerWard"/>).</summary>
    public const double MoveRate = 0.005;
    public const int MinimumMovesPerWard = 2;

    /// <summary>Every ward receives a family with a child younger than this (児童手当 for an arriving household).</summary>
    public const int YoungChildAge = 15;

    private const long HouseholdNumberBase = 1_000_000_000L; // ten-digit household numbers 1xxxxxxxxx
    private const long HouseholdNumberSpace = 1_000_000_000L;

    /// <summary>Foreign residents entered the resident register when the amended Act came into force (2012-07-09).</summary>
    private static readonly DateOnly ForeignResidentsRegisteredFrom = new(2012, 7, 9);

    private static readonly DemoTowns[] WardTowns = [DemoTowns.Shinagawa, DemoTowns.Ota, DemoTowns.Itabashi];

    private readonly ulong _key;
    private readonly long _codeMultiplier;
    private readonly long _codeOffset;
    private readonly long[] _householdMultiplier;
    private readonly long[] _householdOffset;
    private readonly int[] _targets;
    private readonly long[] _firstIndex;
    private readonly int[] _householdCounts;
    private readonly Lazy<IReadOnlyList<DemoMove>> _moves;

    /// <param name="seed">any value; different seeds give different people, codes and moves</param>
    /// <param name="totalResidents">people in the whole demo country, split across the wards by <see cref="DemoWard.Share"/></param>
    /// <param name="referenceDate">the demo country's "today" (default <see cref="DefaultReferenceDate"/>)</param>
    public DemoCountryGenerator(int seed, int totalResidents, DateOnly? referenceDate = null)
    {
        if (totalResidents < MinimumResidents)
            throw new ArgumentOutOfRangeException(nameof(totalResidents), $"the demo country needs at least {MinimumResidents} residents");
        Seed = seed;
        TotalResidents = totalResidents;
        ReferenceDate = referenceDate ?? DefaultReferenceDate;

        _key = SplitMix64.Finalize((ulong)(uint)seed ^ 0x52454E4B45492D44UL);
        var setup = new SplitMix64(SplitMix64.Derive(_key, 0xC0DE, 0));
        _codeMultiplier = CoprimeMultiplier(ref setup, ResidentCode.BodyCount);
        _codeOffset = (long)(setup.NextUInt64() % (ulong)ResidentCode.BodyCount);

        var wards = DemoWard.All;
        _targets = new int[wards.Count];
        _firstIndex = new long[wards.Count];
        _householdMultiplier = new long[wards.Count];
        _householdOffset = new long[wards.Count];
        var assigned = 0;
        for (var w = 0; w < wards.Count; w++)
        {
            _targets[w] = w == wards.Count - 1
                ? totalResidents - assigned
                : Math.Max(1, (int)Math.Round(totalResidents * wards[w].Share, MidpointRounding.AwayFromZero));
            _firstIndex[w] = assigned;
            assigned += _targets[w];
            _householdMultiplier[w] = CoprimeMultiplier(ref setup, HouseholdNumberSpace);
            _householdOffset[w] = (long)(setup.NextUInt64() % HouseholdNumberSpace);
        }

        _householdCounts = new int[wards.Count];
        for (var w = 0; w < wards.Count; w++) _householdCounts[w] = CountHouseholds(w);
        _moves = new Lazy<IReadOnlyList<DemoMove>>(PlanMoves);
    }

    public int Seed { get; }
    public int TotalResidents { get; }
    public DateOnly ReferenceDate { get; }
    public IReadOnlyList<DemoWard> Wards => DemoWard.All;

    /// <summary>Exactly how many residents <see cref="Residents"/> yields for the ward (the three add up to <see cref="TotalResidents"/>).</summary>
    public int ResidentCount(DemoWard ward) => _targets[IndexOf(ward)];

    /// <summary>How many households the ward has.</summary>
    public int HouseholdCount(DemoWard ward) => _householdCounts[IndexOf(ward)];

    /// <summary>
    /// The ward's household number (世帯番号, ten digits) for a household index. Indices below
    /// <see cref="HouseholdCount"/> are the generated households; higher ones are free for households created later.
    /// </summary>
    public string HouseholdNumberAt(DemoWard ward, int index)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index));
        return HouseholdNumber(IndexOf(ward), index);
    }

    /// <summary>
    /// The resident-record code of the person with country-wide index <paramref name="index"/>. Indices below
    /// <see cref="TotalResidents"/> belong to generated residents; any other index up to 10^10 − 1 gives a code that
    /// no generated resident has (for births and arrivals from abroad in the demo).
    /// </summary>
    public ResidentCode ResidentCodeAt(long index)
    {
        if (index is < 0 or >= ResidentCode.BodyCount) throw new ArgumentOutOfRangeException(nameof(index));
        return ResidentCode.FromBody(CodeBody(index));
    }

    /// <summary>
    /// The ward's residents, household by household (世帯主 first, then the other members), lazily and in constant memory.
    /// Enumerating twice yields the same records; several wards may be enumerated concurrently.
    /// </summary>
    public IEnumerable<RegisterImportRecord> Residents(DemoWard ward) => Stream(IndexOf(ward));

    /// <summary>All three wards in order (品川, 大田, 板橋).</summary>
    public IEnumerable<(DemoWard Ward, RegisterImportRecord Record)> AllResidents()
    {
        foreach (var ward in DemoWard.All)
            foreach (var record in Residents(ward))
                yield return (ward, record);
    }

    /// <summary>
    /// Planned moves of whole households between different wards, about <see cref="MoveRate"/> of each ward's
    /// households (at least <see cref="MinimumMovesPerWard"/>), dated within 180 days after <see cref="ReferenceDate"/>,
    /// ordered by date, then departure ward and household number. A household moves at most once. Each ward receives at
    /// least one household with a child under <see cref="YoungChildAge"/> from the next ward in <see cref="DemoWard.All"/>
    /// (so 品川区 always receives such a family from 大田区), one more move if the random ones include none.
    /// </summary>
    public IReadOnlyList<DemoMove> Moves => _moves.Value;

    // ------------------------------------------------------------------ codes and numbers

    private static long CoprimeMultiplier(ref SplitMix64 random, long modulus)
    {
        // modulus is a power of ten: coprime means odd and not a multiple of 5. Keep it large so neighbours look unrelated.
        while (true)
        {
            var a = (long)(random.NextUInt64() % (ulong)modulus) | 1;
            if (a % 5 != 0 && a > modulus / 10) return a;
        }
    }

    private long CodeBody(long index) =>
        (long)(((UInt128)(ulong)_codeMultiplier * (ulong)index + (ulong)_codeOffset) % (ulong)ResidentCode.BodyCount);

    private string HouseholdNumber(int ward, int index)
    {
        var permuted = (long)(((UInt128)(ulong)_householdMultiplier[ward] * (ulong)index + (ulong)_householdOffset[ward]) % HouseholdNumberSpace);
        return (HouseholdNumberBase + permuted).ToString(CultureInfo.InvariantCulture);
    }

    private static int IndexOf(DemoWard ward)
    {
        ArgumentNullException.ThrowIfNull(ward);
        for (var w = 0; w < DemoWard.All.Count; w++)
            if (DemoWard.All[w].Code == ward.Code) return w;
        throw new ArgumentException("not a demo ward: " + ward.Code.Digits, nameof(ward));
    }

    private SplitMix64 HouseholdRandom(int ward, int household) => new(SplitMix64.Derive(_key, (ulong)ward + 1, (ulong)household));

    // ------------------------------------------------------------------ streaming

    private int CountHouseholds(int ward)
    {
        var remaining = _targets[ward];
        var households = 0;
        while (remaining > 0)
        {
            var random = HouseholdRandom(ward, households);
            var size = HouseholdComposer.Plan(ref random).Size;
            remaining -= Math.Min(size, remaining);
            households++;
        }
        return households;
    }

    private IEnumerable<RegisterImportRecord> Stream(int ward)
    {
        var composer = new HouseholdComposer(ReferenceDate);
        var members = composer.Members;
        var buffer = new StringBuilder(128);
        var towns = WardTowns[ward];
        var remaining = _targets[ward];
        var body = CodeBody(_firstIndex[ward]);
        var step = _codeMultiplier;
        for (var h = 0; remaining > 0; h++)
        {
            var random = HouseholdRandom(ward, h);
            var plan = HouseholdComposer.Plan(ref random);
            if (plan.Size > remaining) plan = HouseholdComposer.Forced(remaining, plan.Foreign);
            var count = composer.Compose(ref random, plan, out var nationality);
            var movedIn = composer.MoveInDate(ref random, plan.Foreign ? ForeignResidentsRegisteredFrom : DateOnly.MinValue);
            var address = towns.Build(ref random, HouseholdComposer.LivesInBuilding(ref random, plan), buffer);
            var householdNumber = HouseholdNumber(ward, h);
            for (var i = 0; i < count; i++)
            {
                ref readonly var m = ref members[i];
                var since = m.BirthDate > movedIn ? m.BirthDate : movedIn;
                yield return new RegisterImportRecord(
                    householdNumber, ResidentCode.FromBody(body),
                    m.Family.Written, m.Given.Written, m.Family.Kana, m.Given.Kana,
                    m.BirthDate, m.Sex, m.Relationship, address, since,
                    plan.Foreign, nationality, IndividualNumber: null);
                body += step;
                if (body >= ResidentCode.BodyCount) body -= ResidentCode.BodyCount;
            }
            remaining -= count;
        }
    }

    // ------------------------------------------------------------------ moves

    private IReadOnlyList<DemoMove> PlanMoves()
    {
        var moves = new List<DemoMove>();
        var buffer = new StringBuilder(128);
        var composer = new HouseholdComposer(ReferenceDate);
        var wards = DemoWard.All;
        for (var w = 0; w < wards.Count; w++)
        {
            var households = _householdCounts[w];
            var wanted = Math.Min(households, Math.Max(MinimumMovesPerWard, (int)Math.Round(households * MoveRate, MidpointRounding.AwayFromZero)));
            var random = new SplitMix64(SplitMix64.Derive(_key, 0x4D4F5645, (ulong)w));
            var chosen = new HashSet<int>();
            var familyTo = (w + wards.Count - 1) % wards.Count;
            var familyMoves = false;
            while (chosen.Count < wanted)
            {
                var household = random.Next(households);
                if (!chosen.Add(household)) continue;
                var (a, b) = ((w + 1) % wards.Count, (w + 2) % wards.Count);
                var to = random.NextDouble() < wards[a].Share / (wards[a].Share + wards[b].Share) ? a : b;
                Add(household, to);
                familyMoves |= to == familyTo && HasYoungChild(composer, w, household);
            }
            // Every ward receives a family with a young child from the next ward in the list (大田区 → 品川区, 板橋区 → 大田区,
            // 品川区 → 板橋区): the counter's flagship flow, 児童手当 for an arriving household, works on every demo.
            if (!familyMoves)
            {
                var start = random.Next(households);
                for (var i = 0; i < households; i++)
                {
                    var household = (start + i) % households;
                    if (chosen.Contains(household) || !HasYoungChild(composer, w, household)) continue;
                    chosen.Add(household);
                    Add(household, familyTo);
                    break;
                }
            }

            void Add(int household, int to)
            {
                var date = ReferenceDate.AddDays(random.Between(1, 180));
                var address = WardTowns[to].Build(ref random, random.PerMille(600), buffer);
                moves.Add(new DemoMove(wards[w].Code, wards[to].Code, HouseholdNumber(w, household), date, address));
            }
        }
        return moves
            .OrderBy(m => m.Date)
            .ThenBy(m => m.From.Digits, StringComparer.Ordinal)
            .ThenBy(m => m.HouseholdNumber, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Whether the household has a child (続柄 子) under <see cref="YoungChildAge"/> on <see cref="ReferenceDate"/>. The last household
    /// of a ward never counts: it may be cut short (<see cref="HouseholdComposer.Forced"/>).
    /// </summary>
    private bool HasYoungChild(HouseholdComposer composer, int ward, int household)
    {
        if (household >= _householdCounts[ward] - 1) return false;
        var random = HouseholdRandom(ward, household);
        var plan = HouseholdComposer.Plan(ref random);
        var count = composer.Compose(ref random, plan, out _);
        for (var i = 0; i < count; i++)
            if (composer.Members[i] is { Relationship: Relationship.Child, Age: < YoungChildAge }) return true;
        return false;
    }
}
