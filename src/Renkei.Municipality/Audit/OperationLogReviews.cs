using System.Globalization;
using Renkei.Core.Text;
using Renkei.Infrastructure;
using Renkei.Municipality.Staff;

namespace Renkei.Municipality.Audit;

/// <summary>What makes an operation-log entry worth an auditor's look.</summary>
public enum UnusualEventKind
{
    /// <summary>An individual number was shown (or exported) outside office hours (平日 08:30–17:15 JST).</summary>
    NumberShownOutsideOfficeHours,

    /// <summary>One staff member viewed or searched for people more often in a day than the threshold.</summary>
    ManyPersonViews,

    /// <summary>Something was refused: no authority, a wrong affair, a failed login.</summary>
    Refused,

    /// <summary>A login that hit (or started) a lockout.</summary>
    Lockout,
}

/// <summary>One finding; <see cref="Sequence"/> points at the entry (null for a day's count).</summary>
public sealed record UnusualEvent(UnusualEventKind Kind, DateTimeOffset At, string StaffId, string Description, long? Sequence);

/// <summary>A recorded monthly review: the period (inclusive), who, when, how many findings there were, and the auditor's remarks.</summary>
public sealed record OperationLogReviewRecord(DateOnly From, DateOnly To, string ReviewedBy, DateTimeOffset ReviewedAt, int Findings, string Remarks);

public sealed record OperationLogReviewOptions
{
    /// <summary>Office hours (JST, weekdays): a number shown before <see cref="OfficeOpens"/> or from <see cref="OfficeCloses"/> is a finding.</summary>
    public TimeOnly OfficeOpens { get; init; } = new(8, 30);
    public TimeOnly OfficeCloses { get; init; } = new(17, 15);

    /// <summary>More views and searches of people than this by one staff member in one day is a finding.</summary>
    public int PersonViewsPerDay { get; init; } = 100;
}

/// <summary>
/// The monthly review of the operation log (操作記録の検査・分析, seed 001: 記録は月１回セキュリティ責任者が検査・分析を行い、
/// 不正なアクセスがないことを確認する): <see cref="Analyse"/> lists the unusual events of a period — numbers shown outside
/// office hours, many person views by one staff member in a day, refused attempts, lockouts — and <see cref="Record"/> stores
/// that an auditor reviewed the period (by whom, when, the number of findings, remarks) and writes it to the log. Only auditors
/// record a review. Public holidays are not known here: a holiday counts as a weekday.
/// </summary>
public sealed class OperationLogReviews(Database database, OperationLog log, StaffDirectory directory, OperationLogReviewOptions? options = null)
{
    public const int MaxRemarksLength = 500;

    private static readonly TimeSpan Japan = TimeSpan.FromHours(9);

    public OperationLogReviewOptions Options { get; } = options ?? new OperationLogReviewOptions();

    /// <summary>Words in an entry's detail that say a number was shown or handed out (the console, the staff API and the addressee system write them).</summary>
    private static readonly string[] NumberShownMarkers = ["個人番号を表示", "個人番号表示）", "個人番号照会", "numbers=shown", "numbers=included"];

    /// <summary>Whether a successful entry showed an individual number.</summary>
    public static bool ShowsNumber(OperationLogEntry entry) =>
        entry.Result == OperationResult.Success && entry.Action is OperationAction.View or OperationAction.Search or OperationAction.Export
        && entry.Detail is { } detail && NumberShownMarkers.Any(m => detail.Contains(m, StringComparison.Ordinal));

    public bool WithinOfficeHours(DateTimeOffset at)
    {
        var local = at.ToOffset(Japan);
        if (local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) return false;
        var time = TimeOnly.FromDateTime(local.DateTime);
        return time >= Options.OfficeOpens && time < Options.OfficeCloses;
    }

    /// <summary>The unusual events between <paramref name="from"/> and <paramref name="to"/> (JST days, inclusive), in log order.</summary>
    /// <param name="names">how the findings' sentences name places, people and affairs (<see cref="EventText.Describe"/>)</param>
    public IReadOnlyList<UnusualEvent> Analyse(DateOnly from, DateOnly to, EventNames? names = null)
    {
        var query = new OperationLogQuery(From: Start(from), To: Start(to.AddDays(1)));
        var findings = new List<UnusualEvent>();
        var views = new Dictionary<(string Staff, DateOnly Day), int>();
        foreach (var record in log.Read(query))
        {
            var e = record.Entry;
            var local = e.At.ToOffset(Japan);
            if (e.Action == OperationAction.LoginFailed && e.Detail?.EndsWith(OperationLog.Name(AuthenticationOutcome.Locked), StringComparison.Ordinal) == true)
                findings.Add(new(UnusualEventKind.Lockout, e.At, e.StaffId, "ログインがロックされました", record.Sequence));
            else if (e.Result == OperationResult.Refused)
                findings.Add(new(UnusualEventKind.Refused, e.At, e.StaffId, $"拒否された操作（{Describe(e, names)}）", record.Sequence));
            if (ShowsNumber(e) && !WithinOfficeHours(e.At))
                findings.Add(new(UnusualEventKind.NumberShownOutsideOfficeHours, e.At, e.StaffId,
                    $"勤務時間外の個人番号の表示（{local:HH:mm}、{Describe(e, names)}）", record.Sequence));
            if (e.Result == OperationResult.Success && e.Action is OperationAction.View or OperationAction.Search)
            {
                var key = (e.StaffId, DateOnly.FromDateTime(local.DateTime));
                views[key] = views.GetValueOrDefault(key) + 1;
            }
        }
        foreach (var ((staff, day), count) in views.Where(v => v.Value > Options.PersonViewsPerDay))
            findings.Add(new(UnusualEventKind.ManyPersonViews, Start(day), staff,
                $"1日の閲覧・検索が {count} 件（基準 {Options.PersonViewsPerDay} 件）", null));
        return findings.OrderBy(f => f.At).ThenBy(f => f.Sequence ?? long.MaxValue).ToList();
    }

