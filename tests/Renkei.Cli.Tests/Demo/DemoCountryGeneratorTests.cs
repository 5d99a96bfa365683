using System.Text.RegularExpressions;
using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Tests.Demo;

/// <summary>One mid-sized demo country shared by the tests that only read it.</summary>
public sealed class DemoCountryFixture
{
    public const int Seed = 20260101;
    public const int Size = 60_000;

    public DemoCountryFixture()
    {
        Generator = new DemoCountryGenerator(Seed, Size);
        ByWard = Generator.Wards.ToDictionary(w => w.Code, w => (IReadOnlyList<RegisterImportRecord>)Generator.Residents(w).ToList());
    }

    public DemoCountryGenerator Generator { get; }
    public IReadOnlyDictionary<LocalGovernmentCode, IReadOnlyList<RegisterImportRecord>> ByWard { get; }
    public IEnumerable<RegisterImportRecord> All => ByWard.Values.SelectMany(r => r);

    public static IEnumerable<List<RegisterImportRecord>> Households(IEnumerable<RegisterImportRecord> records)
    {
        List<RegisterImportRecord>? current = null;
        foreach (var record in records)
        {
            if (current is not null && current[0].HouseholdNumber != record.HouseholdNumber)
            {
                yield return current;
                current = null;
            }
            (current ??= []).Add(record);
        }
        if (current is not null) yield return current;
    }
}

public sealed class DemoCountryGeneratorTests(DemoCountryFixture country) : IClassFixture<DemoCountryFixture>
{
    private static readonly DateOnly Today = DemoCountryGenerator.DefaultReferenceDate;

    private static int AgeOn(DateOnly birth, DateOnly day) =>
        day.Year - birth.Year - (day < birth.AddYears(day.Year - birth.Year) ? 1 : 0);

    private static bool IsKatakana(string text) => text.Length > 0 && text.All(c => c is >= 'ァ' and <= 'ー');

    // ------------------------------------------------------------------ determinism

    [Fact]
    public void Same_seed_and_size_give_identical_records_and_moves()
    {
        var first = new DemoCountryGenerator(7, 5_000);
        var second = new DemoCountryGenerator(7, 5_000);

        Assert.True(first.AllResidents().SequenceEqual(second.AllResidents()));
        Assert.True(first.Moves.SequenceEqual(second.Moves));
        // Enumerating the same generator again replays the same stream.
        Assert.True(first.Residents(DemoWard.Ota).SequenceEqual(first.Residents(DemoWard.Ota)));
    }

    [Fact]
    public void Different_seeds_give_different_people_and_codes()
    {
        var a = new DemoCountryGenerator(1, 5_000).AllResidents().Select(x => x.Record).ToList();
        var b = new DemoCountryGenerator(2, 5_000).AllResidents().Select(x => x.Record).ToList();

        var codesA = a.Select(r => r.ResidentCode.ToInt64()).ToHashSet();
        Assert.True(b.Count(r => codesA.Contains(r.ResidentCode.ToInt64())) < 5);
        var sameName = a.Zip(b).Count(p => p.First.FamilyName == p.Second.FamilyName && p.First.GivenName == p.Second.GivenName);
        Assert.True(sameName < a.Count / 20);
        var sameBirth = a.Zip(b).Count(p => p.First.BirthDate == p.Second.BirthDate);
        Assert.True(sameBirth < a.Count / 20);
        Assert.NotEqual(new DemoCountryGenerator(1, 5_000).Moves.Select(m => m.HouseholdNumber), new DemoCountryGenerator(2, 5_000).Moves.Select(m => m.HouseholdNumber));
    }

    // ------------------------------------------------------------------ codes and sizes

