using Renkei.Municipality.Addressee;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Staff;

namespace Renkei.Municipality.IntraLinkage;

/// <summary>
/// The answer to an intra-municipality linkage request. Allowed: <see cref="Information"/> is the provider's answer
/// (null when the provider holds nothing on the person). Refused: <see cref="ReasonCode"/> is one of
/// <see cref="IntraMunicipalLinkageDecision"/>'s codes (the ordinance table's verdict), or <see cref="NoAffairChosen"/>,
/// a <see cref="NumberVisibilityDecision"/> code (the staff member is not entitled), <see cref="ProviderUnavailable"/>
/// or <see cref="UnknownAddressee"/>; <see cref="Message"/> says why in Japanese.
/// </summary>
public sealed record LinkageResult(bool Allowed, string ReasonCode, string Message, IntraMunicipalLinkageRule? Rule, ProvidedInformation? Information)
{
    public const string NoAffairChosen = NumberVisibilityDecision.NoAffairChosen;
    public const string ProviderUnavailable = "provider-unavailable";
    public const string UnknownAddressee = "unknown-addressee";
}

/// <summary>
/// Intra-municipality linkage (庁内連携): a business system, working an affair for a person, obtains an information kind
/// from another business system of the ward — only where the ward's ordinance table
/// (<see cref="IntraMunicipalLinkagePolicy"/>) has a row in force for (inquirer, the session's chosen affair, provider,
/// kind), and only for a staff member entitled to act in that affair with numbers. The person is named by integrated
/// addressee number; the answer never contains an individual number. Every request is appended to the operation log:
/// <see cref="OperationAction.LinkageRequested"/> when answered, <see cref="OperationAction.LinkageRefused"/> with the
/// reason code when refused (trust rule 5).
/// </summary>
public sealed class IntraMunicipalLinkage
{
    private readonly Dictionary<string, IInformationProvider> _providers;
    private readonly OperationRecorder _recorder;

    public IntraMunicipalLinkage(IntraMunicipalLinkagePolicy policy, AddresseeSystem addressee, IEnumerable<IInformationProvider> providers)
    {
        Policy = policy;
        Addressee = addressee;
        _recorder = addressee.Recorder;
        _providers = providers.ToDictionary(p => p.SystemCode, StringComparer.Ordinal);
    }

    /// <summary>Linkage among the five business systems and the resident register.</summary>
    public IntraMunicipalLinkage(IntraMunicipalLinkagePolicy policy, MunicipalBusinessSystems systems)
        : this(policy, systems.Addressee, systems.All.Cast<IInformationProvider>().Append(new ResidentRecordProvider(systems.Addressee)))
    {
    }

    public IntraMunicipalLinkagePolicy Policy { get; }
    public AddresseeSystem Addressee { get; }
    public IReadOnlyCollection<string> ProviderSystems => _providers.Keys;

    public LinkageResult Request(StaffSession session, string inquirerSystem, string providerSystem, string informationKind,
        IntegratedAddresseeNumber addresseeNumber, DateOnly date, string? terminal = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var what = $"{Clip(inquirerSystem)}→{Clip(providerSystem)} {Clip(informationKind)}";

        LinkageResult Refuse(string code, string message, IntraMunicipalLinkageRule? rule = null)
        {
            _recorder.Record(session, terminal, addresseeNumber, OperationAction.LinkageRefused, OperationResult.Refused, $"庁内連携 {what}: 拒否 {code}");
            return new LinkageResult(false, code, message, rule, null);
        }

        if (session.ChosenAffair is null)
            return Refuse(LinkageResult.NoAffairChosen, "事務を選択してから照会してください");
        var decision = Policy.Check(inquirerSystem, session.ChosenAffair, providerSystem, informationKind, date);
        if (!decision.Allowed) return Refuse(decision.ReasonCode, decision.Message);
        var entitled = NumberVisibility.Decide(session, date);
        if (!entitled.Visible) return Refuse(entitled.ReasonCode, entitled.Message, decision.Rule);
        if (!_providers.TryGetValue(providerSystem, out var provider))
            return Refuse(LinkageResult.ProviderUnavailable, "照会先の業務システムはこの区では稼働していません", decision.Rule);
        if (Addressee.Find(addresseeNumber) is null)
            return Refuse(LinkageResult.UnknownAddressee, "団体内統合宛名番号が登録されていません", decision.Rule);

        ProvidedInformation? information;
        try
        {
            information = provider.Provide(informationKind, addresseeNumber, date);
        }
        catch (Exception)
        {
            _recorder.Record(session, terminal, addresseeNumber, OperationAction.LinkageRequested, OperationResult.Failed, $"庁内連携 {what}: 失敗");
            throw;
        }
        _recorder.Record(session, terminal, addresseeNumber, OperationAction.LinkageRequested, OperationResult.Success,
            $"庁内連携 {what}: {(information is null ? "該当なし" : "提供")} ({decision.Rule!.Article})");
        return new LinkageResult(true, IntraMunicipalLinkageDecision.Allow, decision.Message, decision.Rule, information);
    }

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] : text;
}
