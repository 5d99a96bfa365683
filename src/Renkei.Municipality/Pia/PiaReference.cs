using System.Text.Json;
using Renkei.Core.Pia;
using Renkei.Core.Policy;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Pia;

/// <summary>
/// One published assessment of another municipality (公表されている特定個人情報保護評価): its number in the list, the affair's
/// name as published, the level, the department, and the demo's affair it maps to (<c>null</c> where the demo does not run it).
/// </summary>
public sealed record PiaReferenceEntry(int Number, string Name, AssessmentLevel Level, string? Department, string? Affair, SeedCitation? Citation);

/// <summary>
/// A municipality's published list of assessments as reference data (<c>policy/municipality/pia-reference-*.json</c>, embedded):
/// 品川区's 表7 (seed 000 around line 1244: 31 affairs) and 板橋区's list of 44 (seed 004 around line 128). Loaded and checked as a
/// whole — one bad entry refuses the file naming file, line and entry; the per-level counts the file declares must match its entries.
/// </summary>
public sealed class PiaReferenceList
{
    public const string ShinagawaFileName = "pia-reference-shinagawa.json";
    public const string ItabashiFileName = "pia-reference-itabashi.json";

    private static readonly Lazy<PiaReferenceList> Shinagawa = new(() => Parse(EmbeddedPolicy.Read(ShinagawaFileName), ShinagawaFileName, AffairCatalogue.LoadDefault()));
    private static readonly Lazy<PiaReferenceList> Itabashi = new(() => Parse(EmbeddedPolicy.Read(ItabashiFileName), ItabashiFileName, AffairCatalogue.LoadDefault()));

    private PiaReferenceList(string key, string municipality, string municipalityName, string version, string source, IReadOnlyList<PiaReferenceEntry> entries) =>
        (Key, Municipality, MunicipalityName, Version, Source, Entries) = (key, municipality, municipalityName, version, source, entries);

    /// <summary>A stable code for programs (<c>shinagawa</c>, <c>itabashi</c>).</summary>
    public string Key { get; }

    /// <summary>The publishing municipality's local government code (6 digits).</summary>
    public string Municipality { get; }

    public string MunicipalityName { get; }
    public string Version { get; }
    public string Source { get; }
    public IReadOnlyList<PiaReferenceEntry> Entries { get; }

    /// <summary>How many entries are published at <paramref name="level"/>.</summary>
    public int Count(AssessmentLevel level) => Entries.Count(e => e.Level == level);

    /// <summary>The shipped reference lists: 品川区's 表7, then 板橋区's 44.</summary>
    public static IReadOnlyList<PiaReferenceList> LoadDefault() => [Shinagawa.Value, Itabashi.Value];

    /// <exception cref="PolicyFileException">the content is not a valid reference list for <paramref name="affairs"/>.</exception>
    public static PiaReferenceList Parse(byte[] utf8Json, string fileName, AffairCatalogue affairs)
    {
        ArgumentNullException.ThrowIfNull(affairs);
        var file = PolicyFile.Parse(utf8Json, fileName);
        var version = file.RequiredString("version");
        var source = file.RequiredString("source");
        var key = file.RequiredString("key");
        if (!PolicyFile.IsCode(key)) throw file.Error("the header \"key\" is not lower-case ASCII words joined by hyphens", 1);
        var municipality = file.RequiredString("municipality");
        if (municipality.Length != 6 || !municipality.All(char.IsAsciiDigit)) throw file.Error("the header \"municipality\" is not a 6-digit local government code", 1);
        var municipalityName = file.RequiredString("municipalityName");
        file.OptionalString("note");

        var declared = new Dictionary<AssessmentLevel, (int Count, int Line)>();
        foreach (var (entry, line, position) in file.Entries<CountEntry>("counts"))
        {
            var level = Level(entry.Level) ?? throw file.Error($"counts entry {position}: level is one of basic, basic+priority, basic+full", line);
            if (declared.ContainsKey(level)) throw file.Error($"counts entry {position}: {level.Code()} is counted twice", line);
            if (entry.Count is not >= 0) throw file.Error($"counts entry {position}: count is a whole number of 0 or more", line);
            declared[level] = (entry.Count.Value, line);
        }

        var entries = new List<PiaReferenceEntry>();
        foreach (var (entry, line, position) in file.Entries<ReferenceEntry>("entries"))
        {
            var where = $"entries entry {position}" + (entry.No is > 0 ? $" (no {entry.No})" : "");
            PolicyFileException Fail(string problem) => file.Error($"{where}: {problem}", line);
            if (entry.No is not > 0) throw Fail("no is missing or not a whole number above 0");
            if (string.IsNullOrWhiteSpace(entry.Name) || entry.Name.Any(char.IsControl)) throw Fail("name is missing");
            var level = Level(entry.Level) ?? throw Fail("level is one of basic, basic+priority, basic+full (a published assessment)");
            if (entries.Any(e => e.Number == entry.No && e.Level == level)) throw Fail($"no {entry.No} is listed twice at {level.Code()}");
            if (entry.Department is { } department && (string.IsNullOrWhiteSpace(department) || department.Any(char.IsControl)))
                throw Fail("department is empty (leave it out or null where the list gives none)");
            if (entry.Affair is not null && affairs.Find(entry.Affair) is null)
                throw Fail($"affair: \"{Clip(entry.Affair)}\" is not in the affair catalogue (null where the demo does not run it)");
            var citation = PolicyFile.Citation(entry.SourceLine, entry.CitationChecked, entry.CitationNote, Fail)
                ?? throw Fail("sourceLine and citationChecked are missing (every reference entry cites its seed line)");
            entries.Add(new PiaReferenceEntry(entry.No.Value, entry.Name.Trim(), level, entry.Department?.Trim(), entry.Affair, citation));
        }
        if (entries.Count == 0) throw file.Error("the list has no entries", 1);
        foreach (var level in new[] { AssessmentLevel.BasicFull, AssessmentLevel.BasicPriority, AssessmentLevel.Basic })
        {
            var actual = entries.Count(e => e.Level == level);
            var (count, line) = declared.TryGetValue(level, out var d) ? d : (0, 1);
            if (count != actual) throw file.Error($"counts: {level.Code()} is declared {count} but the entries list {actual}", line);
        }
        return new PiaReferenceList(key, municipality, municipalityName.Trim(), version, source, entries);
    }

    private static AssessmentLevel? Level(string? code) =>
        AssessmentLevels.FromCode(code) is { } level && level != AssessmentLevel.None ? level : null;

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private sealed class CountEntry
    {
        public string? Level { get; set; }
        public int? Count { get; set; }
    }

    private sealed class ReferenceEntry
    {
        public int? No { get; set; }
        public string? Name { get; set; }
        public string? Level { get; set; }
        public string? Department { get; set; }
        public string? Affair { get; set; }
        public JsonElement SourceLine { get; set; }
        public JsonElement CitationChecked { get; set; }
        public JsonElement CitationNote { get; set; }
    }
}
