using System.Globalization;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Staff;

/// <summary>An active account and where its periodic review stands.</summary>
/// <param name="Privileged">a privileged id (特権ID: administrators and auditors), reviewed monthly; others quarterly</param>
/// <param name="LastReviewedAt">the last confirmation, or null if the account was never reviewed (then counted from its creation)</param>
/// <param name="DueOn">the day the next review is due</param>
/// <param name="Overdue">the due day has passed without a review</param>
public sealed record AccountReviewStatus(StaffMember Member, bool Privileged, DateTimeOffset? LastReviewedAt, string? LastReviewedBy, DateOnly DueOn,
    bool Overdue);

/// <summary>One confirmation: which account, by whom, when, and the role and affairs it had then.</summary>
public sealed record AccountReviewRecord(StaffId Staff, StaffId ReviewedBy, DateTimeOffset ReviewedAt, StaffRole Role, IReadOnlyList<string> Affairs);

/// <summary>
/// Account reviews (アカウントの棚卸し, seed 001: ユーザIDやアクセス権をセキュリティ責任者が定期的（特権IDは毎月、一般利用者IDは
/// 四半期ごと）に確認): every active account is due for review a month (privileged: administrators and auditors) or three
/// months (everyone else) after its last review, or after its creation if never reviewed. An administrator confirms the
/// accounts that still need their role and affairs; each confirmation is stored (who confirmed which account, when, and
/// what it had) and written to the operation log in Japanese. An account that is no longer needed is disabled or its
/// affairs changed instead (<see cref="StaffDirectory.Disable"/>, <see cref="StaffDirectory.Assign"/>).
/// </summary>
public sealed class AccountReviews(Database database, StaffDirectory directory)
{
    /// <summary>Accounts coming due within this many days are listed too, so a review can be done ahead.</summary>
    public const int ListAheadDays = 14;

    public static bool IsPrivileged(StaffRole role) => role is StaffRole.Administrator or StaffRole.Auditor;

    /// <summary>Months between reviews: 1 for privileged ids, 3 for the others.</summary>
    public static int IntervalMonths(StaffRole role) => IsPrivileged(role) ? 1 : 3;

    /// <summary>Every active account's review status on <paramref name="today"/>, the earliest due first.</summary>
    public IReadOnlyList<AccountReviewStatus> Status(DateOnly today)
    {
        var last = new Dictionary<string, (DateTimeOffset At, string By)>(StringComparer.Ordinal);
        using (var connection = database.Open())
        using (var reader = connection.Command("SELECT staff_id, reviewed_by, reviewed_at FROM staff_account_reviews ORDER BY id").ExecuteReader())
            while (reader.Read())
                last[reader.GetString(0)] = (DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), reader.GetString(1));
        return directory.List().Where(m => m.Active).Select(member =>
            {
                var reviewed = last.TryGetValue(member.Id.Value, out var r) ? r : ((DateTimeOffset, string)?)null;
                var from = JapanDay(reviewed?.Item1 ?? member.CreatedAt);
                var due = from.AddMonths(IntervalMonths(member.Role));
                return new AccountReviewStatus(member, IsPrivileged(member.Role), reviewed?.Item1, reviewed?.Item2, due, due < today);
            })
            .OrderBy(s => s.DueOn).ThenBy(s => s.Member.Id.Value, StringComparer.Ordinal).ToList();
    }

    /// <summary>The accounts to review now: due on or before <paramref name="today"/> + <see cref="ListAheadDays"/>.</summary>
    public IReadOnlyList<AccountReviewStatus> Due(DateOnly today) => Status(today).Where(s => s.DueOn <= today.AddDays(ListAheadDays)).ToList();

    /// <summary>
    /// Records that <paramref name="administrator"/> confirmed <paramref name="accounts"/> (role and affairs still needed), in
    /// one transaction, after the operation log has the sentence. Refused (and logged) unless the caller is an active
    /// administrator, the list is empty, or an account is unknown or disabled.
    /// </summary>
    /// <exception cref="StaffException">not-administrator, unknown-staff, invalid-reason (nothing chosen).</exception>
    public IReadOnlyList<AccountReviewRecord> Confirm(StaffId administrator, IReadOnlyCollection<StaffId> accounts, OperationLog log, string terminal)
    {
        ArgumentNullException.ThrowIfNull(log);
        var now = directory.Options.Clock.GetUtcNow();
        void Record(OperationResult result, string sentence) =>
            log.Append(new OperationLogEntry(administrator.Value, now, terminal, null, null, OperationAction.AccountsReviewed, result, sentence));
        if (directory.Find(administrator) is not { Role: StaffRole.Administrator, Active: true, Locked: false })
        {
            Record(OperationResult.Refused, "アカウントの棚卸しの記録を拒否しました（有効なシステム管理者ではありません）。");
            throw new StaffException(StaffException.NotAdministrator, "アカウントの棚卸しはシステム管理者が行います (only an active administrator may review accounts)");
        }
        if (accounts.Count == 0)
            throw new StaffException(StaffException.InvalidReason, "確認したアカウントを選んでください (no account chosen)");
        var members = new List<StaffMember>();
        foreach (var id in accounts.Distinct())
        {
            if (directory.Find(id) is not { Active: true } member)
            {
                Record(OperationResult.Refused, $"アカウントの棚卸しの記録を拒否しました（{id} は有効なアカウントではありません）。");
                throw new StaffException(StaffException.UnknownStaff, "有効なアカウントではないIDが含まれています (unknown or disabled staff id)");
            }
            members.Add(member);
        }
        Record(OperationResult.Success,
            $"アカウントの棚卸しで {string.Join("、", members.Select(m => m.Id.Value))} の{members.Count}件の役割と担当事務を確認しました。");
        var at = now.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
        database.InTransaction((connection, transaction) =>
        {
            foreach (var member in members)
                connection.Command("""
                    INSERT INTO staff_account_reviews (staff_id, reviewed_by, reviewed_at, role, affairs) VALUES (@id, @by, @at, @role, @affairs)
                    """, transaction)
                    .With("@id", member.Id.Value).With("@by", administrator.Value).With("@at", at).With("@role", member.Role.ToCode())
                    .With("@affairs", string.Join(",", member.Affairs)).ExecuteNonQuery();
        });
        return members.Select(m => new AccountReviewRecord(m.Id, administrator, now, m.Role, m.Affairs)).ToList();
    }

    /// <summary>The latest confirmations, newest first.</summary>
    public IReadOnlyList<AccountReviewRecord> History(int limit = 100)
    {
        using var connection = database.Open();
        using var reader = connection.Command(
                "SELECT staff_id, reviewed_by, reviewed_at, role, affairs FROM staff_account_reviews ORDER BY id DESC LIMIT @limit")
            .With("@limit", Math.Clamp(limit, 1, 1000)).ExecuteReader();
        var list = new List<AccountReviewRecord>();
        while (reader.Read())
            list.Add(new AccountReviewRecord(StaffId.Parse(reader.GetString(0)), StaffId.Parse(reader.GetString(1)),
                DateTimeOffset.Parse(reader.GetString(2), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind), StaffRoles.FromCode(reader.GetString(3)),
                reader.GetString(4).Split(',', StringSplitOptions.RemoveEmptyEntries)));
        return list;
    }

    private static DateOnly JapanDay(DateTimeOffset time) => DateOnly.FromDateTime(time.ToOffset(TimeSpan.FromHours(9)).DateTime);
}
