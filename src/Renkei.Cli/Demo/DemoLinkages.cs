using Renkei.Cli.Commands;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Network.Contracts;

namespace Renkei.Cli.Demo;

/// <summary>A person the demo moved between wards (the resident-record code finds them in the new ward's register).</summary>
internal sealed record MovedPerson(LocalGovernmentCode From, LocalGovernmentCode To, ResidentCode ResidentCode);

/// <summary>The demo's first linkages, made the way a business system makes them: through the ward's own intermediate server.</summary>
internal static class DemoLinkages
{
    /// <summary>The affair and information kind the new ward asks the previous ward for (児童手当: 地方税関係情報).</summary>
    public const string Affair = "child-allowance";
    public const string Kind = "local-tax";

    /// <summary>The terminal the demo's seeding acts from (the ward's operation log and the intermediate server's records name it).</summary>
    public const string Terminal = "renkei-demo";

    /// <summary>
    /// For every arrival, the new ward asks the ward the person left for its 1 January tax information, as the child
    /// allowance affair may (別表第二). A child-allowance clerk of the new ward acts, at the demo's terminal: the ward's
    /// operation log records every query with its outcome (staff, terminal, affair), and the
    /// intermediate server records the same staff and terminal with its provision record. Request ids derive from the
    /// person and the wards, so a rerun asks nothing twice. Returns how many queries ended in each outcome.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, int>> AskPreviousWardsAsync(DemoCountry country, IReadOnlyList<MovedPerson> moved,
        CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var person in moved)
        {
            var ward = country.Ward(person.To);
            if (ward.Register.FindByCode(person.ResidentCode) is not { } resident) continue;
            var addressees = new AddresseeSystem(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = Terminal });
            if (addressees.ForResident(resident.Id) is not { } addressee) continue;
            var clerk = ward.Staff.First(a => a.Affairs.Contains(Affair, StringComparer.Ordinal)).Id.Value;
            var requestId = DemoGuid.From($"linkage/{person.From.Digits}/{person.To.Digits}/{resident.Id}/{Affair}/{Kind}");
            var answer = await ward.IntermediateClient.QueryAsync(
                new InquiryRequest(requestId, person.To.Digits, addressee.ToInt64(), Affair, person.From.Digits, Kind, Actor: new Actor(clerk, Terminal, Affair)),
                cancellationToken);
            var refused = answer.Outcome == LinkageOutcome.Refused;
            await ward.OperationLog.AppendAsync(new OperationLogEntry(clerk, DateTimeOffset.UtcNow, Terminal, Affair, addressee.ToInt64(),
                refused ? OperationAction.LinkageRefused : OperationAction.LinkageRequested,
                refused ? OperationResult.Refused : answer.Outcome == LinkageOutcome.ProviderUnavailable ? OperationResult.Failed : OperationResult.Success,
                $"情報照会 {answer.Outcome}{(answer.RefusalCode is { } refusal ? " " + refusal : "")} {Kind} → {person.From.Digits} 提供等記録 {answer.NetworkRecordSequence}"),
                cancellationToken);
            var key = answer.Outcome.ToString() + (answer.RefusalCode is { } code ? "(" + code + ")" : "");
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        return outcomes;
    }
}

/// <summary>Deterministic request ids for the demo, so rerunning a step repeats nothing.</summary>
internal static class DemoGuid
{
    public static Guid From(string text) =>
        new(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes("renkei-demo/" + text)));
}