    [Fact]
    public void Resident_codes_are_valid_and_unique_across_the_country()
    {
        const int size = 200_000;
        var generator = new DemoCountryGenerator(99, size);
        var seen = new HashSet<long>(size);
        var index = 0L;
        foreach (var (_, record) in generator.AllResidents())
        {
            var value = record.ResidentCode.ToInt64();
            Assert.True(ResidentCode.ComputeCheckDigit(value / 10) == (int)(value % 10));
            Assert.True(ResidentCode.Parse(record.ResidentCode.Digits).IsValid);
            Assert.True(seen.Add(value));
            if (index % 9_973 == 0) Assert.True(generator.ResidentCodeAt(index) == record.ResidentCode);
            index++;
        }
        Assert.Equal(size, seen.Count);
        // Codes past the generated population are free for later births and arrivals.
        for (long extra = size; extra < size + 1_000; extra++)
            Assert.DoesNotContain(generator.ResidentCodeAt(extra).ToInt64(), seen);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    [InlineData(347)]
    [InlineData(1_000)]
    [InlineData(12_345)]
    public void Requested_size_is_honoured_exactly_and_split_by_share(int size)
    {
        var generator = new DemoCountryGenerator(3, size);
        var total = 0;
        foreach (var ward in generator.Wards)
        {
            var records = generator.Residents(ward).ToList();
            Assert.Equal(generator.ResidentCount(ward), records.Count);
            Assert.Equal(generator.HouseholdCount(ward), records.Select(r => r.HouseholdNumber).Distinct().Count());
            Assert.True(records.Count >= 1);
            if (size >= 1_000) Assert.InRange((double)records.Count / size, ward.Share - 0.01, ward.Share + 0.01);
            total += records.Count;
        }
        Assert.Equal(size, total);
    }

    [Fact]
    public void Ward_shares_follow_real_populations()
    {
        Assert.Equal(1.0, DemoWard.All.Sum(w => w.Share), 6);
        Assert.True(DemoWard.Ota.Share > DemoWard.Itabashi.Share && DemoWard.Itabashi.Share > DemoWard.Shinagawa.Share);
        Assert.Equal("131091", DemoWard.Shinagawa.Code.Digits);
        Assert.Equal("131113", DemoWard.Ota.Code.Digits);
        Assert.Equal("131199", DemoWard.Itabashi.Code.Digits);
        Assert.Same(DemoWard.Itabashi, DemoWard.ByCode(LocalGovernmentCode.ParseOrThrow("131199")));
        Assert.Throws<ArgumentException>(() => DemoWard.ByCode(LocalGovernmentCode.ParseOrThrow("131016")));
    }

    [Fact]
    public void Streams_lazily_without_generating_the_whole_country()
    {
        var generator = new DemoCountryGenerator(5, 5_000_000);
        var first = generator.Residents(DemoWard.Itabashi).Take(20).ToList();

        Assert.Equal(20, first.Count);
        Assert.Equal(Relationship.Head, first[0].Relationship);
        Assert.Equal(5_000_000, generator.Wards.Sum(generator.ResidentCount));
        Assert.InRange(generator.Moves.Count, 5_000_000 / 3 * 0.005 / 2, 5_000_000 * 0.005);
    }

    [Fact]
    public void Rejects_a_country_that_is_too_small_and_unknown_wards()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DemoCountryGenerator(1, 5));
        var other = new DemoWard(LocalGovernmentCode.ParseOrThrow("131016"), "千代田区", 0.1);
        Assert.Throws<ArgumentException>(() => country.Generator.Residents(other).First());
    }

    // ------------------------------------------------------------------ households

    [Fact]
    public void Every_household_has_exactly_one_head_listed_first_and_unique_numbers()
    {
        foreach (var (code, records) in country.ByWard)
        {
            var households = DemoCountryFixture.Households(records).ToList();
            Assert.Equal(country.Generator.HouseholdCount(DemoWard.ByCode(code)), households.Count);
            // Members of a household are consecutive, so a number never reappears later in the stream.
            Assert.Equal(households.Count, households.Select(h => h[0].HouseholdNumber).Distinct().Count());
            foreach (var household in households)
            {
                Assert.InRange(household.Count, 1, DemoCountryGenerator.MaxHouseholdSize);
                Assert.Equal(Relationship.Head, household[0].Relationship);
                Assert.Equal(1, household.Count(r => r.Relationship == Relationship.Head));
                Assert.Single(household.Select(r => r.Address).Distinct());
                Assert.Matches("^1[0-9]{9}$", household[0].HouseholdNumber);
                Assert.True(household.Count(r => r.Relationship is Relationship.Wife or Relationship.Husband) <= 1);
            }
        }
    }

    [Fact]
    public void Household_sizes_are_plausible_for_Tokyo_wards()
    {
        var households = country.ByWard.Values.SelectMany(DemoCountryFixture.Households).ToList();
        var singles = households.Count(h => h.Count == 1) / (double)households.Count;
        var average = households.Average(h => h.Count);

        Assert.InRange(singles, 0.38, 0.58);
        Assert.InRange(average, 1.7, 2.4);
        Assert.Contains(households, h => h.Count == 6);
        Assert.Contains(households, h => h.Any(r => r.Relationship == Relationship.Grandchild));
        Assert.Contains(households, h => h.Any(r => r.Relationship == Relationship.Cohabitant));
        Assert.Contains(households, h => h.Any(r => r.Relationship is Relationship.Father or Relationship.Mother));
    }

    [Fact]
    public void Ages_are_within_0_to_100_and_dates_are_consistent()
    {
        foreach (var r in country.All)
        {
            Assert.InRange(AgeOn(r.BirthDate, Today), 0, 100);
            Assert.True(r.ResidentSince >= r.BirthDate);
            Assert.True(r.ResidentSince <= Today);
            Assert.Null(r.IndividualNumber);
        }
    }

    [Fact]
    public void Relatives_have_plausible_ages_relative_to_each_other()
    {
        foreach (var household in country.ByWard.Values.SelectMany(DemoCountryFixture.Households))
        {
            int Age(RegisterImportRecord r) => AgeOn(r.BirthDate, Today);
            var head = household[0];
            var spouse = household.FirstOrDefault(r => r.Relationship is Relationship.Wife or Relationship.Husband);
            var children = household.Where(r => r.Relationship == Relationship.Child).ToList();
            var childCouple = household.Where(r => r.Relationship is Relationship.Child or Relationship.ChildsWife or Relationship.ChildsHusband).ToList();

            if (spouse is not null)
            {
                Assert.NotEqual(head.Sex, spouse.Sex);
                Assert.Equal(spouse.Relationship == Relationship.Wife ? Sex.Female : Sex.Male, spouse.Sex);
                Assert.True(Age(spouse) >= 18);
            }
            if (head.Relationship == Relationship.Head && household.Count == 1) Assert.True(Age(head) >= 18);
            foreach (var child in children)
            {
                Assert.InRange(Age(head) - Age(child), 15, 50);
                if (spouse is not null) Assert.InRange(Age(spouse) - Age(child), 15, 50);
            }
            foreach (var grandchild in household.Where(r => r.Relationship == Relationship.Grandchild))
            {
                Assert.True(Age(head) - Age(grandchild) >= 35);
                foreach (var parent in childCouple.Where(r => r.Relationship != Relationship.Child || household.Any(x => x.Relationship == Relationship.Grandchild)))
                    Assert.InRange(Age(parent) - Age(grandchild), 15, 50);
            }
            foreach (var parent in household.Where(r => r.Relationship is Relationship.Father or Relationship.Mother))
            {
                Assert.True(Age(parent) - Age(head) >= 18);
                Assert.Equal(parent.Relationship == Relationship.Father ? Sex.Male : Sex.Female, parent.Sex);
            }
            foreach (var sibling in household.Where(r => r.Relationship is Relationship.ElderBrother or Relationship.ElderSister))
                Assert.True(sibling.BirthDate < head.BirthDate);
            foreach (var sibling in household.Where(r => r.Relationship is Relationship.YoungerBrother or Relationship.YoungerSister))
                Assert.True(sibling.BirthDate >= head.BirthDate.AddYears(-1));
        }
    }

    [Fact]
    public void Age_pyramid_looks_like_a_Tokyo_ward()
    {
        var ages = country.All.Select(r => AgeOn(r.BirthDate, Today)).ToList();
        double Share(Func<int, bool> band) => ages.Count(band) / (double)ages.Count;

        Assert.InRange(Share(a => a < 15), 0.07, 0.16);
        Assert.InRange(Share(a => a is >= 15 and < 65), 0.55, 0.75);
        Assert.InRange(Share(a => a >= 65), 0.14, 0.30);
        Assert.InRange(Share(a => a >= 90), 0.003, 0.04);
    }

    [Fact]
    public void Given_names_follow_the_birth_cohort()
    {
        var japanese = country.All.Where(r => !r.ForeignResident).ToList();
        var elderly = japanese.Where(r => r.BirthDate.Year < 1945).Select(r => r.GivenName).ToHashSet();
        var children = japanese.Where(r => r.BirthDate.Year >= 2005).Select(r => r.GivenName).ToHashSet();

        Assert.True(elderly.Count >= 30 && children.Count >= 30);
        Assert.Empty(elderly.Intersect(children));
        Assert.True(japanese.Select(r => r.FamilyName).Distinct().Count() >= 100);
        Assert.True(japanese.Where(r => r.Sex == Sex.Male).Select(r => r.GivenName).Distinct().Count() >= 100);
        Assert.True(japanese.Where(r => r.Sex == Sex.Female).Select(r => r.GivenName).Distinct().Count() >= 100);
        // Japanese families share the head's surname, except cohabitants.
        foreach (var household in DemoCountryFixture.Households(japanese).Where(h => !h[0].ForeignResident))
            Assert.All(household.Where(r => r.Relationship != Relationship.Cohabitant), r => Assert.Equal(household[0].FamilyName, r.FamilyName));
    }

    // ------------------------------------------------------------------ addresses, kana, foreign residents

    [Fact]
    public void Addresses_are_inside_the_right_ward_in_residence_indication_style()
    {
        var pattern = new Regex(@"^東京都(?<ward>品川区|大田区|板橋区)(?<town>[^0-9]+?)(?:[一二三四五六七八九]丁目)?[0-9]+番[0-9]+号(?: \S+[0-9]+号室)?$");
        foreach (var (code, records) in country.ByWard)
        {
            var ward = DemoWard.ByCode(code);
            var towns = new HashSet<string>();
            foreach (var address in records.Select(r => r.Address).Distinct())
            {
                Assert.Matches(pattern, address);
                var match = pattern.Match(address);
                Assert.Equal(ward.Name, match.Groups["ward"].Value);
                towns.Add(match.Groups["town"].Value);
            }
            Assert.True(towns.Count >= 20);
            Assert.Contains(records, r => r.Address.EndsWith("号室", StringComparison.Ordinal));
            Assert.Contains(records, r => !r.Address.EndsWith("号室", StringComparison.Ordinal));
        }
        Assert.Contains(country.ByWard[DemoWard.Shinagawa.Code], r => r.Address.StartsWith("東京都品川区大井", StringComparison.Ordinal));
        Assert.Contains(country.ByWard[DemoWard.Ota.Code], r => r.Address.StartsWith("東京都大田区蒲田", StringComparison.Ordinal));
        Assert.Contains(country.ByWard[DemoWard.Itabashi.Code], r => r.Address.StartsWith("東京都板橋区高島平", StringComparison.Ordinal));
    }

    [Fact]
    public void Kana_fields_are_katakana_only()
    {
        foreach (var r in country.All)
        {
            Assert.True(IsKatakana(r.FamilyNameKana));
            Assert.True(IsKatakana(r.GivenNameKana));
            Assert.False(string.IsNullOrWhiteSpace(r.FamilyName));
            Assert.False(string.IsNullOrWhiteSpace(r.GivenName));
        }
    }

    [Fact]
    public void Foreign_residents_are_a_few_percent_with_nationality_and_card_style_names()
    {
        var all = country.All.ToList();
        var foreign = all.Where(r => r.ForeignResident).ToList();

        Assert.InRange(foreign.Count / (double)all.Count, 0.015, 0.05);
        Assert.All(all.Where(r => !r.ForeignResident), r => Assert.Null(r.Nationality));
        var nationalities = foreign.Select(r => r.Nationality!).ToHashSet();
        Assert.Subset(new HashSet<string> { "中国", "韓国", "ベトナム", "フィリピン", "ネパール", "台湾", "米国", "インド" }, nationalities);
        Assert.Contains("中国", nationalities);
        Assert.Contains("ベトナム", nationalities);
        Assert.All(foreign, r => Assert.Matches("^[A-Z][A-Z -]*$", r.FamilyName + " " + r.GivenName));
        // Foreign residents were registered from 2012-07-09 at the earliest, or from birth.
        Assert.All(foreign, r => Assert.True(r.ResidentSince >= new DateOnly(2012, 7, 9) || r.ResidentSince == r.BirthDate));
        // A household is either all foreign (one nationality) or all Japanese.
        foreach (var household in country.ByWard.Values.SelectMany(DemoCountryFixture.Households))
            Assert.Single(household.Select(r => (r.ForeignResident, r.Nationality)).Distinct());
    }

    // ------------------------------------------------------------------ moves

    [Fact]
    public void Moves_reference_existing_households_and_go_between_different_wards()
    {
        var moves = country.Generator.Moves;
        var households = country.ByWard.ToDictionary(p => p.Key, p => p.Value.Select(r => r.HouseholdNumber).ToHashSet());
        var totalHouseholds = households.Values.Sum(h => h.Count);

        Assert.InRange(moves.Count, totalHouseholds * 0.004, totalHouseholds * 0.006 + 6);
        Assert.Equal(moves.Count, moves.Select(m => (m.From, m.HouseholdNumber)).Distinct().Count());
        foreach (var move in moves)
        {
            Assert.NotEqual(move.From, move.To);
            Assert.Contains(move.HouseholdNumber, households[move.From]);
            Assert.StartsWith(DemoWard.ByCode(move.To).AddressPrefix, move.NewAddress);
            Assert.InRange(move.Date, Today.AddDays(1), Today.AddDays(180));
        }
        Assert.Equal(moves.OrderBy(m => m.Date).Select(m => m.Date), moves.Select(m => m.Date));
        Assert.All(DemoWard.All, ward => Assert.Contains(moves, m => m.From == ward.Code));
    }

    [Fact]
    public void Even_a_small_country_has_a_few_moves()
    {
        var generator = new DemoCountryGenerator(11, 300);
        var households = generator.Wards.ToDictionary(w => w.Code, w => generator.Residents(w).Select(r => r.HouseholdNumber).ToHashSet());

        Assert.True(generator.Moves.Count >= 6);
        Assert.All(generator.Moves, m => Assert.Contains(m.HouseholdNumber, households[m.From]));
    }

    [Theory]
    [InlineData(6, 900)]
    [InlineData(11, 300)]
    [InlineData(42, 5_000)]
    public void Every_ward_receives_a_family_with_a_young_child_from_the_next_ward(int seed, int size)
    {
        var generator = new DemoCountryGenerator(seed, size);
        var wards = generator.Wards;
        for (var w = 0; w < wards.Count; w++)
        {
            var (from, to) = (wards[(w + 1) % wards.Count], wards[w]);
            var households = generator.Residents(from).GroupBy(r => r.HouseholdNumber).ToDictionary(g => g.Key, g => g.ToList());
            var families = generator.Moves.Where(m => m.From == from.Code && m.To == to.Code)
                .Where(m => households[m.HouseholdNumber].Any(r => r.Relationship == Relationship.Child
                    && r.BirthDate > generator.ReferenceDate.AddYears(-DemoCountryGenerator.YoungChildAge)));
            Assert.True(families.Any(), $"seed {seed}, {size} residents: no family with a young child moves from {from.Name} to {to.Name}");
        }
    }

    [Fact]
    public void Household_numbers_for_new_households_do_not_collide_with_generated_ones()
    {
        var ward = DemoWard.Shinagawa;
        var existing = country.ByWard[ward.Code].Select(r => r.HouseholdNumber).ToHashSet();
        var count = country.Generator.HouseholdCount(ward);

        Assert.Contains(country.Generator.HouseholdNumberAt(ward, 0), existing);
        for (var i = count; i < count + 500; i++)
            Assert.DoesNotContain(country.Generator.HouseholdNumberAt(ward, i), existing);
    }
}
