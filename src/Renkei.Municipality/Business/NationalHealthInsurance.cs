using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>One insured member of a national-health-insurance household for the premium calculation.</summary>
public sealed record NhiMemberInput(IntegratedAddresseeNumber Subject, int Age, long TotalIncome);

/// <summary>A household's premium: per member and in total, with the equal-share reduction applied (軽減割合 %).</summary>
public sealed record NhiPremium(long AnnualPremium, int ReductionPercent, IReadOnlyList<long> MemberPremiums);

/// <summary>
/// Simplified national-health-insurance premium rules modelled on Tokyo's 23 wards in FY2024 (令和6年度). Each insured
/// member pays, per part, an income share on (total income − 430,000) and an equal per-capita share:
/// medical (医療分) 7.71 % + 47,300 yen, elderly support (後期高齢者支援金分) 2.69 % + 16,800 yen, and for members aged 40–64
/// care (介護分) 2.25 % + 16,600 yen. Household caps: medical 650,000, support 240,000, care 170,000 yen. The per-capita
/// shares are reduced by 70 / 50 / 20 % when the household's total income is at most 430,000, 430,000 + 295,000 × members,
/// or 430,000 + 545,000 × members. People 75 and over are on late-elderly medical care (後期高齢者医療), not here.
/// The household's annual amount is rounded down to 100 yen (the difference comes off the first member's share).
/// </summary>
public static class NationalHealthInsuranceRules
{
    public const int LateElderlyAge = 75;
    private const long ResidualDeduction = 430_000;

    public static NhiPremium HouseholdPremium(IReadOnlyList<NhiMemberInput> members)
    {
        if (members.Count == 0) throw new BusinessSystemException(BusinessSystemException.InvalidInput, "国民健康保険の世帯に被保険者がいません");
        var householdIncome = members.Sum(m => Math.Max(0, m.TotalIncome));
        var reduction = householdIncome <= ResidualDeduction ? 70
            : householdIncome <= ResidualDeduction + 295_000L * members.Count ? 50
            : householdIncome <= ResidualDeduction + 545_000L * members.Count ? 20 : 0;
        decimal keep = (100 - reduction) / 100m;

        long Part(decimal rate, long perCapita, long cap, Func<NhiMemberInput, bool> applies, out long[] perMember)
        {
            perMember = new long[members.Count];
            long total = 0;
            for (var i = 0; i < members.Count; i++)
            {
                if (!applies(members[i])) continue;
                var basis = Math.Max(0, members[i].TotalIncome - ResidualDeduction);
                perMember[i] = (long)(basis * rate) + (long)(perCapita * keep);
                total += perMember[i];
            }
            if (total > cap)
            {
                // Share the cap in proportion; rounding leftovers go to the first member who pays this part.
                var scale = (decimal)cap / total;
                for (var i = 0; i < perMember.Length; i++) perMember[i] = (long)(perMember[i] * scale);
                perMember[Array.FindIndex(perMember, p => p > 0)] += cap - perMember.Sum();
                total = cap;
            }
            return total;
        }

        Part(0.0771m, 47_300, 650_000, _ => true, out var medical);
        Part(0.0269m, 16_800, 240_000, _ => true, out var support);
        Part(0.0225m, 16_600, 170_000, m => m.Age is >= 40 and < 65, out var care);
        var each = members.Select((_, i) => medical[i] + support[i] + care[i]).ToList();
        // Rounded down to 100 yen per household; the difference comes off the first member.
        var rounded = each.Sum() / 100 * 100;
        each[0] -= each.Sum() - rounded;
        return new NhiPremium(each.Sum(), reduction, each);
    }
}

/// <summary>An NHI household to load (国保世帯): the register household, its head (世帯主, who pays) and insured members.</summary>
public sealed record NhiHousehold(string HouseholdNumber, IntegratedAddresseeNumber Head, DateOnly QualifiedOn, int FiscalYear,
    IReadOnlyList<NhiMemberInput> Members, NhiPremium Premium);

/// <summary>The 国民健康保険関係情報 body provided to other systems.</summary>
public sealed record NationalHealthInsuranceInformation(bool Insured, DateOnly QualifiedOn, int FiscalYear, long MemberPremium, long HouseholdPremium,
    int ReductionPercent, int HouseholdMembers);

