using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Dates;
using Renkei.Core.Pia;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Pia;

/// <summary>Where a version of an assessment stands: 作成中 → 提出済 → 公表中 → (a later version published) 旧版.</summary>
public enum PiaAssessmentStatus
{
    Draft,
    Submitted,
    Published,
    Superseded,
}

/// <summary>Stable codes and Japanese names of <see cref="PiaAssessmentStatus"/>.</summary>
public static class PiaAssessmentStatuses
{
    public static string Code(this PiaAssessmentStatus status) => status switch
    {
        PiaAssessmentStatus.Draft => "draft",
        PiaAssessmentStatus.Submitted => "submitted",
        PiaAssessmentStatus.Published => "published",
        PiaAssessmentStatus.Superseded => "superseded",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string Japanese(this PiaAssessmentStatus status) => status switch
    {
        PiaAssessmentStatus.Draft => "作成中",
        PiaAssessmentStatus.Submitted => "提出済",
        PiaAssessmentStatus.Published => "公表中",
        PiaAssessmentStatus.Superseded => "旧版",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    internal static PiaAssessmentStatus Parse(string code) =>
        Enum.GetValues<PiaAssessmentStatus>().First(s => s.Code() == code);
}

/// <summary>住民意見聴取: a version's public-comment period, first and last day inclusive, and where it was announced.</summary>
public sealed record PiaCommentPeriod(DateOnly From, DateOnly To, string Announced)
{
    /// <summary>Days of the period, both ends counted.</summary>
    public int Days => To.DayNumber - From.DayNumber + 1;
}

/// <summary>A comment received in the public-comment period: the day, a summary (no personal data) and how it was reflected.</summary>
public sealed record PiaPublicComment(DateOnly ReceivedOn, string Summary, string? Reflection);

/// <summary>第三者点検: the reviewing body (e.g. 品川区情報公開・個人情報保護審議会), the day, its findings and result.</summary>
public sealed record PiaThirdPartyReview(string Body, DateOnly ReviewedOn, string Findings, string? Result);

/// <summary>毎年度の点検: a file's yearly review in a fiscal year (April–March), the day, who and the result.</summary>
public sealed record PiaYearlyReview(string FileCode, int FiscalYear, DateOnly DoneOn, string DoneBy, string Result);

/// <summary>
/// One version of a file's assessment (評価書の版): the level assessed, its status, the live figures it was made from and
/// what a significant change is compared against, with its public-comment period, comments and third-party review.
/// </summary>
public sealed record PiaAssessmentVersion(
    long Id,
    string FileCode,
    int Version,
    AssessmentLevel Level,
    AssessmentLevel ComputedLevel,
    PiaAssessmentStatus Status,
    DateOnly FiguresOn,
    long People,
    long StaffHandlers,
    long ContractorHandlers,
    bool SeriousIncident,
    string InventoryVersion,
    string SystemCode,
    string LinkageFingerprint,
    long ContractorsThrough,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? SubmittedBy,
    DateTimeOffset? SubmittedAt,
    string? PublishedBy,
    DateTimeOffset? PublishedAt,
    DateOnly? PublishedOn)
{
    public PiaCommentPeriod? CommentPeriod { get; init; }
    public IReadOnlyList<PiaPublicComment> Comments { get; init; } = [];
    public IReadOnlyList<PiaThirdPartyReview> Reviews { get; init; } = [];
}

/// <summary>A rule of the workflow refused a step: a stable <see cref="Code"/> and a Japanese sentence naming what is missing.</summary>
public sealed class PiaAssessmentRefusedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The assessments themselves and their workflow (seed 000 §6; seed 001 資料1-3): per file, numbered versions that start as a
/// draft from today's live figures (<see cref="PiaAssessor"/>) and go draft → submitted → published; a 全項目評価 first
/// needs a public-comment period (住民意見聴取) of at least 30 days that has ended (seed 001 around l.4108: 原則30日以上)
/// and a third-party review (第三者点検). Publishing supersedes the file's previous published version, which is kept;
/// nothing is deleted or edited after submission. Every step is written to the ward's operation log.
/// </summary>
public sealed class PiaAssessments
{
    /// <summary>The shortest public-comment period, both ends counted (原則30日以上).</summary>
    public const int MinimumCommentDays = 30;

    public const string LevelBelowComputed = "level-below-computed";
    public const string LevelNone = "level-none";
    public const string VersionOpen = "version-open";
    public const string NoSuchVersion = "no-such-version";
    public const string NotDraft = "not-draft";
    public const string NotSubmitted = "not-submitted";
    public const string CommentPeriodMissing = "comment-period-missing";
    public const string CommentPeriodTooShort = "comment-period-too-short";
    public const string CommentPeriodOpen = "comment-period-open";
    public const string CommentOutsidePeriod = "comment-outside-period";
    public const string ReviewMissing = "review-missing";
    public const string YearlyReviewRecorded = "yearly-review-recorded";

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    private readonly Database _database;
    private readonly PiaAssessor _assessor;
    private readonly IntraMunicipalLinkagePolicy _linkage;
    private readonly TimeProvider _clock;

    public PiaAssessments(Database database, PiaAssessor assessor, IntraMunicipalLinkagePolicy? linkage = null, TimeProvider? clock = null)
    {
        _database = database;
        _assessor = assessor;
        _linkage = linkage ?? IntraMunicipalLinkagePolicy.LoadDefault();
        _clock = clock ?? TimeProvider.System;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    public PiaAssessor Assessor => _assessor;

    internal DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().ToOffset(JapanOffset).DateTime);

    /// <summary>
    /// Starts a new version of <paramref name="fileCode"/>'s assessment as a draft from today's figures, at the level they call
    /// for or a higher <paramref name="level"/> (declaring more than needed is allowed, less is refused). A file whose figures
    /// call for none is assessed at 基礎項目評価 unless told otherwise (a voluntary assessment).
    /// </summary>
    public PiaAssessmentVersion Create(string fileCode, AssessmentLevel? level, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(fileCode);
        var figures = _assessor.Assess(file);
        if (level == AssessmentLevel.None)
            throw new PiaAssessmentRefusedException(LevelNone, "評価の区分には基礎項目評価、基礎項目評価及び重点項目評価又は基礎項目評価及び全項目評価を指定してください。");
        if (level is { } chosen && chosen < figures.Computed)
            throw new PiaAssessmentRefusedException(LevelBelowComputed,
                $"現在の数値では{figures.Computed.Japanese()}が必要です。それより低い区分（{chosen.Japanese()}）では評価できません。");
        var assessed = level ?? (figures.Computed == AssessmentLevel.None ? AssessmentLevel.Basic : figures.Computed);
        var now = _clock.GetUtcNow();
        var id = _database.InTransaction((connection, transaction) =>
        {
            var open = connection.Command("SELECT COUNT(*) FROM pia_assessments WHERE file_code = @f AND status IN ('draft', 'submitted')", transaction)
                .With("@f", file.Code).ScalarInt64();
            if (open > 0)
                throw new PiaAssessmentRefusedException(VersionOpen, $"{file.Name}には作成中又は提出済の版があります。その版を公表してから新しい版を作成してください。");
            var version = connection.Command("SELECT COALESCE(MAX(version), 0) FROM pia_assessments WHERE file_code = @f", transaction)
                .With("@f", file.Code).ScalarInt64() + 1;
            var contractors = ContractorsThrough(connection, transaction, file.Code);
            return connection.Command(
                    "INSERT INTO pia_assessments (file_code, version, level, computed_level, status, figures_on, people, staff_handlers, contractor_handlers, "
                    + "serious_incident, inventory_version, system_code, linkage_fingerprint, contractors_through, created_by, created_at) "
                    + "VALUES (@f, @v, @level, @computed, 'draft', @on, @people, @staff, @contractors, @serious, @inventory, @system, @linkage, @through, @by, @at) RETURNING id",
                    transaction)
                .With("@f", file.Code).With("@v", (int)version).With("@level", assessed.Code()).With("@computed", figures.Computed.Code())
                .With("@on", Day(figures.AsOf)).With("@people", figures.People).With("@staff", figures.StaffHandlers).With("@contractors", figures.ContractorHandlers)
                .With("@serious", figures.SeriousIncident ? 1 : 0).With("@inventory", _assessor.Inventory.Version).With("@system", file.System)
                .With("@linkage", LinkageFingerprint(file)).With("@through", contractors).With("@by", staffId).With("@at", Stamp(now)).ScalarInt64();
        });
        var created = Load(id);
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の評価書 第{created.Version}版（{assessed.Japanese()}）を作成しました。");
        return created;
    }

    /// <summary>
    /// Records the public-comment period (住民意見聴取) of a draft version: its first and last day and where it was announced.
    /// Recorded again while the version is a draft, it replaces the earlier one (a period moved before it started), unless a
    /// comment already received would fall outside it.
    /// </summary>
    public void RecordCommentPeriod(string fileCode, int version, PiaCommentPeriod period, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(period);
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(fileCode);
        var announced = Text(period.Announced, "announced", "公示の方法", 200);
        if (period.To < period.From) throw new ArgumentException("to: not before from (意見聴取期間の終了日が開始日より前です)", nameof(period));
        var target = Draft(file, version);
        if (target.Comments.Any(c => c.ReceivedOn < period.From || c.ReceivedOn > period.To))
            throw new PiaAssessmentRefusedException(CommentOutsidePeriod, "受付済みの意見が新しい意見聴取期間の外になります。期間を見直してください。");
        _database.InTransaction((connection, transaction) =>
        {
            var replaced = connection.Command("UPDATE pia_comment_periods SET from_date = @from, to_date = @to, announced = @a, recorded_by = @by, recorded_at = @at "
                    + "WHERE assessment_id = @id", transaction)
                .With("@id", target.Id).With("@from", Day(period.From)).With("@to", Day(period.To)).With("@a", announced).With("@by", staffId)
                .With("@at", Stamp(_clock.GetUtcNow())).ExecuteNonQuery();
            if (replaced == 0)
                connection.Command("INSERT INTO pia_comment_periods (assessment_id, from_date, to_date, announced, recorded_by, recorded_at) VALUES (@id, @from, @to, @a, @by, @at)",
                        transaction)
                    .With("@id", target.Id).With("@from", Day(period.From)).With("@to", Day(period.To)).With("@a", announced).With("@by", staffId)
                    .With("@at", Stamp(_clock.GetUtcNow())).ExecuteNonQuery();
        });
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の評価書 第{version}版の住民意見聴取期間（{Day(period.From)}から{Day(period.To)}まで、{period.Days}日間）を記録しました。");
    }

    /// <summary>Records a comment received during the version's public-comment period.</summary>
    public long RecordComment(string fileCode, int version, PiaPublicComment comment, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(comment);
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(fileCode);
        var summary = Text(comment.Summary, "summary", "意見の概要", 2000);
        var reflection = comment.Reflection is null ? null : Text(comment.Reflection, "reflection", "反映状況", 2000);
        var target = Draft(file, version);
        var period = target.CommentPeriod
            ?? throw new PiaAssessmentRefusedException(CommentPeriodMissing, $"{file.Name}の第{version}版には意見聴取期間が記録されていません。先に期間を記録してください。");
        if (comment.ReceivedOn < period.From || comment.ReceivedOn > period.To)
            throw new PiaAssessmentRefusedException(CommentOutsidePeriod, "受付日が意見聴取期間の外です。期間内に受け付けた意見を記録してください。");
        var id = _database.InTransaction((connection, transaction) => connection.Command(
                "INSERT INTO pia_public_comments (assessment_id, received_on, summary, reflection, recorded_by, recorded_at) VALUES (@id, @on, @s, @r, @by, @at) RETURNING id",
                transaction)
            .With("@id", target.Id).With("@on", Day(comment.ReceivedOn)).With("@s", summary).With("@r", reflection).With("@by", staffId)
            .With("@at", Stamp(_clock.GetUtcNow())).ScalarInt64());
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の評価書 第{version}版に住民意見（受付日 {Day(comment.ReceivedOn)}）を記録しました。");
        return id;
    }

    /// <summary>Records the third-party review (第三者点検) of a draft version.</summary>
    public long RecordReview(string fileCode, int version, PiaThirdPartyReview review, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(fileCode);
        var body = Text(review.Body, "body", "点検した機関", 100);
        var findings = Text(review.Findings, "findings", "点検の所見", 4000);
        var result = review.Result is null ? null : Text(review.Result, "result", "点検の結果", 200);
        if (review.ReviewedOn > Today) throw new ArgumentException("reviewedOn: not in the future (点検日が未来の日付です)", nameof(review));
        var target = Draft(file, version);
        var id = _database.InTransaction((connection, transaction) => connection.Command(
                "INSERT INTO pia_third_party_reviews (assessment_id, body, reviewed_on, findings, result, recorded_by, recorded_at) VALUES (@id, @body, @on, @f, @r, @by, @at) RETURNING id",
                transaction)
            .With("@id", target.Id).With("@body", body).With("@on", Day(review.ReviewedOn)).With("@f", findings).With("@r", result).With("@by", staffId)
            .With("@at", Stamp(_clock.GetUtcNow())).ScalarInt64());
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の評価書 第{version}版の第三者点検（{body}、{Day(review.ReviewedOn)}）を記録しました。");
        return id;
    }

    /// <summary>
    /// Marks a draft submitted (提出). A 全項目評価 first needs an ended public-comment period of at least
    /// <see cref="MinimumCommentDays"/> days and a third-party review; the refusal names the missing step.
    /// </summary>
    public PiaAssessmentVersion Submit(string fileCode, int version, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(fileCode);
        var target = Draft(file, version);
        if (target.Level == AssessmentLevel.BasicFull)
        {
            var period = target.CommentPeriod
                ?? throw new PiaAssessmentRefusedException(CommentPeriodMissing, "全項目評価は、住民意見聴取（原則30日以上）を経なければ提出できません。意見聴取期間が記録されていません。");
            if (period.Days < MinimumCommentDays)
                throw new PiaAssessmentRefusedException(CommentPeriodTooShort,
                    $"住民意見聴取の期間が{period.Days}日間です。全項目評価の意見聴取は{MinimumCommentDays}日以上必要です。");
            if (period.To >= Today)
                throw new PiaAssessmentRefusedException(CommentPeriodOpen, $"住民意見聴取の期間（{JapaneseEraDate.Format(period.To)}まで）が終わっていません。期間の終了後に提出してください。");
            if (target.Reviews.Count == 0)
                throw new PiaAssessmentRefusedException(ReviewMissing, "全項目評価は、第三者点検を受けなければ提出できません。第三者点検が記録されていません。");
        }
        var changed = _database.InTransaction((connection, transaction) => connection.Command(
                "UPDATE pia_assessments SET status = 'submitted', submitted_by = @by, submitted_at = @at WHERE id = @id AND status = 'draft'", transaction)
            .With("@by", staffId).With("@at", Stamp(_clock.GetUtcNow())).With("@id", target.Id).ExecuteNonQuery());
        if (changed != 1) throw NotDraftRefusal(file, version);
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の評価書 第{version}版（{target.Level.Japanese()}）を提出しました。");
        return Load(target.Id);
    }

    /// <summary>
    /// Publishes (公表) a submitted version; the file's previously published version becomes superseded (kept). The published
    /// level is from then on the file's declared level (<see cref="PiaAssessor"/>).
    /// </summary>
    public PiaAssessmentVersion Publish(string fileCode, int version, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(fileCode);
        var target = Find(file, version);
        if (target.Status != PiaAssessmentStatus.Submitted)
            throw new PiaAssessmentRefusedException(NotSubmitted, target.Status == PiaAssessmentStatus.Draft
                ? $"{file.Name}の評価書 第{version}版は提出されていません。提出してから公表してください。"
                : $"{file.Name}の評価書 第{version}版は公表済みです（{target.Status.Japanese()}）。");
        var now = _clock.GetUtcNow();
        var superseded = _database.InTransaction((connection, transaction) =>
        {
            var previous = connection.Command("UPDATE pia_assessments SET status = 'superseded', superseded_at = @at WHERE file_code = @f AND status = 'published'", transaction)
                .With("@at", Stamp(now)).With("@f", file.Code).ExecuteNonQuery();
            var changed = connection.Command(
                    "UPDATE pia_assessments SET status = 'published', published_by = @by, published_at = @at, published_on = @on WHERE id = @id AND status = 'submitted'", transaction)
                .With("@by", staffId).With("@at", Stamp(now)).With("@on", Day(Today)).With("@id", target.Id).ExecuteNonQuery();
            if (changed != 1) throw new PiaAssessmentRefusedException(NotSubmitted, $"{file.Name}の評価書 第{version}版は提出されていません。");
            return previous;
        });
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の評価書 第{version}版（{target.Level.Japanese()}）を公表しました"
            + (superseded > 0 ? "（前の版は旧版として保存）。" : "。"));
        return Load(target.Id);
    }

    /// <summary>Records the yearly review (毎年度の点検) of a file for a fiscal year; once per file and year.</summary>
    public long RecordYearlyReview(PiaYearlyReview review, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(review);
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(review.FileCode);
        var result = Text(review.Result, "result", "点検の結果", 2000);
        if (review.DoneOn > Today) throw new ArgumentException("doneOn: not in the future (点検日が未来の日付です)", nameof(review));
        if (review.FiscalYear < 2014 || review.FiscalYear > FiscalYear(Today))
            throw new ArgumentException("fiscalYear: a fiscal year from 2014 to the current one (年度の指定が正しくありません)", nameof(review));
        if (review.DoneOn < new DateOnly(review.FiscalYear, 4, 1))
            throw new ArgumentException("doneOn: within or after the fiscal year (点検日がその年度より前です)", nameof(review));
        var id = _database.InTransaction((connection, transaction) =>
        {
            if (connection.Command("SELECT COUNT(*) FROM pia_yearly_reviews WHERE file_code = @f AND fiscal_year = @y", transaction)
                    .With("@f", file.Code).With("@y", review.FiscalYear).ScalarInt64() > 0)
                throw new PiaAssessmentRefusedException(YearlyReviewRecorded, $"{file.Name}の{review.FiscalYear}年度の点検は記録済みです。");
            return connection.Command(
                    "INSERT INTO pia_yearly_reviews (file_code, fiscal_year, done_on, done_by, result, recorded_at) VALUES (@f, @y, @on, @by, @r, @at) RETURNING id", transaction)
                .With("@f", file.Code).With("@y", review.FiscalYear).With("@on", Day(review.DoneOn)).With("@by", review.DoneBy).With("@r", result)
                .With("@at", Stamp(_clock.GetUtcNow())).ScalarInt64();
        });
        Log(log, staffId, terminal, $"特定個人情報保護評価: {file.Name}の{review.FiscalYear}年度の点検（実施日 {Day(review.DoneOn)}）を記録しました。");
        return id;
    }

    /// <summary>Every version of <paramref name="fileCode"/> (or of every file), oldest first, with their periods, comments and reviews.</summary>
    public IReadOnlyList<PiaAssessmentVersion> List(string? fileCode = null)
    {
        if (fileCode is not null) KnownFile(fileCode);
        using var connection = _database.Open();
        var select = connection.Command(Select + (fileCode is null ? "" : " WHERE file_code = @f") + " ORDER BY file_code, version");
        if (fileCode is not null) select.With("@f", fileCode);
        var versions = ReadVersions(select);
        return versions.Select(v => WithDetails(connection, v)).ToList();
    }

    /// <summary>The file's published version, or null.</summary>
    public PiaAssessmentVersion? Published(string fileCode)
    {
        using var connection = _database.Open();
        return ReadVersions(connection.Command(Select + " WHERE file_code = @f AND status = 'published'").With("@f", fileCode)).SingleOrDefault();
    }

    /// <summary>The file's yearly reviews, newest fiscal year first.</summary>
    public IReadOnlyList<PiaYearlyReview> YearlyReviews(string fileCode)
    {
        using var connection = _database.Open();
        using var reader = connection.Command("SELECT fiscal_year, done_on, done_by, result FROM pia_yearly_reviews WHERE file_code = @f ORDER BY fiscal_year DESC")
            .With("@f", fileCode).ExecuteReader();
        var reviews = new List<PiaYearlyReview>();
        while (reader.Read())
            reviews.Add(new PiaYearlyReview(fileCode, (int)Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), ParseDay(reader.GetString(1)),
                reader.GetString(2), reader.GetString(3)));
        return reviews;
    }

