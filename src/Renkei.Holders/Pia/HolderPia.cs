using Renkei.Infrastructure.Pia;

namespace Renkei.Holders.Pia;

/// <summary>
/// A holder's specific-personal-information files (policy/pia/holder-pension.json or holder-insurer.json, by its kind) and their
/// people in holder.db: the pension organisation's members, or an insurer's insured (lost qualifications within retention included).
/// </summary>
public static class HolderPia
{
    private static readonly InstitutionPia Pension = new(typeof(HolderPia).Assembly, "policy/pia/holder-pension.json", new Dictionary<string, string>
    {
        ["pension-members"] = "SELECT COUNT(*) FROM pension_members",
    }, HoldersSchema.Tables);

    private static readonly InstitutionPia Insurer = new(typeof(HolderPia).Assembly, "policy/pia/holder-insurer.json", new Dictionary<string, string>
    {
        ["insured-people"] = "SELECT COUNT(DISTINCT person_id) FROM insurance_qualifications",
    }, HoldersSchema.Tables);

    public static InstitutionPia Files(HolderKind kind) => kind switch
    {
        HolderKind.PensionOrganisation => Pension,
        HolderKind.HealthInsurer => Insurer,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
