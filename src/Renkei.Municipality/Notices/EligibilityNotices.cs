using System.Security.Cryptography;
using System.Text;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Network.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Notices;

/// <summary>Settings of <see cref="EligibilityNotices"/>.</summary>
public sealed record EligibilityNoticeOptions
{
    /// <summary>The portal the notices are read in (its institution code on the network).</summary>
    public string Portal { get; init; } = PortalRoutes.DemoPortalCode;

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The terminal the operation log records for notices sent by a system actor.</summary>
    public string Terminal { get; init; } = "eligibility-notices";
}

/// <summary>A household that may be eligible for 児童手当 and has not applied: its head (the notice's addressee), when it arrived, how many children.</summary>
public sealed record ChildAllowanceCandidate(IntegratedAddresseeNumber Head, string HouseholdNumber, DateOnly ArrivedOn, int Children);

/// <summary>What became of one notice: sent (stored at the network) or not, with the reason code and a Japanese message.</summary>
public sealed record EligibilityNoticeResult(IntegratedAddresseeNumber Addressee, Guid NoticeId, bool Sent, string? ReasonCode, string Message,
    DateTimeOffset? StoredAt);

/// <summary>
/// Push-type notices (プッシュ型サービス) of possible eligibility, found from what the ward holds: a household that arrived
/// after 1 January with a child under 18 and no 児童手当 application (neither 認定請求 workflow names any of its members)
/// gets 「児童手当の認定請求のご案内」 at its head. The notice holds no number and no name; it goes through the ward's
/// intermediate server (<see cref="IntermediateNodeRoutes.SendNotice"/>), which seals it to the portal and pushes it by the
/// ward's token, so the network stores it unread. The notice id is derived from the ward, the addressee and the year, so
/// sending again is a no-op at the network. Every send — refusals and failures too — is written to the operation log
/// (<see cref="OperationAction.NoticeSent"/>) under the staff member (acting in 児童手当) or the system actor given.
/// </summary>
public sealed class EligibilityNotices
{
    /// <summary>The system actor for notices sent by a batch or the demo.</summary>
    public const string SystemActor = "お知らせ送信";

    public const string ChildAllowanceTitle = "児童手当の認定請求のご案内";
    public const string ChildAllowanceAffair = "child-allowance";
    public const int ChildAgeLimit = 18;

    public static class Codes
    {
        public const string NotEligible = "not-eligible";
        public const string AlreadyApplied = "already-applied";
        public const string AffairMismatch = "affair-mismatch";
    }

    private readonly ApplicationStore _store;
    private readonly AddresseeSystem _addressee;
    private readonly IIntermediateNoticeClient _intermediate;
    private readonly EligibilityNoticeOptions _options;

    public EligibilityNotices(ApplicationStore store, AddresseeSystem addressee, IIntermediateNoticeClient intermediate, EligibilityNoticeOptions? options = null)
    {
        _store = store;
        _addressee = addressee;
        _intermediate = intermediate;
        _options = options ?? new EligibilityNoticeOptions();
        _store.EnsureSchema();
    }

    private ResidentRegister Register => _addressee.Register;

    /// <summary>Households that may be eligible for 児童手当 on <paramref name="today"/> and have no application, by head.</summary>
    public IReadOnlyList<ChildAllowanceCandidate> ChildAllowanceCandidates(DateOnly today)
    {
        var applied = AppliedAddressees();
        var candidates = new List<ChildAllowanceCandidate>();
        foreach (var household in _addressee.Population().GroupBy(m => m.HouseholdNumber))
        {
            var head = household.FirstOrDefault(m => m.Relationship == Relationship.Head);
            if (head is null) continue;
            if (Candidate(head.ResidentId, household.ToList(), today, applied) is { } candidate) candidates.Add(candidate);
        }
        return candidates;
    }

    /// <summary>Sends the 児童手当 guidance to <paramref name="addressee"/> (a household head) for a staff member acting in 児童手当.</summary>
    public Task<EligibilityNoticeResult> SendChildAllowanceGuidanceAsync(StaffSession session, IntegratedAddresseeNumber addressee, DateOnly today,
        string? terminal = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (session.ChosenAffair != ChildAllowanceAffair)
        {
            Record(session.StaffId.Value, terminal, session.ChosenAffair, addressee, OperationResult.Refused, $"お知らせ 拒否 {Codes.AffairMismatch} {ChildAllowanceTitle}");
            return Task.FromResult(new EligibilityNoticeResult(addressee, Guid.Empty, false, Codes.AffairMismatch,
                "児童手当の事務を選択してからお知らせを送ってください (act in the child-allowance affair)", null));
        }
        return SendAsync(session.StaffId.Value, terminal, session.ChosenAffair, addressee, today, cancellationToken);
    }

    /// <summary>Sends the 児童手当 guidance to <paramref name="addressee"/> (a household head) as a system actor (a batch, the demo).</summary>
    public Task<EligibilityNoticeResult> SendChildAllowanceGuidanceAsync(string systemActor, IntegratedAddresseeNumber addressee, DateOnly today,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(systemActor);
        return SendAsync(systemActor, null, ChildAllowanceAffair, addressee, today, cancellationToken);
    }