    /// <summary>The fiscal year (年度, April–March) <paramref name="day"/> falls in.</summary>
    public static int FiscalYear(DateOnly day) => day.Month >= 4 ? day.Year : day.Year - 1;

    /// <summary>
    /// What a significant change (重要な変更) of the linkage compares: a SHA-256 over the sorted linkage rows (inquirer, affair,
    /// provider, information kind, first and last day) that touch the file — asked for by one of its affairs, or by or from its system.
    /// </summary>
    public string LinkageFingerprint(PiaFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var rows = _linkage.Rules
            .Where(r => file.Affairs.Contains(r.AffairCode) || r.InquirerSystem == file.System || r.ProviderSystem == file.System)
            .Select(r => string.Join('|', r.InquirerSystem, r.AffairCode, r.ProviderSystem, r.InformationKind, Day(r.EffectiveFrom), r.EffectiveTo is { } to ? Day(to) : ""))
            .Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', rows))));
    }

    /// <summary>The highest contractor record of the file (0 when none): a later one is a contractor added since.</summary>
    internal long ContractorsThrough(string fileCode)
    {
        using var connection = _database.Open();
        return ContractorsThrough(connection, null, fileCode);
    }

    private static long ContractorsThrough(DbConnection connection, DbTransaction? transaction, string fileCode) =>
        connection.Command("SELECT COALESCE(MAX(id), 0) FROM pia_contractors WHERE file_code = @f", transaction).With("@f", fileCode).ScalarInt64();

