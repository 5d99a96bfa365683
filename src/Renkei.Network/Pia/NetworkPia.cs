using Renkei.Infrastructure.Pia;

namespace Renkei.Network.Pia;

/// <summary>
/// The network's specific-personal-information files (policy/pia/network.json) and their people in network.db: every person
/// with an id code behind the tokens, and every person with at least one provision record (情報提供等記録).
/// </summary>
public static class NetworkPia
{
    public static InstitutionPia Files { get; } = new(typeof(NetworkPia).Assembly, "policy/pia/network.json", new Dictionary<string, string>
    {
        ["id-codes"] = "SELECT COUNT(*) FROM net_id_codes",
        ["recorded-people"] = "SELECT COUNT(DISTINCT id_code) FROM net_record_index",
    }, NetworkSchema.Tables);
}
