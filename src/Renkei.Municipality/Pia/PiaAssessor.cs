using System.Globalization;
using Renkei.Core.Pia;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Pia;

/// <summary>A contractor (外部委託先) handling a file, and how many of its people do, from <see cref="From"/> to <see cref="To"/> (inclusive).</summary>
public sealed record PiaContractor(string FileCode, string Company, int Handlers, DateOnly From, DateOnly? To);

/// <summary>
/// An incident (事故) with a file: the day, what happened, whether serious (重大事故), whether reported to the commission and,
/// once decided, its handling and the measures against recurrence (<see cref="Handling"/>, 対応・再発防止策).
/// </summary>
public sealed record PiaIncident(string FileCode, DateOnly OccurredOn, string Description, bool Serious, bool Reported, string? Handling = null);

/// <summary>
/// A file's live figures and what follows: 対象人数 (<see cref="People"/>), 取扱者数 (staff with one of its affairs plus
/// contractors' handlers), a serious incident in the year up to <see cref="AsOf"/>, the level these call for and the one declared.
/// </summary>
public sealed record PiaFileAssessment(PiaFile File, DateOnly AsOf, long People, long StaffHandlers, long ContractorHandlers, bool SeriousIncident,
    AssessmentLevel Computed)
{
    public long Handlers => StaffHandlers + ContractorHandlers;

    /// <summary>Reality calls for more than the published assessment declares: re-assess before going on (再評価が必要).</summary>
    public bool NeedsReassessment => Computed > File.DeclaredLevel;

    /// <summary>What follows, in Japanese.</summary>
    public string FollowUp => AssessmentLevels.FollowUp(Computed, File.DeclaredLevel);

    /// <summary>A stable code for programs: <c>ok</c>, <c>reassess</c> or <c>above-need</c>.</summary>
    public string FollowUpCode => AssessmentLevels.FollowUpCode(Computed, File.DeclaredLevel);
}

/// <summary>
/// Computes each file's figures from the ward's own database — the register or the business system's persons, the staff
/// accounts with one of the file's affairs (active, not past their leaving day), the contractors and incidents recorded
/// here (<c>pia_contractors</c>, <c>pia_incidents</c>) — and records contractors and incidents, each in the operation log.
/// </summary>
public sealed class PiaAssessor
{
    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    private readonly Database _database;
    private readonly PiaInventory _inventory;
    private readonly AssessmentThresholds _thresholds;
    private readonly TimeProvider _clock;

    public PiaAssessor(Database database, PiaInventory? inventory = null, AssessmentThresholds? thresholds = null, TimeProvider? clock = null)
    {
        _database = database;
        _inventory = inventory ?? PiaInventory.LoadDefault();
        _thresholds = thresholds ?? AssessmentThresholds.Law;
        _clock = clock ?? TimeProvider.System;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    public PiaInventory Inventory => _inventory;

    public AssessmentThresholds Thresholds => _thresholds;

    private DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().ToOffset(JapanOffset).DateTime);

    /// <summary>Every file of the inventory, assessed today.</summary>
    public IReadOnlyList<PiaFileAssessment> AssessAll() => _inventory.Files.Select(Assess).ToList();

    public PiaFileAssessment Assess(PiaFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var today = Today;
        using var connection = _database.Open();
        var people = connection.Command(PopulationQuery(file.Population)).ScalarInt64();
        var day = Day(today);
        var staffCommand = connection.Command(
            $"SELECT COUNT(DISTINCT a.staff_id) FROM staff_accounts a JOIN staff_affairs f ON f.staff_id = a.staff_id "
            + $"WHERE a.active = 1 AND (a.leaves_on IS NULL OR a.leaves_on > @today) AND f.affair_code IN ({Parameters(file.Affairs.Count)})").With("@today", day);
        for (var i = 0; i < file.Affairs.Count; i++) staffCommand.With($"@a{i}", file.Affairs[i]);
        var staff = staffCommand.ScalarInt64();
        var contractors = connection.Command(
            "SELECT COALESCE(SUM(handlers), 0) FROM pia_contractors WHERE file_code = @f AND from_date <= @today AND (to_date IS NULL OR to_date >= @today)")
            .With("@f", file.Code).With("@today", day).ScalarInt64();
        var serious = connection.Command("SELECT COUNT(*) FROM pia_incidents WHERE file_code = @f AND serious = 1 AND occurred_on > @since AND occurred_on <= @today")
            .With("@f", file.Code).With("@since", Day(today.AddYears(-1))).With("@today", day).ScalarInt64() > 0;
        // The published assessment's level is the file's declared level; the inventory's until one is published (PiaAssessments).
        if (connection.Command("SELECT level FROM pia_assessments WHERE file_code = @f AND status = 'published'").With("@f", file.Code).ExecuteScalar() is string published)
            file = file with { DeclaredLevel = AssessmentLevels.FromCode(published)!.Value };
        return new PiaFileAssessment(file, today, people, staff, contractors, serious, _thresholds.Decide(people, staff + contractors, serious));
    }

