using System.Globalization;
using System.Security.Cryptography;
using Renkei.Core.Dates;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Staff;

/// <summary>Where a password stands: when it expires, whether it is temporary or expired (then it must be changed first), and whether to warn.</summary>
public sealed record PasswordState(DateTimeOffset ExpiresAt, bool Temporary, bool Expired, bool WarnNow)
{
    public bool MustChange => Temporary || Expired;

    /// <summary>What the login page and the dashboard say (Japanese), or null when there is nothing to say.</summary>
    public string? Message => Temporary ? "仮パスワードでログインしています。新しいパスワードを設定してください。"
        : Expired ? "パスワードの有効期限が切れています。新しいパスワードを設定してください。"
        : WarnNow ? $"パスワードの有効期限は {JapaneseEraDate.Format(DateOnly.FromDateTime(ExpiresAt.ToOffset(TimeSpan.FromHours(9)).DateTime))} です。期限までに変更してください。"
        : null;
}

/// <summary>A temporary password from an administrator, shown once to hand to the person; <see cref="ToString"/> hides it.</summary>
public sealed class TemporaryPassword(StaffId staff, string value)
{
    public StaffId Staff { get; } = staff;
    public string Value { get; } = value;
    public override string ToString() => $"temporary password for {Staff} (hidden)";
}

/// <summary>
/// The account lifecycle seed 001 asks for (around lines 3475–3520): an id is issued to one person only (generic ids are
/// refused, and an id once issued is never issued again, even after it was disabled); the account is disabled from the day
/// the person leaves; passwords last <see cref="StaffDirectoryOptions.PasswordLifetimeMonths"/> months and must then be
/// changed before anything else; an administrator's reset gives a temporary password that the next login must replace.
/// Every administrator action, and its refusal, goes to the operation log in a Japanese sentence before anything changes.
/// </summary>
public sealed partial class StaffDirectory
{
    /// <summary>
    /// Ids that name a post or a group rather than a person (共用ID), refused by <see cref="Add"/> with or without digits after
    /// them: 「madoguchi01」 is a counter, not a person.
    /// </summary>
    public static readonly IReadOnlyList<string> GenericIdWords =
    [
        "admin", "administrator", "root", "guest", "test", "user", "users", "staff", "shared", "share", "common", "public", "group",
        "team", "temp", "tmp", "demo", "system", "operator", "kanri", "kanrisha", "kyoyu", "kyouyuu", "kyotsu", "kyoutsuu",
        "madoguchi", "tanto", "tantou", "shokuin", "ka", "kakari", "office", "counter", "desk", "everyone", "all", "anonymous",
    ];

    /// <summary>Whether an id is a generic word (with optional digits, '.', '_' or '-' after it) rather than a person's id.</summary>
    public static bool IsGenericId(StaffId id)
    {
        var stem = id.Value.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', '_', '-');
        return stem.Length == 0 || GenericIdWords.Contains(stem, StringComparer.Ordinal);
    }

    /// <summary>Today in Japan by the directory's clock.</summary>
    private DateOnly TodayInJapan => DateOnly.FromDateTime(Options.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);

    private bool HasLeft(DateOnly? leavesOn) => leavesOn is { } day && day <= TodayInJapan;

    /// <summary>The state of a member's password at <paramref name="now"/>.</summary>
    public PasswordState PasswordOf(StaffMember member, DateTimeOffset now)
    {
        var changed = member.PasswordChangedAt ?? member.CreatedAt;
        var expires = changed.AddMonths(Options.PasswordLifetimeMonths);
        return new PasswordState(expires, member.TemporaryPassword, now >= expires, now >= expires.AddDays(-Options.PasswordWarningDays));
    }

