using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Staff;

/// <summary>
/// Whether a session may search, view or change the resident register, with a stable reason code, a Japanese message for
/// the screen and an English one for API problem bodies (never personal data). Only <see cref="ResidentRecordAccess"/>
/// makes one.
/// </summary>
public sealed class ResidentRecordAccessDecision
{
    public const string AllowedReason = "allowed";
    public const string NoSession = NumberVisibilityDecision.NoSession;
    public const string NoAffairChosen = NumberVisibilityDecision.NoAffairChosen;
    public const string AffairNotAssigned = NumberVisibilityDecision.AffairNotAssigned;
    public const string RoleWithoutResidentRecords = "role-without-resident-records";

    /// <summary>The chosen affair's need to know does not include the use asked for (e.g. a library clerk opening a resident).</summary>
    public const string AffairWithoutUse = "affair-without-resident-records";

    internal ResidentRecordAccessDecision(bool allowed, string reasonCode, string message, string english, ResidentRecordUse use, string? affairCode)
    {
        Allowed = allowed;
        ReasonCode = reasonCode;
        Message = message;
        English = english;
        Use = use;
        AffairCode = affairCode;
    }

    public bool Allowed { get; }

    /// <summary><see cref="AllowedReason"/>, one of the constants here, or a reason of <see cref="AffairNumberUseDecision"/> (unknown or not in force).</summary>
    public string ReasonCode { get; }

    /// <summary>Japanese, for the screen.</summary>
    public string Message { get; }

    /// <summary>English, for the API's problem bodies (which read "日本語 (English)").</summary>
    public string English { get; }

    public ResidentRecordUse Use { get; }
    public string? AffairCode { get; }

    /// <summary>The API's problem-body text.</summary>
    public string ProblemMessage => $"{Message} ({English})";
}

/// <summary>
/// The need-to-know rule for the resident register (DESIGN.md rules 7 and 10), for the staff API and the staff console
/// alike: a session may search, view (resident pages and certificate data: four facts, household, 続柄, moves) or change the
/// register only when
/// <list type="number">
/// <item>its role works cases (clerk or supervisor — auditors review logs and administrators manage accounts);</item>
/// <item>it acts in a chosen affair that is assigned to it, known and in force on the day; and</item>
/// <item>that affair's <c>residentRecords</c> in the affair catalogue (<see cref="Affair.ResidentRecords"/>) lists the use.</item>
/// </list>
/// The table itself is data: <c>policy/municipality/affairs-*.json</c>; this method is the only place it is consulted.
/// </summary>
public static class ResidentRecordAccess
{
    public static ResidentRecordAccessDecision Decide(StaffSession? session, ResidentRecordUse use, DateOnly date)
    {
        if (use is not (ResidentRecordUse.Search or ResidentRecordUse.View or ResidentRecordUse.Change))
            throw new ArgumentOutOfRangeException(nameof(use), "decide one use at a time");
        var what = use.ToJapanese();
        if (session is null)
            return new(false, ResidentRecordAccessDecision.NoSession, "ログインしていません", "staff session required", use, null);
        var affair = session.ChosenAffair;
        if (!session.Role.MayHandleNumbers())
            return new(false, ResidentRecordAccessDecision.RoleWithoutResidentRecords, $"{session.Role.ToJapanese()}は{what}を行えません",
                $"this role may not {use.ToCode()} resident records", use, affair);
        if (affair is null)
            return new(false, ResidentRecordAccessDecision.NoAffairChosen, $"事務を選択してから{what}を行ってください",
                $"choose an affair to {use.ToCode()} resident records", use, null);
        if (!session.IsAssigned(affair))
            return new(false, ResidentRecordAccessDecision.AffairNotAssigned, "担当していない事務です", "affair not assigned to this staff member", use, affair);
        var inForce = session.Catalogue.Find(affair, date);
        if (inForce is null)
        {
            var known = session.Catalogue.Find(affair) is not null;
            return new(false, known ? AffairNumberUseDecision.NotInForce : AffairNumberUseDecision.UnknownAffair,
                known ? "選択中の事務は本日施行されていません" : "登録されていない事務です",
                known ? "the chosen affair is not in force today" : "unknown affair", use, affair);
        }
        if (!inForce.Allows(use))
            return new(false, ResidentRecordAccessDecision.AffairWithoutUse, $"{inForce.Name}では{what}を行えません（業務上必要な事務に限ります）",
                $"the chosen affair may not {use.ToCode()} resident records: need to know", use, affair);
        return new(true, ResidentRecordAccessDecision.AllowedReason, $"{inForce.Name}による{what}", "allowed", use, affair);
    }
}
