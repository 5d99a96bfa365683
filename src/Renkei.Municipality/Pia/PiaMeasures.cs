using System.Data.Common;
using System.Globalization;
using Renkei.Infrastructure;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality.Pia;

/// <summary>A staff member's attendance of a course on the handling of specific personal information (研修).</summary>
public sealed record PiaTraining(string StaffId, string Course, DateOnly AttendedOn);

/// <summary>A self-inspection of a file (自己点検, seed 000 §5 (3): every fiscal year by each department): who, when, the result and findings.</summary>
public sealed record PiaSelfInspection(string FileCode, DateOnly InspectedOn, string Inspector, string Result, string? Findings);

/// <summary>
/// The training figure of a file for the fiscal year beginning <see cref="FiscalYearStart"/>: how many of its staff handlers
/// (<see cref="StaffHandlers"/>, as counted for 取扱者数) attended a course in that year up to the day of the figure.
/// </summary>
public sealed record PiaTrainingFigure(DateOnly FiscalYearStart, long Attended, long StaffHandlers);

/// <summary>Which way a linkage row moves the file's information.</summary>
public enum PiaLinkageDirection
{
    /// <summary>入手: the file's affairs obtain information from elsewhere.</summary>
    Obtains,
    /// <summary>提供 (to another institution through the network) or 移転 (to another business system of the ward).</summary>
    Provides,
}

/// <summary>
/// One linkage row concerning a file: through the information provision network (<see cref="Network"/>, 番号法 別表第二 and
/// approved ordinance rows) or inside the ward (庁内連携), which information (<see cref="Kind"/>), with whom
/// (<see cref="Counterpart"/>), for which affair, under which legal text.
/// </summary>
public sealed record PiaLinkage(PiaLinkageDirection Direction, bool Network, string Kind, string Counterpart, string Affair, string LegalBasis);

/// <summary>
/// A row of the network's linkage policy as the assessment reads it (the caller maps <c>Renkei.Network.Policy.PolicyRow</c>s in
/// force today, which this module does not reference): the inquirer and provider classes (Japanese names, and whether each is a
/// municipality), the affair and the information kind (code and name) and the legal source.
/// </summary>
public sealed record PiaNetworkRow(string InquirerName, bool InquirerIsMunicipality, string AffairCode, string AffairName,
    string ProviderName, bool ProviderIsMunicipality, string KindCode, string KindName, string Source);

/// <summary>
/// What a file's assessment declares as its protection measures, read from the records the system keeps on
/// <see cref="AsOf"/>: the contractors in contract today, the training figure of the fiscal year, the latest
/// self-inspections, the incidents of the past five years with their handling, the segment its system runs in and the
/// linkage rows in force.
/// </summary>
public sealed record PiaFileMeasures(
    PiaFile File,
    DateOnly AsOf,
    string SystemName,
    IReadOnlyList<PiaContractor> Contractors,
    PiaTrainingFigure Training,
    IReadOnlyList<PiaSelfInspection> SelfInspections,
    IReadOnlyList<PiaIncident> Incidents,
    PiaSegment? Segment,
    IReadOnlyList<PiaSegment> OtherSegments,
    IReadOnlyList<PiaLinkage> Linkages);

/// <summary>
/// The protection-measure records of the ward's files (issue 16 item 6; seed 000 §5): training attendance (<c>pia_training</c>)
/// and self-inspections (<c>pia_self_inspections</c>), each added to the operation log, and <see cref="Read"/>, which gathers
/// everything an assessment document's measures sections are filled from (contractors and incidents are kept by
/// <see cref="PiaAssessor"/>).
/// </summary>
public sealed class PiaMeasures
{
    /// <summary>How many self-inspections the document lists (the latest first).</summary>
    public const int SelfInspectionsShown = 5;

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    private readonly Database _database;
    private readonly PiaInventory _inventory;
    private readonly AffairCatalogue _affairs;
    private readonly PiaSegments _segments;
    private readonly IntraMunicipalLinkagePolicy _intra;
    private readonly TimeProvider _clock;

