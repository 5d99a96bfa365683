using Renkei.Core.People;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Demo;

/// <summary>Kinds of household, with their share among Japanese households of the special wards (roughly: half live alone).</summary>
internal enum HouseholdType : byte
{
    Single,                  // 単身
    Couple,                  // 夫婦のみ
    CoupleWithChildren,      // 夫婦と子
    SingleParent,            // ひとり親と子
    ThreeGenerations,        // 夫婦と子と世帯主の親
    WithParents,             // 未婚の世帯主と親
    ElderWithChildFamily,    // 高齢の世帯主、子夫婦と孫
    Siblings,                // 兄弟姉妹
    Sharing,                 // 同居人（ルームシェア）
}

/// <summary>
/// The shape of a household, decided from the first few draws of its random stream so that sizes (and hence household
/// counts) are known without generating names. <c>Children</c>: children (or grandchildren); <c>Extra</c>: parents of the
/// head, the elder head's spouse (0/1), or cohabitants, by type.
/// </summary>
internal readonly record struct HouseholdPlan(HouseholdType Type, bool Foreign, int Children, int Extra, int Size);

/// <summary>One member while a household is being built.</summary>
internal struct DemoMember
{
    public Relationship Relationship;
    public Sex Sex;
    public int Age;
    public NameEntry Family;
    public NameEntry Given;
    public DateOnly BirthDate;
}

/// <summary>
/// Fills a reusable buffer with the members of one household: relationships (続柄), sexes, ages that make sense
/// relative to the head (children 20–45 years younger than their mother, parents of the head 20+ years older),
/// names by sex and birth cohort, and birth dates. Allocates nothing per household.
/// </summary>
internal sealed class HouseholdComposer(DateOnly referenceDate)
{
    private const int ForeignHouseholdsPerMille = 34;

    private static readonly WeightedTable JapaneseTypes = new(
    [
        47.5, // Single
        17.0, // Couple
        20.0, // CoupleWithChildren
        5.0,  // SingleParent
        3.0,  // ThreeGenerations
        4.0,  // WithParents
        1.0,  // ElderWithChildFamily
        1.0,  // Siblings
        1.5,  // Sharing
    ]);

    private static readonly WeightedTable ForeignTypes = new([65.0, 15.0, 20.0]);

    private static readonly WeightedTable ChildCounts = new([0, 40.0, 45.0, 13.0, 2.0]); // 1–4 children

    private static readonly IntDistribution SingleAge = new(WeightedTable.Bands(
        (18, 19, 2.0), (20, 24, 6.0), (25, 29, 7.0), (30, 34, 5.5), (35, 39, 4.5), (40, 49, 3.2), (50, 64, 2.6),
        (65, 74, 2.6), (75, 84, 3.0), (85, 94, 1.8), (95, 100, 0.3)));

    private static readonly IntDistribution CoupleAge = new(WeightedTable.Bands(
        (22, 29, 1.5), (30, 39, 2.0), (40, 54, 1.2), (55, 64, 2.2), (65, 79, 3.5), (80, 89, 2.0), (90, 97, 0.4)));

    private static readonly IntDistribution ParentAge = new(WeightedTable.Bands(
        (24, 29, 1.0), (30, 34, 3.0), (35, 44, 5.0), (45, 54, 4.0), (55, 64, 2.0)));

    private static readonly IntDistribution ForeignSingleAge = new(WeightedTable.Bands(
        (18, 24, 4.0), (25, 34, 5.0), (35, 44, 2.5), (45, 64, 1.2), (65, 90, 0.3)));

    private static readonly IntDistribution ForeignCoupleAge = new(WeightedTable.Bands(
        (22, 29, 3.0), (30, 44, 4.0), (45, 64, 2.0), (65, 85, 0.5)));

    private readonly DateOnly _referenceDate = referenceDate;
    private int _count;

    public DemoMember[] Members { get; } = new DemoMember[DemoCountryGenerator.MaxHouseholdSize];

    // ------------------------------------------------------------------ plan

