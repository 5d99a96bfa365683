using Renkei.Infrastructure.Pia;

namespace Renkei.Jlis.Pia;

/// <summary>
/// J-LIS's specific-personal-information files (policy/pia/jlis.json) and their people in jlis.db: everyone ever numbered
/// (former residents and the deceased within retention included), everyone J-LIS knows by a resident code (numbered, or issued a code), every card holder.
/// </summary>
public static class JlisPia
{
    public static InstitutionPia Files { get; } = new(typeof(JlisPia).Assembly, "policy/pia/jlis.json", new Dictionary<string, string>
    {
        ["numbered-people"] = "SELECT COUNT(*) FROM jlis_number_map",
        ["resident-codes"] = "SELECT COUNT(*) FROM (SELECT resident_code FROM jlis_number_map UNION SELECT resident_code FROM jlis_resident_codes) known",
        ["card-holders"] = "SELECT COUNT(DISTINCT resident_code) FROM card_cards",
    }, JlisSchema.Tables);
}