    /// <summary>
    /// Records that <paramref name="auditor"/> reviewed the period: stored and written to the operation log in Japanese.
    /// Refused (and the refusal logged) unless the caller is an active auditor; remarks are one to 500 characters without a number.
    /// </summary>
    /// <exception cref="StaffException">not-auditor, invalid-reason (remarks or period).</exception>
    public OperationLogReviewRecord Record(StaffId auditor, DateOnly from, DateOnly to, string? remarks, string terminal)
    {
        var now = directory.Options.Clock.GetUtcNow();
        void Log(OperationResult result, string sentence) =>
            log.Append(new OperationLogEntry(auditor.Value, now, terminal, null, null, OperationAction.OperationLogReviewed, result, sentence));
        var period = $"{from:yyyy-MM-dd}〜{to:yyyy-MM-dd}";
        if (directory.Find(auditor) is not { Role: StaffRole.Auditor, Active: true, Locked: false })
        {
            Log(OperationResult.Refused, $"操作記録（{period}）の検査・分析の記録を拒否しました（監査担当ではありません）。");
            throw new StaffException(StaffException.NotAuditor, "操作記録の検査・分析は監査担当が記録します (only an active auditor may record the review)");
        }
        var trimmed = remarks?.Trim() ?? "";
        if (to < from || trimmed.Length is 0 or > MaxRemarksLength || trimmed.Any(c => char.IsControl(c) && c is not ('\n' or '\r'))
            || PersonalNumberGuard.ContainsIndividualNumber(trimmed) || PersonalNumberGuard.ContainsResidentCode(trimmed))
        {
            Log(OperationResult.Refused, $"操作記録（{period}）の検査・分析の記録を拒否しました（期間または所見が正しくありません）。");
            throw new StaffException(StaffException.InvalidReason,
                $"所見は1〜{MaxRemarksLength}文字で、個人番号や住民票コードを含めないでください。期間の終わりは始まり以降にしてください (invalid remarks or period)");
        }
        var findings = Analyse(from, to).Count;
        Log(OperationResult.Success, $"操作記録（{period}）の検査・分析を行いました。確認が必要な事象 {findings} 件。所見: {trimmed}");
        database.InTransaction((connection, transaction) => connection.Command("""
            INSERT INTO operation_log_reviews (period_from, period_to, reviewed_by, reviewed_at, findings, remarks)
            VALUES (@from, @to, @by, @at, @findings, @remarks)
            """, transaction)
            .With("@from", Day(from)).With("@to", Day(to)).With("@by", auditor.Value)
            .With("@at", now.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)).With("@findings", findings).With("@remarks", trimmed)
            .ExecuteNonQuery());
        return new OperationLogReviewRecord(from, to, auditor.Value, now, findings, trimmed);
    }

    /// <summary>The recorded reviews, newest period first.</summary>
    public IReadOnlyList<OperationLogReviewRecord> History(int limit = 60)
    {
        using var connection = database.Open();
        using var reader = connection.Command(
                "SELECT period_from, period_to, reviewed_by, reviewed_at, findings, remarks FROM operation_log_reviews ORDER BY period_from DESC, id DESC LIMIT @limit")
            .With("@limit", Math.Clamp(limit, 1, 1000)).ExecuteReader();
        var list = new List<OperationLogReviewRecord>();
        while (reader.Read())
            list.Add(new OperationLogReviewRecord(ParseDay(reader.GetString(0)), ParseDay(reader.GetString(1)), reader.GetString(2),
                DateTimeOffset.Parse(reader.GetString(3), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture), reader.GetString(5)));
        return list;
    }

    /// <summary>Whether the month before <paramref name="today"/>'s month still has no recorded review (shown to auditors as overdue).</summary>
    public bool LastMonthUnreviewed(DateOnly today)
    {
        var first = new DateOnly(today.Year, today.Month, 1).AddMonths(-1);
        using var connection = database.Open();
        return connection.Command("SELECT COUNT(*) FROM operation_log_reviews WHERE period_from <= @from AND period_to >= @to")
            .With("@from", Day(first)).With("@to", Day(first.AddMonths(1).AddDays(-1))).ScalarInt64() == 0;
    }

    /// <summary>The entry as a Japanese sentence (<see cref="EventText"/>), cut at 80 characters.</summary>
    private static string Describe(OperationLogEntry e, EventNames? names)
    {
        var sentence = EventText.Describe(e.Detail, names);
        return sentence.Length > 80 ? sentence[..80] + "…" : sentence;
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Japan);
    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static DateOnly ParseDay(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