    public static HouseholdPlan Plan(ref SplitMix64 random)
    {
        var foreign = random.PerMille(ForeignHouseholdsPerMille);
        var type = (HouseholdType)(foreign ? ForeignTypes : JapaneseTypes).Sample(ref random);
        switch (type)
        {
            case HouseholdType.Single:
                return new(type, foreign, 0, 0, 1);
            case HouseholdType.Couple:
            case HouseholdType.Siblings:
                return new(type, foreign, 0, 0, 2);
            case HouseholdType.CoupleWithChildren:
            {
                var children = ChildCounts.Sample(ref random);
                return new(type, foreign, children, 0, 2 + children);
            }
            case HouseholdType.SingleParent:
            {
                var roll = random.Next(100);
                var children = roll < 55 ? 1 : roll < 90 ? 2 : 3;
                return new(type, foreign, children, 0, 1 + children);
            }
            case HouseholdType.ThreeGenerations:
            {
                var children = random.Between(1, 2);
                var parents = random.Between(1, 2);
                return new(type, foreign, children, parents, 2 + children + parents);
            }
            case HouseholdType.WithParents:
            {
                var parents = random.PerMille(750) ? 1 : 2;
                return new(type, foreign, 0, parents, 1 + parents);
            }
            case HouseholdType.ElderWithChildFamily:
            {
                var spouse = random.PerMille(700) ? 1 : 0;
                var grandchildren = random.Between(1, 2);
                return new(type, foreign, grandchildren, spouse, 1 + spouse + 2 + grandchildren);
            }
            case HouseholdType.Sharing:
            {
                var cohabitants = random.PerMille(750) ? 1 : 2;
                return new(type, foreign, 0, cohabitants, 1 + cohabitants);
            }
            default:
                throw new InvalidOperationException("unknown household type");
        }
    }

    /// <summary>The last household of a ward is cut to exactly the residents still wanted (1: single, 2: couple, more: couple with children).</summary>
    public static HouseholdPlan Forced(int size, bool foreign) => size switch
    {
        1 => new(HouseholdType.Single, foreign, 0, 0, 1),
        2 => new(HouseholdType.Couple, foreign, 0, 0, 2),
        _ => new(HouseholdType.CoupleWithChildren, foreign, size - 2, 0, size),
    };

    public static bool LivesInBuilding(ref SplitMix64 random, HouseholdPlan plan) =>
        random.PerMille(plan.Foreign ? 900 : plan.Type is HouseholdType.Single or HouseholdType.Sharing ? 780 : 450);

    // ------------------------------------------------------------------ compose

    /// <summary>Fills <see cref="Members"/> (head first) and returns the member count; nationality is null for Japanese households.</summary>
    public int Compose(ref SplitMix64 random, HouseholdPlan plan, out string? nationality)
    {
        _count = 0;
        if (plan.Foreign)
        {
            var names = DemoNames.Foreign[DemoNames.ForeignTable.Sample(ref random)];
            nationality = names.Nationality;
            ComposeForeign(ref random, plan, names);
        }
        else
        {
            nationality = null;
            ComposeJapanese(ref random, plan);
        }
        if (_count != plan.Size) throw new InvalidOperationException("household composition does not match its plan");
        FillBirthDates(ref random);
        if (!plan.Foreign) FillJapaneseGivenNames(ref random);
        return _count;
    }

