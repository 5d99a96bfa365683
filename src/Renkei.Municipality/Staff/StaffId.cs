using System.Text.RegularExpressions;

namespace Renkei.Municipality.Staff;

/// <summary>
/// A staff member's login id (職員ID): 3–32 characters of lower-case ASCII letters, digits, '.', '_' and '-',
/// starting with a letter or digit. Input is trimmed and lower-cased; anything else is refused.
/// </summary>
public readonly partial record struct StaffId
{
    private readonly string? _value;

    private StaffId(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("an empty StaffId");

    public static bool TryParse(string? text, out StaffId id)
    {
        id = default;
        if (text is null) return false;
        var candidate = text.Trim().ToLowerInvariant();
        if (!Pattern().IsMatch(candidate)) return false;
        id = new StaffId(candidate);
        return true;
    }

    /// <exception cref="StaffException">the text is not a staff id (the message says what a staff id looks like).</exception>
    public static StaffId Parse(string? text) => TryParse(text, out var id)
        ? id
        : throw new StaffException(StaffException.InvalidStaffId,
            "職員IDは英小文字・数字・「.」「_」「-」の3〜32文字で、英数字で始めてください (invalid staff id)");

    public override string ToString() => Value;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,31}$")]
    private static partial Regex Pattern();
}

/// <summary>What a staff member does, which bounds what they may see.</summary>
public enum StaffRole
{
    /// <summary>担当者: works cases in the affairs assigned.</summary>
    Clerk,

    /// <summary>係長・監督者: works and checks cases in the affairs assigned.</summary>
    Supervisor,

    /// <summary>監査担当: reviews operation logs. Never sees individual numbers, even if assigned to an affair.</summary>
    Auditor,

    /// <summary>システム管理者: manages accounts (creates, disables, unlocks). Never sees individual numbers.</summary>
    Administrator,
}

public static class StaffRoles
{
    /// <summary>Only clerks and supervisors handle specific personal information; auditors and administrators do not.</summary>
    public static bool MayHandleNumbers(this StaffRole role) => role is StaffRole.Clerk or StaffRole.Supervisor;

    public static string ToJapanese(this StaffRole role) => role switch
    {
        StaffRole.Clerk => "担当者",
        StaffRole.Supervisor => "監督者",
        StaffRole.Auditor => "監査担当",
        StaffRole.Administrator => "システム管理者",
        _ => role.ToString(),
    };

    internal static string ToCode(this StaffRole role) => role switch
    {
        StaffRole.Clerk => "clerk",
        StaffRole.Supervisor => "supervisor",
        StaffRole.Auditor => "auditor",
        StaffRole.Administrator => "administrator",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    internal static StaffRole FromCode(string code) => code switch
    {
        "clerk" => StaffRole.Clerk,
        "supervisor" => StaffRole.Supervisor,
        "auditor" => StaffRole.Auditor,
        "administrator" => StaffRole.Administrator,
        _ => throw new InvalidDataException("unknown staff role in the database"),
    };
}

/// <summary>A refused staff operation: a stable code and a message that never carries a password, secret or number.</summary>
public sealed class StaffException(string code, string message) : Exception(message)
{
    public const string InvalidStaffId = "invalid-staff-id";
    public const string StaffExists = "staff-exists";
    public const string UnknownStaff = "unknown-staff";
    public const string UnknownAffair = "unknown-affair";
    public const string WeakPassword = "weak-password";
    public const string InvalidDisplayName = "invalid-display-name";
    public const string AffairNotAssigned = "affair-not-assigned";
    public const string NotAdministrator = "not-administrator";
    public const string InvalidReason = "invalid-reason";
    public const string GenericStaffId = "generic-staff-id";
    public const string OwnAccount = "own-account";
    public const string WrongPassword = "wrong-password";
    public const string SamePassword = "same-password";
    public const string NotAuditor = "not-auditor";

    public string Code { get; } = code;
}
