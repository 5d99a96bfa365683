using Renkei.Core.Numbers;

namespace Renkei.Municipality.Staff;

/// <summary>
/// The decision whether a staff member may see individual numbers on a day (trust rule 7), with a stable reason code.
/// Only <see cref="NumberVisibility"/> makes one, so code elsewhere cannot build a "visible" decision by hand.
/// Decide per request: a decision is for the session state and date it was made with.
/// </summary>
public sealed class NumberVisibilityDecision
{
    public const string VisibleReason = "visible";
    public const string NoSession = "no-session";
    public const string NoAffairChosen = "no-affair-chosen";
    public const string AffairNotAssigned = "affair-not-assigned";
    public const string RoleWithoutNumbers = "role-without-number-access";

    internal NumberVisibilityDecision(bool visible, string reasonCode, string message, StaffId? staff, string? affairCode, DateOnly date)
    {
        Visible = visible;
        ReasonCode = reasonCode;
        Message = message;
        Staff = staff;
        AffairCode = affairCode;
        Date = date;
    }

    public bool Visible { get; }

    /// <summary><see cref="VisibleReason"/>, one of the constants here, or a reason of <see cref="Affairs.AffairNumberUseDecision"/>.</summary>
    public string ReasonCode { get; }

    /// <summary>Japanese explanation for the screen; never contains a number.</summary>
    public string Message { get; }

    public StaffId? Staff { get; }
    public string? AffairCode { get; }
    public DateOnly Date { get; }
}

/// <summary>
/// Whether a session may see individual numbers: only a clerk or supervisor (auditors review logs and administrators
/// manage accounts — neither handles numbers), acting in a chosen affair that is assigned to them, known, in force on the
/// day and allowed to use numbers (別表第一, another statute, an ordinance or a special arrangement).
/// </summary>
public static class NumberVisibility
{
    public static bool CanSeeNumbers(StaffSession? session, DateOnly date) => Decide(session, date).Visible;

    public static NumberVisibilityDecision Decide(StaffSession? session, DateOnly date)
    {
        if (session is null)
            return new(false, NumberVisibilityDecision.NoSession, "ログインしていません", null, null, date);
        var affair = session.ChosenAffair;
        if (!session.Role.MayHandleNumbers())
            return new(false, NumberVisibilityDecision.RoleWithoutNumbers, $"{session.Role.ToJapanese()}は個人番号を閲覧できません", session.StaffId, affair, date);
        if (affair is null)
            return new(false, NumberVisibilityDecision.NoAffairChosen, "事務を選択していないため個人番号は表示しません", session.StaffId, null, date);
        if (!session.IsAssigned(affair))
            return new(false, NumberVisibilityDecision.AffairNotAssigned, "担当していない事務です", session.StaffId, affair, date);
        var use = session.Catalogue.CheckNumberUse(affair, date);
        return new(use.Allowed, use.Allowed ? NumberVisibilityDecision.VisibleReason : use.ReasonCode, use.Message, session.StaffId, affair, date);
    }
}

/// <summary>
/// The one place a number becomes text for a person to read (API, pages, exports): the digits when the visibility
/// decision allows it, otherwise <see cref="IndividualNumber.MaskedText"/>. Recording the view in the operation log
/// is the caller's duty (trust rule 7); <see cref="NumberVisibilityDecision"/> carries who, which affair and when.
/// </summary>
public static class NumberMask
{
    public const string Masked = IndividualNumber.MaskedText;

    public static string Display(IndividualNumber number, NumberVisibilityDecision decision) =>
        decision.Visible ? number.Digits : Masked;

    /// <summary>Null stays null (no number recorded); otherwise as <see cref="Display(IndividualNumber, NumberVisibilityDecision)"/>.</summary>
    public static string? Display(IndividualNumber? number, NumberVisibilityDecision decision) =>
        number is null ? null : Display(number.Value, decision);

    public static string Display(IndividualNumber number, StaffSession? session, DateOnly date) =>
        Display(number, NumberVisibility.Decide(session, date));
}