    private const string Select =
        "SELECT id, file_code, version, level, computed_level, status, figures_on, people, staff_handlers, contractor_handlers, serious_incident, inventory_version, "
        + "system_code, linkage_fingerprint, contractors_through, created_by, created_at, submitted_by, submitted_at, published_by, published_at, published_on FROM pia_assessments";

    private static List<PiaAssessmentVersion> ReadVersions(DbCommand select)
    {
        using var reader = select.ExecuteReader();
        var versions = new List<PiaAssessmentVersion>();
        while (reader.Read())
        {
            long Long(int i) => Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
            versions.Add(new PiaAssessmentVersion(Long(0), reader.GetString(1), (int)Long(2), Level(reader.GetString(3)), Level(reader.GetString(4)),
                PiaAssessmentStatuses.Parse(reader.GetString(5)), ParseDay(reader.GetString(6)), Long(7), Long(8), Long(9), Long(10) == 1, reader.GetString(11),
                reader.GetString(12), reader.GetString(13), Long(14), reader.GetString(15), ParseStamp(reader.GetString(16)), reader.NullableString(17),
                reader.NullableString(18) is { } submitted ? ParseStamp(submitted) : null, reader.NullableString(19),
                reader.NullableString(20) is { } published ? ParseStamp(published) : null, reader.NullableString(21) is { } on ? ParseDay(on) : null));
        }
        return versions;
    }

