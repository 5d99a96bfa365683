using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Intermediate.Contracts;
using IntermediateAid = Renkei.Intermediate.Contracts.AidType;
using IntermediateCareLevel = Renkei.Intermediate.Contracts.CareLevel;

namespace Renkei.Municipality.Business;

/// <summary>
/// Sends the business systems' copies to the ward's intermediate server (中間サーバー) over its published HTTP contract.
/// Each business system describes a person in its own terms; this adapter maps them to the information kinds the
/// intermediate server publishes (policy/intermediate/information-kinds.json), which carry no number and none of the
/// four basic facts.
/// </summary>
/// <remarks>
/// Versions: a copy's version is the send time in microseconds, so a later send always supersedes an earlier one
/// and an unchanged body is reported as unchanged. The intermediate request id is derived from the feeder's batch id
/// and that version, so a resend is a new request while a retried HTTP call of the same send is idempotent.
/// Every batch is sent for <paramref name="actor"/>, which the intermediate server keeps with the change: the staff member,
/// terminal and affair when a clerk's action sends it, <see cref="Job"/> (or another system actor) for a feed job.
/// </remarks>
public sealed class IntermediateHttpFeed(IIntermediateClient client, string holderCode, Actor actor, TimeProvider? clock = null) : IIntermediateFeed
{
    /// <summary>The affair of copy registration (副本登録) by a feed job.</summary>
    public const string FeedAffair = "copy-registration";

    /// <summary>The ward's copy feed acting as a job of its own (bulk and incremental sends).</summary>
    public static readonly Actor Job = Actor.System("copy-feed", FeedAffair);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task SendAsync(Guid requestId, IReadOnlyList<IntermediateCopy> copies, CancellationToken cancellationToken = default)
    {
        if (copies.Count == 0) return;
        var version = _clock.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        var updates = copies.Select(copy => ToUpdate(copy, version)).ToList();
        var response = await client.LoadBatchAsync(new LoadBatchRequest(SendId(requestId, version), holderCode, updates, actor), cancellationToken);
        var refused = response.Ignored.Where(i => i.Code != "stale" && i.Code != "unchanged").ToList();
        if (refused.Count > 0)
            throw new BusinessSystemException("intermediate-refused",
                $"the intermediate server refused {refused.Count} copy(ies): {refused[0].Kind} ({refused[0].Code}: {refused[0].Reason})");
    }

    public static CopyUpdate ToUpdate(IntermediateCopy copy, long version) =>
        new(copy.Subject.ToInt64(), copy.InformationKind, copy.AsOf, version, MapBody(copy.InformationKind, copy.Body, copy.AsOf));

    /// <summary>Maps a business system's body to the intermediate server's schema for that kind.</summary>
    public static JsonElement MapBody(string kind, JsonElement body, DateOnly asOf) => kind switch
    {
        InformationKindCodes.LocalTax => Map<LocalTaxInformation>(body, tax => new LocalTaxBody(
            tax.FiscalYear,
            Taxable: tax.Status != ResidenceTaxStatus.NonTaxable,
            tax.TotalIncome,
            TotalDeductions: Math.Max(0, tax.TotalIncome - tax.TaxableIncome),
            tax.TaxableIncome,
            IncomeBasedTaxAmount: tax.IncomeLevy,
            tax.PerCapitaLevy,
            DependantsCount: tax.Dependants)),
        InformationKindCodes.ChildAllowance => Map<ChildAllowanceInformation>(body, allowance => new ChildAllowanceBody(
            Eligible: allowance.Recipient,
            ChildrenCount: allowance.Children,
            allowance.MonthlyAmount,
            PeriodFrom: allowance.CertifiedOn ?? asOf,
            PeriodTo: null)),
        InformationKindCodes.NursingCareInsurance => Map<NursingCareInformation>(body, care => new NursingCareInsuranceBody(
            care.Category == 1 ? InsuredCategory.First : InsuredCategory.Second,
            Enum.Parse<IntermediateCareLevel>(care.CareLevel.ToString()),
            PremiumStage: Math.Max(1, care.PremiumStage ?? 1),
            CertifiedUntil: null)),
        InformationKindCodes.NationalHealthInsurance => Map<NationalHealthInsuranceInformation>(body, nhi => new NationalHealthInsuranceBody(
            InsuredSince: nhi.QualifiedOn,
            InsuredUntil: nhi.Insured ? null : asOf,
            HouseholdHead: nhi.HouseholdPremium > 0 && nhi.HouseholdPremium == nhi.MemberPremium && nhi.HouseholdMembers == 1,
            AnnualPremium: nhi.MemberPremium)),
        InformationKindCodes.PublicAssistance => Map<PublicAssistanceInformation>(body, assistance => new PublicAssistanceBody(
            assistance.Receiving,
            Since: assistance.StartedOn,
            assistance.AidTypes.Select(ToIntermediate).ToList())),
        _ => throw new BusinessSystemException("unknown-information-kind", $"no intermediate-server mapping for information kind '{kind}'"),
    };

    private static IntermediateAid ToIntermediate(AidType aid) => aid switch
    {
        AidType.Living => IntermediateAid.Livelihood,
        AidType.Housing => IntermediateAid.Housing,
        AidType.Education => IntermediateAid.Education,
        AidType.Medical => IntermediateAid.Medical,
        AidType.Care => IntermediateAid.NursingCare,
        _ => throw new ArgumentOutOfRangeException(nameof(aid)),
    };

    private static JsonElement Map<TInformation>(JsonElement body, Func<TInformation, object> map) =>
        JsonSerializer.SerializeToElement(map(body.Deserialize<TInformation>(JsonDefaults.Options)
            ?? throw new BusinessSystemException("invalid-copy", $"an empty {typeof(TInformation).Name} body")), JsonDefaults.Options);

    private static Guid SendId(Guid batchId, long version)
    {
        Span<byte> input = stackalloc byte[24];
        batchId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], version);
        return new Guid(SHA256.HashData(input)[..16]);
    }
}