    /// <summary>
    /// Issues an account to one person (アカウント発行) with a temporary password to hand over, which the first login must
    /// replace, and a TOTP secret to enrol. Refused (and the refusal logged) unless <paramref name="administrator"/> is an active
    /// administrator; refused for a generic id, an id that exists or once existed, an unknown affair or a bad display name.
    /// </summary>
    /// <exception cref="StaffException">not-administrator, generic-staff-id, staff-exists, unknown-affair, invalid-display-name.</exception>
    public (TotpEnrolment Enrolment, TemporaryPassword Password) Add(StaffId administrator, NewStaffMember member, OperationLog log, string terminal)
    {
        var subject = $"職員アカウント {member.Id}";
        RequireAdministrator(administrator, log, terminal, OperationAction.AccountCreated, subject + " の発行");
        string? refusal = null;
        if (IsGenericId(member.Id)) refusal = "generic-staff-id";
        else if (Find(member.Id) is not null) refusal = "staff-exists";
        if (refusal is not null)
        {
            Record(log, administrator, terminal, OperationAction.AccountCreated, OperationResult.Refused,
                $"{subject} の発行を拒否しました（{(refusal == "generic-staff-id" ? "共用・汎用のIDは発行できません" : "既に発行されたIDです")}）。");
            throw refusal == "generic-staff-id"
                ? new StaffException(StaffException.GenericStaffId, "職員IDは一人ひとりに発行します。部署名や共用の名前のIDは発行できません (generic staff id)")
                : new StaffException(StaffException.StaffExists, $"職員ID {member.Id} は既に発行されています。失効したIDも再利用できません (staff id exists)");
        }
        var displayName = CheckDisplayName(member.DisplayName);
        var affairs = CheckAffairs(member.Affairs);
        var temporary = NewTemporaryPassword();
        Record(log, administrator, terminal, OperationAction.AccountCreated, OperationResult.Success,
            $"{subject}（{displayName}、{member.Role.ToJapanese()}）を発行しました。担当事務: {AffairList(affairs)}。仮パスワードを交付しました。");
        var enrolment = Create(member with { DisplayName = displayName, Affairs = affairs }, temporary);
        _database.InTransaction((connection, transaction) =>
            connection.Command("UPDATE staff_accounts SET must_change_password = 1 WHERE staff_id = @id", transaction).With("@id", member.Id.Value).ExecuteNonQuery());
        return (enrolment, new TemporaryPassword(member.Id, temporary));
    }

    /// <summary>
    /// Disables an account from the day the person leaves (退職日・異動日): from that day (Japan time) no login and no open
    /// session works; a day in the past or today disables it at once. The id is kept, never issued again. An administrator
    /// cannot disable their own account.
    /// </summary>
    /// <exception cref="StaffException">not-administrator, unknown-staff, own-account.</exception>
    public void Disable(StaffId administrator, StaffId target, DateOnly leavesOn, OperationLog log, string terminal)
    {
        var subject = $"職員アカウント {target}";
        RequireAdministrator(administrator, log, terminal, OperationAction.AccountDisabled, subject + " の失効");
        if (Find(target) is null)
        {
            Record(log, administrator, terminal, OperationAction.AccountDisabled, OperationResult.Refused, $"{subject} の失効を拒否しました（登録されていないIDです）。");
            throw UnknownStaff();
        }
        if (administrator == target)
        {
            Record(log, administrator, terminal, OperationAction.AccountDisabled, OperationResult.Refused, $"{subject} の失効を拒否しました（自分自身のアカウントです）。");
            throw new StaffException(StaffException.OwnAccount, "自分自身のアカウントは失効させられません。別の管理者に依頼してください (own account)");
        }
        var era = JapaneseEraDate.Format(leavesOn);
        Record(log, administrator, terminal, OperationAction.AccountDisabled, OperationResult.Success,
            leavesOn <= TodayInJapan ? $"{subject} を失効させました（退職・異動日 {era}）。" : $"{subject} を {era}（退職・異動日）から失効させます。");
        var disableNow = leavesOn <= TodayInJapan;
        _database.InTransaction((connection, transaction) =>
            connection.Command($"UPDATE staff_accounts SET leaves_on = @on{(disableNow ? ", active = 0" : "")}, updated_at = @now WHERE staff_id = @id", transaction)
                .With("@on", leavesOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).With("@now", Timestamp(Options.Clock.GetUtcNow()))
                .With("@id", target.Value).ExecuteNonQuery());
    }

    /// <summary>Replaces the affairs assigned to an account, on an administrator's word (logged with the old and the new affairs).</summary>
    /// <exception cref="StaffException">not-administrator, unknown-staff, unknown-affair.</exception>
    public void Assign(StaffId administrator, StaffId target, IReadOnlyCollection<string> affairCodes, OperationLog log, string terminal)
    {
        var subject = $"職員アカウント {target}";
        RequireAdministrator(administrator, log, terminal, OperationAction.AffairsAssigned, subject + " の担当事務の変更");
        if (Find(target) is not { } member)
        {
            Record(log, administrator, terminal, OperationAction.AffairsAssigned, OperationResult.Refused, $"{subject} の担当事務の変更を拒否しました（登録されていないIDです）。");
            throw UnknownStaff();
        }
        List<string> affairs;
        try
        {
            affairs = CheckAffairs(affairCodes);
        }
        catch (StaffException)
        {
            Record(log, administrator, terminal, OperationAction.AffairsAssigned, OperationResult.Refused, $"{subject} の担当事務の変更を拒否しました（事務一覧にない事務です）。");
            throw;
        }
        Record(log, administrator, terminal, OperationAction.AffairsAssigned, OperationResult.Success,
            $"{subject} の担当事務を変更しました。変更前: {AffairList(member.Affairs)}。変更後: {AffairList(affairs)}。");
        AssignAffairs(target, affairs);
    }