    private static PiaAssessmentVersion WithDetails(DbConnection connection, PiaAssessmentVersion version)
    {
        PiaCommentPeriod? period = null;
        using (var reader = connection.Command("SELECT from_date, to_date, announced FROM pia_comment_periods WHERE assessment_id = @id").With("@id", version.Id).ExecuteReader())
            if (reader.Read()) period = new PiaCommentPeriod(ParseDay(reader.GetString(0)), ParseDay(reader.GetString(1)), reader.GetString(2));
        var comments = new List<PiaPublicComment>();
        using (var reader = connection.Command("SELECT received_on, summary, reflection FROM pia_public_comments WHERE assessment_id = @id ORDER BY id")
                   .With("@id", version.Id).ExecuteReader())
            while (reader.Read()) comments.Add(new PiaPublicComment(ParseDay(reader.GetString(0)), reader.GetString(1), reader.NullableString(2)));
        var reviews = new List<PiaThirdPartyReview>();
        using (var reader = connection.Command("SELECT body, reviewed_on, findings, result FROM pia_third_party_reviews WHERE assessment_id = @id ORDER BY id")
                   .With("@id", version.Id).ExecuteReader())
            while (reader.Read()) reviews.Add(new PiaThirdPartyReview(reader.GetString(0), ParseDay(reader.GetString(1)), reader.GetString(2), reader.NullableString(3)));
        return version with { CommentPeriod = period, Comments = comments, Reviews = reviews };
    }