/// <summary>
/// The national health insurance system (国民健康保険システム, tables <c>nhi_*</c>): households not covered by employee
/// insurance, their insured members under 75, and premiums from income. Serves <c>national-health-insurance</c>;
/// provides <c>national-health-insurance</c> (an information kind of the intermediate server). The payer of a household
/// is the register head even when not insured (擬制世帯主). Numbers are kept 5 years after the loss of qualification.
/// </summary>
public sealed class NationalHealthInsuranceSystem(AddresseeSystem addressee, RetentionPolicy? retention = null)
    : BusinessSystemStore(addressee, Code, "nhi_", retention ?? DefaultRetention)
{
    public const string Code = "national-health-insurance";
    public const string Kind = "national-health-insurance";
    public static readonly RetentionPolicy DefaultRetention = new(5);

    public override string Name => "国民健康保険システム";
    public override IReadOnlyList<string> InformationKinds { get; } = [Kind];

    public long Import(IEnumerable<NhiHousehold> households)
    {
        var list = households.ToList();
        return Database.InTransaction((connection, transaction) =>
        {
            var ids = EnrolMany(connection, transaction,
                list.Select(h => (h.Head, h.QualifiedOn)).Concat(list.SelectMany(h => h.Members.Select(m => (m.Subject, h.QualifiedOn)))).ToList());
            var firstHousehold = connection.Command("SELECT COALESCE(MAX(nhi_household_id), 0) FROM nhi_households", transaction).ScalarInt64() + 1;
            using (var insert = BulkInsert.Begin(connection, "nhi_households", "nhi_household_id", "household_number", "head_person_id", "fiscal_year", "annual_premium", "reduction_percent"))
            {
                for (var i = 0; i < list.Count; i++)
                    insert.Row(firstHousehold + i, list[i].HouseholdNumber, ids[list[i].Head.ToInt64()], (long)list[i].FiscalYear, list[i].Premium.AnnualPremium, (long)list[i].Premium.ReductionPercent);
                insert.Complete();
            }
            using (var insert = BulkInsert.Begin(connection, "nhi_members", "person_id", "nhi_household_id", "qualified_on", "annual_premium"))
            {
                for (var i = 0; i < list.Count; i++)
                    for (var m = 0; m < list[i].Members.Count; m++)
                        insert.Row(ids[list[i].Members[m].Subject.ToInt64()], firstHousehold + i, Dates.Format(list[i].QualifiedOn), list[i].Premium.MemberPremiums[m]);
                insert.Complete();
                return insert.Rows;
            }
        });
    }

    public override ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf)
    {
        RequireKind(informationKind);
        using var connection = Database.Open();
        using var command = connection.Command("""
            SELECT m.qualified_on, h.fiscal_year, m.annual_premium, h.annual_premium, h.reduction_percent,
                   (SELECT COUNT(*) FROM nhi_members x WHERE x.nhi_household_id = h.nhi_household_id AND x.lost_on IS NULL)
            FROM nhi_members m JOIN nhi_persons p ON p.person_id = m.person_id JOIN nhi_households h ON h.nhi_household_id = m.nhi_household_id
            WHERE p.addressee_number = @a AND m.lost_on IS NULL
            """).With("@a", subject.ToInt64());
        using var r = command.ExecuteReader();
        if (!r.Read()) return null;
        return Information(Kind, subject, asOf, new NationalHealthInsuranceInformation(true, Dates.Parse(r.GetString(0)), (int)r.GetInt64(1),
            r.GetInt64(2), r.GetInt64(3), (int)r.GetInt64(4), (int)r.GetInt64(5)));
    }

    /// <summary>Whether the person is an insured member now.</summary>
    public bool IsInsured(IntegratedAddresseeNumber subject)
    {
        using var connection = Database.Open();
        return connection.Command("SELECT COUNT(*) FROM nhi_members m JOIN nhi_persons p ON p.person_id = m.person_id WHERE p.addressee_number = @a AND m.lost_on IS NULL")
            .With("@a", subject.ToInt64()).ScalarInt64() > 0;
    }

    protected override void OnRelationshipEnded(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        IntegratedAddresseeNumber addressee, DateOnly endedOn) =>
        connection.Command("UPDATE nhi_members SET lost_on = @d WHERE lost_on IS NULL AND person_id = (SELECT person_id FROM nhi_persons WHERE addressee_number = @a)", transaction)
            .With("@d", Dates.Format(endedOn)).With("@a", addressee.ToInt64()).ExecuteNonQuery();
}