    private void ComposeJapanese(ref SplitMix64 random, HouseholdPlan plan)
    {
        var family = DemoNames.Surnames[DemoNames.SurnameTable.Sample(ref random)];
        switch (plan.Type)
        {
            case HouseholdType.Single:
            {
                var age = SingleAge.Sample(ref random);
                var male = age < 65 ? random.PerMille(560) : random.PerMille(320);
                Add(Relationship.Head, male ? Sex.Male : Sex.Female, age, family);
                break;
            }
            case HouseholdType.Couple:
            {
                var husband = CoupleAge.Sample(ref random);
                AddCouple(ref random, husband, SpouseAge(ref random, husband, 18), family, wifeIsHead: random.PerMille(80));
                break;
            }
            case HouseholdType.CoupleWithChildren:
            {
                var husband = ParentAge.Sample(ref random);
                var wife = SpouseAge(ref random, husband, 22);
                AddCouple(ref random, husband, wife, family, wifeIsHead: random.PerMille(50));
                AddChildren(ref random, Relationship.Child, plan.Children, Math.Min(husband, wife), family);
                break;
            }
            case HouseholdType.SingleParent:
            {
                var age = ParentAge.Sample(ref random);
                Add(Relationship.Head, random.PerMille(850) ? Sex.Female : Sex.Male, age, family);
                AddChildren(ref random, Relationship.Child, plan.Children, age, family);
                break;
            }
            case HouseholdType.ThreeGenerations:
            {
                var husband = random.Between(33, 58);
                var wife = SpouseAge(ref random, husband, 22);
                AddCouple(ref random, husband, wife, family, wifeIsHead: false);
                AddChildren(ref random, Relationship.Child, plan.Children, Math.Min(husband, wife), family);
                AddParents(ref random, plan.Extra, husband, family);
                break;
            }
            case HouseholdType.WithParents:
            {
                var age = random.Between(38, 66);
                Add(Relationship.Head, random.PerMille(500) ? Sex.Male : Sex.Female, age, family);
                AddParents(ref random, plan.Extra, age, family);
                break;
            }
            case HouseholdType.ElderWithChildFamily:
            {
                var head = random.Between(58, 84);
                var youngerParent = head;
                if (plan.Extra == 1)
                {
                    var wife = SpouseAge(ref random, head, 50);
                    AddCouple(ref random, head, wife, family, wifeIsHead: false);
                    youngerParent = Math.Min(head, wife);
                }
                else
                {
                    Add(Relationship.Head, random.PerMille(650) ? Sex.Female : Sex.Male, head, family);
                }
                // The child's family lives with the parents; a daughter's husband took the family name (婿養子).
                var child = Math.Max(26, youngerParent - random.Between(24, 36));
                var son = random.PerMille(850);
                var inLaw = Math.Clamp(child - random.Between(-2, 5) * (son ? 1 : -1), 24, youngerParent - 20);
                Add(Relationship.Child, son ? Sex.Male : Sex.Female, child, family);
                Add(son ? Relationship.ChildsWife : Relationship.ChildsHusband, son ? Sex.Female : Sex.Male, inLaw, family);
                AddChildren(ref random, Relationship.Grandchild, plan.Children, Math.Min(child, inLaw), family);
                break;
            }
            case HouseholdType.Siblings:
            {
                var head = random.Between(20, 60);
                var headSex = random.PerMille(500) ? Sex.Male : Sex.Female;
                Add(Relationship.Head, headSex, head, family);
                var offset = random.Between(1, 8) * (random.PerMille(500) ? 1 : -1);
                var sibling = Math.Clamp(head + offset, 18, 100);
                var sex = random.PerMille(500) ? Sex.Male : Sex.Female;
                var older = sibling > head;
                var relationship = (older, sex) switch
                {
                    (true, Sex.Male) => Relationship.ElderBrother,
                    (true, _) => Relationship.ElderSister,
                    (false, Sex.Male) => Relationship.YoungerBrother,
                    _ => Relationship.YoungerSister,
                };
                Add(relationship, sex, sibling, family);
                break;
            }
            case HouseholdType.Sharing:
            {
                var head = random.Between(20, 40);
                Add(Relationship.Head, random.PerMille(500) ? Sex.Male : Sex.Female, head, family);
                for (var i = 0; i < plan.Extra; i++)
                {
                    var other = DemoNames.Surnames[DemoNames.SurnameTable.Sample(ref random)];
                    Add(Relationship.Cohabitant, random.PerMille(500) ? Sex.Male : Sex.Female, Math.Clamp(head + random.Between(-5, 5), 18, 100), other);
                }
                break;
            }
            default:
                throw new InvalidOperationException("unknown household type");
        }
    }

    private void ComposeForeign(ref SplitMix64 random, HouseholdPlan plan, ForeignNames names)
    {
        var family = names.Family[random.Next(names.Family.Length)];
        switch (plan.Type)
        {
            case HouseholdType.Single:
            {
                var age = ForeignSingleAge.Sample(ref random);
                AddForeign(ref random, names, Relationship.Head, random.PerMille(540) ? Sex.Male : Sex.Female, age, family);
                break;
            }
            case HouseholdType.Couple:
            case HouseholdType.CoupleWithChildren:
            {
                var husband = ForeignCoupleAge.Sample(ref random);
                var wife = SpouseAge(ref random, husband, plan.Type == HouseholdType.Couple ? 18 : 22);
                var wifeFamily = names.WifeKeepsName ? names.Family[random.Next(names.Family.Length)] : family;
                AddForeign(ref random, names, Relationship.Head, Sex.Male, husband, family);
                AddForeign(ref random, names, Relationship.Wife, Sex.Female, wife, wifeFamily);
                if (plan.Type == HouseholdType.CoupleWithChildren)
                {
                    var first = _count;
                    AddChildren(ref random, Relationship.Child, plan.Children, Math.Min(husband, wife), family);
                    for (var i = first; i < _count; i++)
                        Members[i].Given = PickDistinct(ref random, names.Given(Members[i].Sex), i);
                }
                break;
            }
            default:
                throw new InvalidOperationException("foreign households are single, couple or couple with children");
        }
    }

    // ------------------------------------------------------------------ members

    private void Add(Relationship relationship, Sex sex, int age, NameEntry family)
    {
        ref var m = ref Members[_count++];
        m.Relationship = relationship;
        m.Sex = sex;
        m.Age = age;
        m.Family = family;
        m.Given = default;
    }

