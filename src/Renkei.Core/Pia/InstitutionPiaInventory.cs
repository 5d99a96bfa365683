using Renkei.Core.Policy;

namespace Renkei.Core.Pia;

/// <summary>
/// One specific-personal-information file (特定個人情報ファイル) of an institution that keeps no staff accounts in Renkei — J-LIS,
/// the network, an intermediate server, a holder: its legal basis, the system and tables it lives in, where its people are
/// counted (<see cref="Population"/>, a count the module knows how to make), its owner department, the people declared to
/// handle it (operators and contractors together: these institutions' staff are not Renkei accounts) and the level its
/// published assessment declares.
/// </summary>
public sealed record InstitutionPiaFile(string Code, string Name, string Basis, string System, IReadOnlyList<string> Tables, string Population,
    string Department, int Handlers, AssessmentLevel DeclaredLevel, SeedCitation? Citation);

/// <summary>A file's figures today: 対象人数 counted in the institution's own database, 取扱者数 as declared, and the level they call for.</summary>
public sealed record InstitutionPiaFigures(InstitutionPiaFile File, DateOnly AsOf, long People, AssessmentLevel Computed)
{
    public long Handlers => File.Handlers;

    public bool NeedsReassessment => Computed > File.DeclaredLevel;

    public string FollowUp => AssessmentLevels.FollowUp(Computed, File.DeclaredLevel);

    public string FollowUpCode => AssessmentLevels.FollowUpCode(Computed, File.DeclaredLevel);
}

/// <summary>
/// An institution's inventory of files (<c>policy/&lt;institution&gt;/pia-files*.json</c>, embedded in its module; see
/// policy/README.md), checked as a whole: one bad entry refuses the file, naming the file, line and entry. Each module passes
/// the population codes it can count, so a file can only name a count that exists.
/// </summary>
public sealed class InstitutionPiaInventory
{
    private InstitutionPiaInventory(string institution, string version, string source, IReadOnlyList<InstitutionPiaFile> files) =>
        (Institution, Version, Source, Files) = (institution, version, source, files);

    /// <summary>The institution as printed, e.g. 地方公共団体情報システム機構.</summary>
    public string Institution { get; }
    public string Version { get; }
    public string Source { get; }
    public IReadOnlyList<InstitutionPiaFile> Files { get; }

    /// <summary>Every file assessed on <paramref name="today"/>, its people counted by <paramref name="countPeople"/> (given the file's population code).</summary>
    public IReadOnlyList<InstitutionPiaFigures> Assess(Func<string, long> countPeople, AssessmentThresholds thresholds, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(countPeople);
        ArgumentNullException.ThrowIfNull(thresholds);
        return Files.Select(f =>
        {
            var people = countPeople(f.Population);
            // No incident register is kept for these institutions yet: a serious incident is not counted (docs/pia.md).
            return new InstitutionPiaFigures(f, today, people, thresholds.Decide(people, f.Handlers, seriousIncident: false));
        }).ToList();
    }

    /// <exception cref="PolicyFileException">the content is not a valid inventory, or names a population outside <paramref name="populations"/>.</exception>
    public static InstitutionPiaInventory Parse(byte[] utf8Json, string fileName, IReadOnlyCollection<string> populations)
    {
        ArgumentNullException.ThrowIfNull(populations);
        var file = PolicyFile.Parse(utf8Json, fileName);
        var version = file.RequiredString("version");
        var source = file.RequiredString("source");
        var institution = file.RequiredString("institution");
        var files = new List<InstitutionPiaFile>();
        foreach (var (entry, code, name, department, declared, citation, fail) in PiaFileEntry.ReadFiles<FileEntry>(file, "所管部署"))
        {
            if (string.IsNullOrWhiteSpace(entry.Basis)) throw fail("basis (the statute that lets the institution hold the file) is missing");
            if (string.IsNullOrWhiteSpace(entry.System)) throw fail("system is missing");
            if (entry.Tables is not { Length: > 0 } || entry.Tables.Any(t => !IsTableName(t))) throw fail("tables: at least one table name (lower-case ASCII and underscores)");
            if (entry.Population is null || !populations.Contains(entry.Population)) throw fail($"population: one of {string.Join(", ", populations)}");
            if (entry.Handlers is not { } handlers || handlers < 0 || handlers > 1_000_000) throw fail("handlers (取扱者数, operators and contractors): 0 to 1,000,000");
            files.Add(new InstitutionPiaFile(code, name, entry.Basis.Trim(), entry.System.Trim(), entry.Tables, entry.Population, department, handlers,
                declared, citation));
        }
        return new InstitutionPiaInventory(institution, version, source, files);
    }

    private static bool IsTableName(string? name) => name is { Length: > 0 and <= 63 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    private sealed class FileEntry : PiaFileEntry
    {
        public string? Basis { get; set; }
        public string[]? Tables { get; set; }
        public int? Handlers { get; set; }
    }
}
