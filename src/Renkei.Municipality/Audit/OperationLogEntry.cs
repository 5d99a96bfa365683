using System.Text.RegularExpressions;
using Renkei.Core.Numbers;

namespace Renkei.Municipality.Audit;

/// <summary>What a member of staff did (操作の種別).</summary>
public enum OperationAction
{
    /// <summary>Signed in to a system that handles specific personal information (ログイン).</summary>
    Login,
    /// <summary>A sign-in that failed (wrong password, locked account …).</summary>
    LoginFailed,
    Logout,
    /// <summary>Chose the affair to work in; numbers may be shown only within an affair that may use them (DESIGN.md rule 7).</summary>
    AffairChosen,
    /// <summary>Displayed a person's record, with or without the number.</summary>
    View,
    /// <summary>Searched for people (個人を特定した検索).</summary>
    Search,
    /// <summary>Exported or printed records to a file or paper.</summary>
    Export,
    /// <summary>Changed a number or specific personal information.</summary>
    Change,
    /// <summary>Asked for information through the linkage network (情報照会).</summary>
    LinkageRequested,
    /// <summary>A linkage refused by the legal policy; refusals are recorded too (DESIGN.md rule 5).</summary>
    LinkageRefused,
    /// <summary>Deleted records whose retention period ended.</summary>
    RetentionDeletion,
    /// <summary>Sent a notice to a person through the portal (お知らせ, プッシュ型サービス).</summary>
    NoticeSent,
    /// <summary>An administrator cleared a staff account's login lockout, with the reason (ロック解除).</summary>
    AccountUnlocked,
    /// <summary>An administrator created a staff account (アカウント発行).</summary>
    AccountCreated,
    /// <summary>An administrator disabled a staff account, from the day the person leaves (アカウント失効).</summary>
    AccountDisabled,
    /// <summary>An administrator changed the affairs assigned to a staff account (担当事務の変更).</summary>
    AffairsAssigned,
    /// <summary>An administrator gave a staff account a temporary password (パスワード再発行).</summary>
    PasswordReset,
    /// <summary>A staff member set a new password (パスワード変更).</summary>
    PasswordChanged,
    /// <summary>An administrator confirmed accounts in a periodic review (アカウントの棚卸し).</summary>
    AccountsReviewed,
    /// <summary>An auditor recorded the monthly review of the operation log (操作記録の検査・分析).</summary>
    OperationLogReviewed,
}

/// <summary>How the operation ended.</summary>
public enum OperationResult
{
    Success,
    /// <summary>Not allowed: wrong affair, no authority, policy refusal.</summary>
    Refused,
    /// <summary>Allowed but did not complete (error, timeout).</summary>
    Failed,
}

/// <summary>
/// One line of a municipality's operation log (操作記録): who (the staff member's own user id — shared ids are not
/// issued), when, at which terminal, in which affair, about whom, what and with what result. The person concerned is
/// named only by the integrated addressee number (団体内統合宛名番号), never by individual number; no text field may
/// hold an individual number or a resident-record code (see <see cref="Validate"/>).
/// Operation logs are kept at least five years and reviewed monthly by the security officer (seed 001, PIA sample).
/// </summary>
public sealed record OperationLogEntry(
    string StaffId,
    DateTimeOffset At,
    string Terminal,
    string? AffairCode,
    long? SubjectAddresseeNumber,
    OperationAction Action,
    OperationResult Result,
    string? Detail = null)
{
    public const int MaxIdLength = 64;
    public const int MaxDetailLength = 1000;

    /// <summary>
    /// Throws <see cref="OperationLogException"/> naming the field and the rule it breaks, never echoing the value:
    /// staff id and terminal 1–64 characters; affair code at most 64; addressee number positive; detail at most 1,000
    /// characters; no control characters; and no text that contains a valid individual number (12 digits, also written
    /// 4-4-4 with spaces or hyphens or with full-width digits) or a valid resident-record code (11 digits) — such a
    /// value in a log would make the log itself specific personal information.
    /// </summary>
    public void Validate()
    {
        RequireText(StaffId, nameof(StaffId), MaxIdLength, required: true);
        RequireText(Terminal, nameof(Terminal), MaxIdLength, required: true);
        RequireText(AffairCode, nameof(AffairCode), MaxIdLength, required: false);
        RequireText(Detail, nameof(Detail), MaxDetailLength, required: false);
        if (At == default) throw new OperationLogException("At: the time of the operation is missing");
        if (SubjectAddresseeNumber is <= 0) throw new OperationLogException("SubjectAddresseeNumber: an addressee number is positive");
        if (!Enum.IsDefined(Action)) throw new OperationLogException("Action: not a known operation");
        if (!Enum.IsDefined(Result)) throw new OperationLogException("Result: not a known result");
    }

    private static void RequireText(string? value, string field, int maxLength, bool required)
    {
        if (value is null)
        {
            if (required) throw new OperationLogException($"{field}: required");
            return;
        }
        if (required && string.IsNullOrWhiteSpace(value)) throw new OperationLogException($"{field}: required");
        if (value.Length > maxLength) throw new OperationLogException($"{field}: at most {maxLength} characters, got {value.Length}");
        if (value.Any(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r'))) throw new OperationLogException($"{field}: contains a control character");
        if (field != nameof(Detail) && value.Any(c => c is '\n' or '\r' or '\t')) throw new OperationLogException($"{field}: must be one line");
        if (PersonalNumberGuard.ContainsIndividualNumber(value))
            throw new OperationLogException($"{field}: contains an individual number (個人番号); identify the person by addressee number instead");
        if (PersonalNumberGuard.ContainsResidentCode(value))
            throw new OperationLogException($"{field}: contains a resident-record code (住民票コード); identify the person by addressee number instead");
    }
}

/// <summary>Finds numbers that must never be written into a log, in any way people write them.</summary>
public static partial class PersonalNumberGuard
{
    // After folding full-width digits to ASCII and every separator to '-': twelve digits, optionally grouped 4-4-4.
    [GeneratedRegex("(?<![0-9])[0-9]{4}-{0,3}[0-9]{4}-{0,3}[0-9]{4}(?![0-9])")]
    private static partial Regex TwelveDigits();

    [GeneratedRegex("(?<![0-9])[0-9]{11}(?![0-9])")]
    private static partial Regex ElevenDigits();

    public static bool ContainsIndividualNumber(string text)
    {
        foreach (Match match in TwelveDigits().Matches(Fold(text)))
            if (IndividualNumber.Parse(match.Value).IsValid) return true;
        return false;
    }

    public static bool ContainsResidentCode(string text)
    {
        foreach (Match match in ElevenDigits().Matches(Fold(text)))
            if (ResidentCode.Parse(match.Value).IsValid) return true;
        return false;
    }

    private static string Fold(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            var c = source[i];
            span[i] = c switch
            {
                >= '０' and <= '９' => (char)('0' + (c - '０')),
                ' ' or '\u3000' or '\uFF0D' or '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' or '\u30FC' or '\uFF70' => '-',
                _ => c,
            };
        }
    });
}

/// <summary>An operation-log entry that cannot be recorded, or a log that cannot be read. Never carries a number.</summary>
public sealed class OperationLogException(string message) : Exception(message);