    private PiaAssessmentVersion Load(long id)
    {
        using var connection = _database.Open();
        return WithDetails(connection, ReadVersions(connection.Command(Select + " WHERE id = @id").With("@id", id)).Single());
    }

    private PiaAssessmentVersion Find(PiaFile file, int version)
    {
        using var connection = _database.Open();
        var found = ReadVersions(connection.Command(Select + " WHERE file_code = @f AND version = @v").With("@f", file.Code).With("@v", version)).SingleOrDefault()
            ?? throw new PiaAssessmentRefusedException(NoSuchVersion, $"{file.Name}の評価書に指定の版はありません。");
        return WithDetails(connection, found);
    }

    private PiaAssessmentVersion Draft(PiaFile file, int version)
    {
        var found = Find(file, version);
        return found.Status == PiaAssessmentStatus.Draft ? found : throw NotDraftRefusal(file, version);
    }

    private static PiaAssessmentRefusedException NotDraftRefusal(PiaFile file, int version) =>
        new(NotDraft, $"{file.Name}の評価書 第{version}版は提出済みのため変更できません。新しい版を作成してください。");

    private void Log(OperationLog log, string staffId, string terminal, string detail) =>
        log.Append(new OperationLogEntry(staffId, _clock.GetUtcNow(), terminal, null, null, OperationAction.Change, OperationResult.Success, detail));

    private PiaFile KnownFile(string? code) =>
        _assessor.Inventory.Find(code) ?? throw new ArgumentException("file: not a file of the inventory (特定個人情報ファイルの指定が正しくありません)", nameof(code));

    private static AssessmentLevel Level(string code) => AssessmentLevels.FromCode(code)!.Value;

    private static string Text(string? text, string field, string japanese, int max) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().Length > max || text.Any(c => char.IsControl(c) && c != '\n')
            ? throw new ArgumentException($"{field}: 1 to {max} characters ({japanese}を{max}文字以内で入力してください)", field)
            : text.Trim();

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly ParseDay(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Stamp(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseStamp(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
}
