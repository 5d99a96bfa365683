using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Staff;

/// <summary>
/// A logged-in staff member. Only <see cref="StaffDirectory.Authenticate"/> opens one (and never for a disabled or
/// locked account). Immutable: choosing an affair returns a new session. A staff member acts in one affair at a time,
/// chosen among those assigned; <see cref="NumberVisibility"/> decides from the chosen affair whether numbers show.
/// </summary>
public sealed class StaffSession
{
    internal StaffSession(StaffId staffId, string displayName, StaffRole role, IReadOnlyList<string> assignedAffairs,
        DateTimeOffset openedAt, string? chosenAffair, AffairCatalogue catalogue, PasswordState? password = null)
    {
        Password = password;
        StaffId = staffId;
        DisplayName = displayName;
        Role = role;
        AssignedAffairs = assignedAffairs;
        OpenedAt = openedAt;
        ChosenAffair = chosenAffair;
        Catalogue = catalogue;
    }

    /// <summary>The password's state when the session was opened or last refreshed; null for sessions made without the directory.</summary>
    public PasswordState? Password { get; }

    /// <summary>A temporary or expired password: the staff member must set a new one before anything else.</summary>
    public bool MustChangePassword => Password is { MustChange: true };

    public StaffId StaffId { get; }
    public string DisplayName { get; }
    public StaffRole Role { get; }

    /// <summary>The affairs assigned when the session was opened (or last refreshed).</summary>
    public IReadOnlyList<string> AssignedAffairs { get; }

    public DateTimeOffset OpenedAt { get; }

    /// <summary>The affair the staff member is acting in, or null before one is chosen.</summary>
    public string? ChosenAffair { get; }

    /// <summary>The catalogue the directory checked assignments against; number visibility is decided with it.</summary>
    internal AffairCatalogue Catalogue { get; }

    public bool IsAssigned(string? affairCode) =>
        affairCode is not null && AssignedAffairs.Contains(affairCode.Trim().ToLowerInvariant(), StringComparer.Ordinal);

    /// <summary>Act in <paramref name="affairCode"/> from now on.</summary>
    /// <exception cref="StaffException">the affair is not assigned to this staff member (code affair-not-assigned).</exception>
    public StaffSession ChooseAffair(string affairCode)
    {
        if (!IsAssigned(affairCode))
            throw new StaffException(StaffException.AffairNotAssigned, "担当していない事務は選択できません (affair not assigned to this staff member)");
        return new StaffSession(StaffId, DisplayName, Role, AssignedAffairs, OpenedAt, affairCode.Trim().ToLowerInvariant(), Catalogue, Password);
    }

    /// <summary>Stop acting in any affair (numbers are masked again).</summary>
    public StaffSession LeaveAffair() => new(StaffId, DisplayName, Role, AssignedAffairs, OpenedAt, null, Catalogue, Password);

    public override string ToString() => $"{StaffId} ({Role}) affair={ChosenAffair ?? "-"}";
}
