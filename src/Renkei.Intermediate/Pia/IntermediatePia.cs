using Renkei.Infrastructure.Pia;

namespace Renkei.Intermediate.Pia;

/// <summary>
/// An intermediate server's specific-personal-information files (policy/pia/intermediate.json) and their people in its own
/// database: each holder's addressees with a copy, and those with a bound token.
/// </summary>
public static class IntermediatePia
{
    public static InstitutionPia Files { get; } = new(typeof(IntermediatePia).Assembly, "policy/pia/intermediate.json", new Dictionary<string, string>
    {
        ["copy-subjects"] = "SELECT COUNT(*) FROM (SELECT DISTINCT holder_code, addressee_number FROM intermediate_copies) subjects",
        ["token-subjects"] = "SELECT COUNT(*) FROM intermediate_tokens",
    }, IntermediateSchema.Tables);
}