    public PiaMeasures(Database database, PiaInventory? inventory = null, TimeProvider? clock = null, PiaSegments? segments = null,
        IntraMunicipalLinkagePolicy? intra = null)
    {
        _database = database;
        _inventory = inventory ?? PiaInventory.LoadDefault();
        _clock = clock ?? TimeProvider.System;
        _segments = segments ?? PiaSegments.LoadDefault();
        _intra = intra ?? IntraMunicipalLinkagePolicy.LoadDefault();
        _affairs = _intra.Affairs;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    private DateOnly Today => DateOnly.FromDateTime(_clock.GetUtcNow().ToOffset(JapanOffset).DateTime);

    /// <summary>The first day of the Japanese fiscal year (年度, April–March) that contains <paramref name="day"/>.</summary>
    public static DateOnly FiscalYearStart(DateOnly day) => new(day.Month >= 4 ? day.Year : day.Year - 1, 4, 1);

    /// <summary>Records that a staff member of the ward attended a course.</summary>
    /// <exception cref="ArgumentException">a staff id that is no account of the ward, no course, or a day in the future (the message names the field).</exception>
    public long AddTraining(PiaTraining training, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(log);
        var course = Text(training.Course, "course", "研修の名称", 200);
        if (training.AttendedOn > Today) throw new ArgumentException("attendedOn: not in the future (受講日が未来の日付です)", nameof(training));
        var id = _database.InTransaction((connection, transaction) =>
        {
            if (connection.Command("SELECT COUNT(*) FROM staff_accounts WHERE staff_id = @s", transaction).With("@s", training.StaffId ?? "").ScalarInt64() == 0)
                throw new ArgumentException("staff: not a staff account of the ward (職員IDが登録されていません)", nameof(training));
            return connection.Command(
                    "INSERT INTO pia_training (staff_id, course, attended_on, recorded_by, recorded_at) VALUES (@s, @c, @on, @by, @at) RETURNING id", transaction)
                .With("@s", training.StaffId).With("@c", course).With("@on", Day(training.AttendedOn)).With("@by", staffId).With("@at", Now).ScalarInt64();
        });
        log.Append(new OperationLogEntry(staffId, _clock.GetUtcNow(), terminal, null, null, OperationAction.Change, OperationResult.Success,
            $"特定個人情報保護評価: 職員 {training.StaffId} の研修受講（{course}、受講日 {Day(training.AttendedOn)}）を登録しました。"));
        return id;
    }

    /// <summary>Records a self-inspection of a file.</summary>
    /// <exception cref="ArgumentException">an unknown file, no inspector or result, blank findings, or a day in the future (the message names the field).</exception>
    public long AddSelfInspection(PiaSelfInspection inspection, string staffId, string terminal, OperationLog log)
    {
        ArgumentNullException.ThrowIfNull(inspection);
        ArgumentNullException.ThrowIfNull(log);
        var file = _inventory.Find(inspection.FileCode)
            ?? throw new ArgumentException("file: not a file of the inventory (特定個人情報ファイルの指定が正しくありません)", nameof(inspection));
        var inspector = Text(inspection.Inspector, "inspector", "点検者", 100);
        var result = Text(inspection.Result, "result", "点検結果", 200);
        var findings = inspection.Findings is null ? null : Text(inspection.Findings, "findings", "指摘事項", 1000);
        if (inspection.InspectedOn > Today) throw new ArgumentException("inspectedOn: not in the future (点検日が未来の日付です)", nameof(inspection));
        var id = _database.InTransaction((connection, transaction) => connection.Command(
                "INSERT INTO pia_self_inspections (file_code, inspected_on, inspector, result, findings, recorded_by, recorded_at) VALUES (@f, @on, @i, @r, @fd, @by, @at) RETURNING id",
                transaction)
            .With("@f", file.Code).With("@on", Day(inspection.InspectedOn)).With("@i", inspector).With("@r", result).With("@fd", findings)
            .With("@by", staffId).With("@at", Now).ScalarInt64());
        log.Append(new OperationLogEntry(staffId, _clock.GetUtcNow(), terminal, null, null, OperationAction.Change, OperationResult.Success,
            $"特定個人情報保護評価: {file.Name}の自己点検（点検日 {Day(inspection.InspectedOn)}、結果 {result}）を登録しました。"));
        return id;
    }

    /// <summary>
    /// Everything the measures sections of <paramref name="file"/>'s assessment are filled from, as recorded today;
    /// <paramref name="network"/> are the network's linkage rows in force today (those concerning the file are kept).
    /// </summary>
    public PiaFileMeasures Read(PiaFile file, IEnumerable<PiaNetworkRow>? network = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var today = Today;
        var day = Day(today);
        var fiscalYear = FiscalYearStart(today);
        using var connection = _database.Open();

        var contractors = Rows(connection.Command(
                "SELECT company, handlers, from_date, to_date FROM pia_contractors WHERE file_code = @f AND from_date <= @today AND (to_date IS NULL OR to_date >= @today) ORDER BY from_date, id")
            .With("@f", file.Code).With("@today", day),
            r => new PiaContractor(file.Code, r.GetString(0), (int)Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Date(r.GetString(2)),
                r.IsDBNull(3) ? null : Date(r.GetString(3))));

        var handlers = $"SELECT DISTINCT a.staff_id FROM staff_accounts a JOIN staff_affairs f ON f.staff_id = a.staff_id "
            + $"WHERE a.active = 1 AND (a.leaves_on IS NULL OR a.leaves_on > @today) AND f.affair_code IN ({string.Join(", ", file.Affairs.Select((_, i) => $"@a{i}"))})";
        var staffCount = WithAffairs(connection.Command($"SELECT COUNT(*) FROM ({handlers}) h").With("@today", day), file).ScalarInt64();
        var attended = WithAffairs(connection.Command(
                $"SELECT COUNT(*) FROM ({handlers}) h WHERE EXISTS (SELECT 1 FROM pia_training t WHERE t.staff_id = h.staff_id AND t.attended_on >= @fy AND t.attended_on <= @today)")
            .With("@today", day).With("@fy", Day(fiscalYear)), file).ScalarInt64();

        var inspections = Rows(connection.Command(
                $"SELECT inspected_on, inspector, result, findings FROM pia_self_inspections WHERE file_code = @f ORDER BY inspected_on DESC, id DESC LIMIT {SelfInspectionsShown}")
            .With("@f", file.Code),
            r => new PiaSelfInspection(file.Code, Date(r.GetString(0)), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3)));

        var incidents = Rows(connection.Command(
                "SELECT occurred_on, description, serious, reported, handling FROM pia_incidents WHERE file_code = @f AND occurred_on > @since AND occurred_on <= @today ORDER BY occurred_on DESC, id DESC")
            .With("@f", file.Code).With("@since", Day(today.AddYears(-5))).With("@today", day),
            r => new PiaIncident(file.Code, Date(r.GetString(0)), r.GetString(1), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture) != 0,
                Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture) != 0, r.IsDBNull(4) ? null : r.GetString(4)));

        var segment = _segments.Of(file.System);
        return new PiaFileMeasures(file, today, _affairs.FindSystem(file.System)?.Name ?? file.System, contractors,
            new PiaTrainingFigure(fiscalYear, attended, staffCount), inspections, incidents, segment,
            [.. _segments.Segments.Where(s => s != segment)], Linkages(file, today, network ?? []));
    }

    /// <summary>
    /// The rows concerning the file: the network's rows where its affairs obtain (入手) or where a municipality provides a kind
    /// its system holds (提供), and the ward's own rows (庁内連携) where its system obtains or is asked (移転).
    /// </summary>
    private List<PiaLinkage> Linkages(PiaFile file, DateOnly today, IEnumerable<PiaNetworkRow> network)
    {
        var held = _intra.InformationKinds.Where(k => k.HeldBy.Contains(file.System)).Select(k => k.Code).ToHashSet(StringComparer.Ordinal);
        string KindName(string code) => _intra.InformationKinds.FirstOrDefault(k => k.Code == code)?.Name ?? code;
        string SystemName(string code) => _affairs.FindSystem(code)?.Name ?? code;
        string AffairName(string code) => _affairs.Find(code)?.Name ?? code;
        var rows = new List<PiaLinkage>();
        foreach (var row in network)
        {
            if (row.InquirerIsMunicipality && file.Affairs.Contains(row.AffairCode))
                rows.Add(new PiaLinkage(PiaLinkageDirection.Obtains, true, row.KindName, row.ProviderName, row.AffairName, row.Source));
            if (row.ProviderIsMunicipality && held.Contains(row.KindCode))
                rows.Add(new PiaLinkage(PiaLinkageDirection.Provides, true, row.KindName, row.InquirerName, row.AffairName, row.Source));
        }
        foreach (var rule in _intra.Rules.Where(r => r.InForceOn(today)))
        {
            if (rule.InquirerSystem == file.System && file.Affairs.Contains(rule.AffairCode))
                rows.Add(new PiaLinkage(PiaLinkageDirection.Obtains, false, KindName(rule.InformationKind), SystemName(rule.ProviderSystem), AffairName(rule.AffairCode), rule.Article));
            if (rule.ProviderSystem == file.System)
                rows.Add(new PiaLinkage(PiaLinkageDirection.Provides, false, KindName(rule.InformationKind), SystemName(rule.InquirerSystem), AffairName(rule.AffairCode), rule.Article));
        }
        return rows.Distinct().ToList();
    }

    private static DbCommand WithAffairs(DbCommand command, PiaFile file)
    {
        for (var i = 0; i < file.Affairs.Count; i++) command.With($"@a{i}", file.Affairs[i]);
        return command;
    }

    private static List<T> Rows<T>(DbCommand command, Func<DbDataReader, T> read)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    private string Now => _clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);

    private static string Text(string? text, string field, string japanese, int max) =>
        string.IsNullOrWhiteSpace(text) || text.Trim().Length > max || text.Any(char.IsControl)
            ? throw new ArgumentException($"{field}: 1 to {max} characters ({japanese}を{max}文字以内で入力してください)", field)
            : text.Trim();

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
