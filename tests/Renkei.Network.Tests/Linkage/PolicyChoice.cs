using Renkei.Network.Contracts;
using Renkei.Network.Policy;

namespace Renkei.Network.Tests.Linkage;

/// <summary>Linkages chosen from the network's default policy, so the tests follow the policy data rather than repeat it.</summary>
internal static class PolicyChoice
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(9));

    /// <summary>A row that allows <paramref name="inquirer"/> → <paramref name="provider"/> today.</summary>
    public static PolicyRow Allowed(LinkagePolicy policy, InstitutionClass inquirer, InstitutionClass provider) =>
        policy.Rows.First(r => r.InquirerClass == inquirer && r.ProviderClass == provider && policy.Check(inquirer, r.Affair, provider, r.Kind, Today).IsAllowed);

    /// <summary>A row whose combination is not in force the day before it starts (no earlier row for it).</summary>
    public static (PolicyRow Row, DateOnly Date) NotInForce(LinkagePolicy policy, InstitutionClass inquirer, InstitutionClass provider)
    {
        var row = policy.Rows.First(r => r.InquirerClass == inquirer && r.ProviderClass == provider
            && policy.Check(inquirer, r.Affair, provider, r.Kind, r.EffectiveFrom.AddDays(-1)).RefusalCode == RefusalCodes.NotInForce);
        return (row, row.EffectiveFrom.AddDays(-1));
    }

    /// <summary>A kind the policy knows for which the affair of <paramref name="allowed"/> has no row at all.</summary>
    public static string KindWithoutRow(LinkagePolicy policy, PolicyRow allowed) =>
        policy.Kinds.Select(k => k.Code).First(k =>
            policy.Check(allowed.InquirerClass, allowed.Affair, allowed.ProviderClass, k, Today).RefusalCode == RefusalCodes.NoPolicyRow);
}