    /// <summary>
    /// Gives an account a temporary password (パスワード再発行) that the next login must replace, and clears its lockout; the
    /// old password stops working at once.
    /// </summary>
    /// <exception cref="StaffException">not-administrator, unknown-staff.</exception>
    public TemporaryPassword ResetPassword(StaffId administrator, StaffId target, OperationLog log, string terminal)
    {
        var subject = $"職員アカウント {target}";
        RequireAdministrator(administrator, log, terminal, OperationAction.PasswordReset, subject + " のパスワード再発行");
        if (Find(target) is null)
        {
            Record(log, administrator, terminal, OperationAction.PasswordReset, OperationResult.Refused, $"{subject} のパスワード再発行を拒否しました（登録されていないIDです）。");
            throw UnknownStaff();
        }
        var temporary = NewTemporaryPassword();
        Record(log, administrator, terminal, OperationAction.PasswordReset, OperationResult.Success,
            $"{subject} に仮パスワードを再発行しました。次回ログイン時に変更が必要です。");
        SetPassword(target, temporary, temporaryPassword: true);
        _database.InTransaction((connection, transaction) =>
        {
            ClearFailures(connection, transaction, target);
            connection.Command("DELETE FROM staff_lockouts WHERE staff_id = @id", transaction).With("@id", target.Value).ExecuteNonQuery();
        });
        return new TemporaryPassword(target, temporary);
    }

    /// <summary>
    /// A staff member sets their own new password: the current one must be right, the new one acceptable and different. The
    /// password's lifetime starts again and a temporary password is no longer temporary. Logged, refusals too (never a password).
    /// </summary>
    /// <exception cref="StaffException">wrong-password, weak-password, same-password, unknown-staff.</exception>
    public void ChangeOwnPassword(StaffId id, string? currentPassword, string? newPassword, OperationLog log, string terminal)
    {
        string? hash;
        using (var connection = _database.Open())
            hash = connection.Command("SELECT password_hash FROM staff_accounts WHERE staff_id = @id").With("@id", id.Value).ExecuteScalar() as string;
        if (hash is null) throw UnknownStaff();
        void Refuse(string code, string sentence, string message)
        {
            Record(log, id, terminal, OperationAction.PasswordChanged, OperationResult.Refused, $"パスワードの変更を拒否しました（{sentence}）。");
            throw new StaffException(code, message);
        }
        if (!Options.PasswordHashing.Verify(currentPassword ?? "", hash, out _))
            Refuse(StaffException.WrongPassword, "現在のパスワードが正しくありません", "現在のパスワードが正しくありません (wrong current password)");
        if (PasswordHashing.Weakness(newPassword) is { } weakness) Refuse(StaffException.WeakPassword, "新しいパスワードが条件を満たしていません", weakness);
        if (Options.PasswordHashing.Verify(newPassword!, hash, out _))
            Refuse(StaffException.SamePassword, "新しいパスワードが現在と同じです", "新しいパスワードは現在のものと別にしてください (same password)");
        Record(log, id, terminal, OperationAction.PasswordChanged, OperationResult.Success, "パスワードを変更しました。");
        SetPassword(id, newPassword!, temporaryPassword: false);
    }

    private void SetPassword(StaffId id, string password, bool temporaryPassword) => _database.InTransaction((connection, transaction) =>
    {
        var now = Timestamp(Options.Clock.GetUtcNow());
        var updated = connection.Command("""
            UPDATE staff_accounts SET password_hash = @hash, password_changed_at = @now, must_change_password = @temporary, updated_at = @now
            WHERE staff_id = @id
            """, transaction)
            .With("@hash", Options.PasswordHashing.Hash(password)).With("@now", now).With("@temporary", temporaryPassword ? 1 : 0).With("@id", id.Value)
            .ExecuteNonQuery();
        if (updated == 0) throw UnknownStaff();
    });

    private void RequireAdministrator(StaffId administrator, OperationLog log, string terminal, OperationAction action, string what)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (Find(administrator) is { Role: StaffRole.Administrator, Active: true, Locked: false }) return;
        Record(log, administrator, terminal, action, OperationResult.Refused, $"{what}を拒否しました（有効なシステム管理者ではありません）。");
        throw new StaffException(StaffException.NotAdministrator, "この操作はシステム管理者が行います (only an active administrator may do this)");
    }

    private void Record(OperationLog log, StaffId actor, string terminal, OperationAction action, OperationResult result, string sentence) =>
        log.Append(new OperationLogEntry(actor.Value, Options.Clock.GetUtcNow(), terminal, null, null, action, result, sentence));

    private string AffairList(IEnumerable<string> codes)
    {
        var names = codes.Select(code => Catalogue.Find(code)?.Name ?? code).ToList();
        return names.Count == 0 ? "なし" : string.Join("、", names);
    }

    /// <summary>A temporary password: 16 characters from an alphabet without look-alikes (0/O, 1/l/I), about 90 bits.</summary>
    private static string NewTemporaryPassword()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return string.Create(16, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        });
    }
}