    /// <summary>Records a contractor handling <paramref name="contractor"/>'s file.</summary>
    /// <exception cref="ArgumentException">an unknown file, no company, handlers outside 1–100,000, or an end before the start (the message names the field).</exception>
    public long AddContractor(PiaContractor contractor, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(contractor);
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(contractor.FileCode);
        var company = Text(contractor.Company, "company", "委託先の名称", 100);
        if (contractor.Handlers is < 1 or > 100_000) throw new ArgumentException("handlers: 1 to 100,000 (取扱者数は1から100,000人です)", nameof(contractor));
        if (contractor.To is { } to && to < contractor.From) throw new ArgumentException("to: not before from (委託期間の終了日が開始日より前です)", nameof(contractor));
        var id = _database.InTransaction((connection, transaction) => connection.Command(
                "INSERT INTO pia_contractors (file_code, company, handlers, from_date, to_date, recorded_by, recorded_at) VALUES (@f, @c, @h, @from, @to, @by, @at) RETURNING id",
                transaction)
            .With("@f", file.Code).With("@c", company).With("@h", contractor.Handlers).With("@from", Day(contractor.From))
            .With("@to", contractor.To is { } end ? Day(end) : null).With("@by", staffId).With("@at", _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture))
            .ScalarInt64());
        log.Append(new OperationLogEntry(staffId, _clock.GetUtcNow(), terminal, null, null, OperationAction.Change, OperationResult.Success,
            $"特定個人情報保護評価: {file.Name}の外部委託先（{company}、取扱者{contractor.Handlers.ToString("N0", CultureInfo.InvariantCulture)}人）を登録しました。"));
        return id;
    }

    /// <summary>Records an incident with a file (the incident register).</summary>
    /// <exception cref="ArgumentException">an unknown file, no description, a blank or over-long handling, or a day in the future (the message names the field).</exception>
    public long AddIncident(PiaIncident incident, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(log);
        var file = KnownFile(incident.FileCode);
        var description = Text(incident.Description, "description", "事故の内容", 1000);
        var handling = incident.Handling is null ? null : Text(incident.Handling, "handling", "対応・再発防止策", 1000);
        if (incident.OccurredOn > Today) throw new ArgumentException("occurredOn: not in the future (発生日が未来の日付です)", nameof(incident));
        var id = _database.InTransaction((connection, transaction) => connection.Command(
                "INSERT INTO pia_incidents (file_code, occurred_on, description, serious, reported, handling, recorded_by, recorded_at) VALUES (@f, @on, @d, @s, @r, @hd, @by, @at) RETURNING id",
                transaction)
            .With("@f", file.Code).With("@on", Day(incident.OccurredOn)).With("@d", description).With("@hd", handling).With("@s", incident.Serious ? 1 : 0)
            .With("@r", incident.Reported ? 1 : 0).With("@by", staffId).With("@at", _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)).ScalarInt64());
        log.Append(new OperationLogEntry(staffId, _clock.GetUtcNow(), terminal, null, null, OperationAction.Change, OperationResult.Success,
            $"特定個人情報保護評価: {file.Name}の事故（{(incident.Serious ? "重大事故" : "重大事故以外")}、発生日 {Day(incident.OccurredOn)}）を事故記録簿に登録しました。"));
        return id;
    }

    private PiaFile KnownFile(string? code) =>
        _inventory.Find(code) ?? throw new ArgumentException("file: not a file of the inventory (特定個人情報ファイルの指定が正しくありません)", nameof(code));

    private static string Text(string? text, string field, string japanese, int max) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().Length > max || text.Any(char.IsControl)
            ? throw new ArgumentException($"{field}: 1 to {max} characters ({japanese}を{max}文字以内で入力してください)", field)
            : text.Trim();

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Parameters(int count) => string.Join(", ", Enumerable.Range(0, count).Select(i => $"@a{i}"));

    /// <summary>The count of a file's people: fixed SQL per population, nothing from the policy file reaches the query.</summary>
    private static string PopulationQuery(PiaPopulation population) => population switch
    {
        PiaPopulation.ResidentRegister => "SELECT COUNT(*) FROM residents",
        PiaPopulation.IndividualResidenceTax => "SELECT COUNT(*) FROM tax_persons",
        PiaPopulation.ChildAllowance => "SELECT COUNT(*) FROM ca_persons",
        PiaPopulation.NursingCareInsurance => "SELECT COUNT(*) FROM ltc_persons",
        PiaPopulation.NationalHealthInsurance => "SELECT COUNT(*) FROM nhi_persons",
        PiaPopulation.PublicAssistance => "SELECT COUNT(*) FROM pa_persons",
        _ => throw new ArgumentOutOfRangeException(nameof(population)),
    };
}