    private async Task<EligibilityNoticeResult> SendAsync(string actor, string? terminal, string? affair, IntegratedAddresseeNumber addressee, DateOnly today,
        CancellationToken cancellationToken)
    {
        var noticeId = NoticeId(addressee, today.Year);
        var person = _addressee.Find(addressee);
        ChildAllowanceCandidate? candidate = null;
        var applied = AppliedAddressees();
        if (person is { ResidentId: { } residentId, Status: RegisterStatus.Resident } && Register.Find(residentId) is { } resident)
        {
            var household = _addressee.Population().Where(m => m.HouseholdNumber == resident.HouseholdNumber).ToList();
            candidate = Candidate(residentId, household, today, applied);
            if (candidate is null && household.Any(m => applied.Contains(m.AddresseeNumber)))
                return Refuse(actor, terminal, affair, addressee, noticeId, Codes.AlreadyApplied,
                    "この世帯は児童手当を申請済みです (the household has applied already)");
        }
        if (candidate is null)
            return Refuse(actor, terminal, affair, addressee, noticeId, Codes.NotEligible,
                "1月2日以降に転入した、18歳未満の子どものいる世帯の世帯主ではありません (not the head of a household that arrived after 1 January with a child)");

        var content = new NoticeContent(ChildAllowanceTitle,
            "1月2日以降に転入されたご世帯で、18歳未満のお子さまがいらっしゃいますが、児童手当の認定請求がまだ確認できません。"
            + "児童手当は、お住まいの区市町村への認定請求が必要で、原則として請求した月の翌月分から支給されます。"
            + "転入した日（転入予定日）の翌日から15日以内に請求すると、転入した月の翌月分から受け取れます。"
            + "マイナポータルの電子申請（子育てワンストップ：児童手当・保育所等の利用申込み）または区の窓口で請求できます。",
            "子育て", candidate.ArrivedOn.AddDays(15) >= today ? candidate.ArrivedOn.AddDays(15) : null);
        PushNoticeAccepted accepted;
        try
        {
            accepted = await _intermediate.SendNoticeAsync(new SendNoticeRequest(noticeId, Register.Municipality.Digits, addressee.ToInt64(), _options.Portal, content,
                new Actor(actor, terminal ?? _options.Terminal, affair ?? ChildAllowanceAffair)), cancellationToken);
        }
        catch (Exception e) when (e is IntermediateException or HttpRequestException or TaskCanceledException)
        {
            var code = e is IntermediateException ie ? ie.Code : "intermediate-unavailable";
            Record(actor, terminal, affair, addressee, OperationResult.Failed, $"お知らせ 失敗 {code} {ChildAllowanceTitle} {noticeId:D}");
            return new EligibilityNoticeResult(addressee, noticeId, false, code,
                $"中間サーバー経由でお知らせを送れませんでした（{code}）。後で同じ操作をやり直してください", null);
        }
        Record(actor, terminal, affair, addressee, OperationResult.Success, $"お知らせ送信 {ChildAllowanceTitle} {noticeId:D} → {_options.Portal}");
        return new EligibilityNoticeResult(addressee, noticeId, true, null, "お知らせを送信しました", accepted.StoredAt);
    }

    private ChildAllowanceCandidate? Candidate(long headResidentId, IReadOnlyList<PopulationMember> household, DateOnly today,
        HashSet<IntegratedAddresseeNumber> applied)
    {
        var head = household.FirstOrDefault(m => m.ResidentId == headResidentId);
        if (head is null || head.Relationship != Relationship.Head) return null;
        if (Arrivals.AfterJanuaryFirst(Register, headResidentId, today) is not { } arrival) return null;
        var children = household.Count(m => m.ResidentId != headResidentId && Age(m.BirthDate, today) < ChildAgeLimit);
        if (children == 0 || household.Any(m => applied.Contains(m.AddresseeNumber))) return null;
        return new ChildAllowanceCandidate(head.AddresseeNumber, head.HouseholdNumber, arrival.Date, children);
    }

    /// <summary>Everyone named in a 児童手当 application (applicant or member), whatever its state.</summary>
    private HashSet<IntegratedAddresseeNumber> AppliedAddressees() =>
        _store.List(new ApplicationQuery(Limit: 10_000))
            .Where(a => a.Workflow is WorkflowCatalogue.ChildAllowance or WorkflowCatalogue.ChildAllowanceArrival)
            .SelectMany(a => a.Members.Select(m => m.Addressee).Prepend(a.Applicant)).ToHashSet();

    private static int Age(DateOnly birth, DateOnly today)
    {
        var age = today.Year - birth.Year;
        return birth.AddYears(age) > today ? age - 1 : age;
    }

    private Guid NoticeId(IntegratedAddresseeNumber addressee, int year) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"renkei/notices/child-allowance-guidance/{Register.Municipality.Digits}/{addressee.Digits}/{year}")).AsSpan(0, 16));

    private EligibilityNoticeResult Refuse(string actor, string? terminal, string? affair, IntegratedAddresseeNumber addressee, Guid noticeId, string code, string message)
    {
        Record(actor, terminal, affair, addressee, OperationResult.Refused, $"お知らせ 送信せず {code} {ChildAllowanceTitle}");
        return new EligibilityNoticeResult(addressee, noticeId, false, code, message, null);
    }

    private void Record(string actor, string? terminal, string? affair, IntegratedAddresseeNumber addressee, OperationResult result, string detail) =>
        _addressee.Log.Append(new OperationLogEntry(actor, _options.Clock.GetUtcNow(), terminal ?? _options.Terminal, affair, addressee.ToInt64(),
            OperationAction.NoticeSent, result, detail));
}