    private void AddForeign(ref SplitMix64 random, ForeignNames names, Relationship relationship, Sex sex, int age, NameEntry family)
    {
        Add(relationship, sex, age, family);
        Members[_count - 1].Given = PickDistinct(ref random, names.Given(sex), _count - 1);
    }

    /// <summary>Wife's age relative to the husband (up to 2 years older, up to 5 younger), within [minimum, 100].</summary>
    private static int SpouseAge(ref SplitMix64 random, int husband, int minimum) =>
        Math.Clamp(husband - random.Between(-2, 5), minimum, 100);

    private void AddCouple(ref SplitMix64 random, int husband, int wife, NameEntry family, bool wifeIsHead)
    {
        if (wifeIsHead)
        {
            Add(Relationship.Head, Sex.Female, wife, family);
            Add(Relationship.Husband, Sex.Male, husband, family);
        }
        else
        {
            Add(Relationship.Head, Sex.Male, husband, family);
            Add(Relationship.Wife, Sex.Female, wife, family);
        }
    }

    /// <summary>
    /// Children of a parent aged <paramref name="youngerParent"/> (at least 22): the eldest 22–40 years younger,
    /// each next one 1–4 years younger, none born after the parent turned 44.
    /// </summary>
    private void AddChildren(ref SplitMix64 random, Relationship relationship, int count, int youngerParent, NameEntry family)
    {
        var youngest = Math.Max(0, youngerParent - 44);
        var age = youngerParent - random.Between(22, Math.Clamp(youngerParent, 22, 40));
        for (var i = 0; i < count; i++)
        {
            if (i > 0) age = Math.Max(youngest, age - random.Between(1, 4));
            Add(relationship, random.PerMille(512) ? Sex.Male : Sex.Female, Math.Max(0, age), family);
        }
    }

    /// <summary>The head's mother and/or father, 22–36 years older than the head (capped at 100).</summary>
    private void AddParents(ref SplitMix64 random, int count, int head, NameEntry family)
    {
        var mother = Math.Min(100, head + random.Between(22, 36));
        var father = Math.Min(100, mother + random.Between(-2, 5));
        if (count == 2 || random.PerMille(300)) Add(Relationship.Father, Sex.Male, father, family);
        if (count == 2 || _count == 0 || Members[_count - 1].Relationship != Relationship.Father)
            Add(Relationship.Mother, Sex.Female, mother, family);
    }

    private void FillBirthDates(ref SplitMix64 random)
    {
        for (var i = 0; i < _count; i++)
        {
            ref var m = ref Members[i];
            // Born in the year before the (age)th birthday: exactly `Age` years old on the reference date.
            var earliest = _referenceDate.AddYears(-(m.Age + 1)).AddDays(1);
            var latest = _referenceDate.AddYears(-m.Age);
            m.BirthDate = earliest.AddDays(random.Next(latest.DayNumber - earliest.DayNumber + 1));
        }
    }

    private void FillJapaneseGivenNames(ref SplitMix64 random)
    {
        for (var i = 0; i < _count; i++)
        {
            ref var m = ref Members[i];
            m.Given = PickDistinct(ref random, DemoNames.Given(m.Sex, DemoNames.Cohort(m.BirthDate.Year)), i);
        }
    }

    /// <summary>A given name not already used by an earlier member of the household (a few tries, then accept).</summary>
    private NameEntry PickDistinct(ref SplitMix64 random, NameEntry[] names, int before)
    {
        var pick = names[random.Next(names.Length)];
        for (var attempt = 0; attempt < 3 && UsedBefore(pick, before); attempt++)
            pick = names[random.Next(names.Length)];
        return pick;
    }

    private bool UsedBefore(NameEntry name, int before)
    {
        for (var i = 0; i < before; i++)
            if (ReferenceEquals(Members[i].Given.Written, name.Written)) return true;
        return false;
    }

    /// <summary>
    /// When the household moved to its address: up to 50 years back (never before the head turned 18), skewed to recent
    /// years since Tokyo households move often; never before <paramref name="notBefore"/>. Members born later get their birth date.
    /// </summary>
    public DateOnly MoveInDate(ref SplitMix64 random, DateOnly notBefore)
    {
        var yearsBack = Math.Clamp(Members[0].Age - 18, 0, 50);
        var u = random.NextDouble();
        var moveIn = _referenceDate.AddDays(-(int)(u * u * yearsBack * 365.25));
        return moveIn < notBefore ? notBefore : moveIn;
    }
}
