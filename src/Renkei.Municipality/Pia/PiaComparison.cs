using System.Globalization;
using System.Text;
using Renkei.Core.Pia;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Pia;

/// <summary>What one reference list publishes for a row's affair (several entries where that municipality splits the affair).</summary>
public sealed record PiaPublished(PiaReferenceList List, IReadOnlyList<PiaReferenceEntry> Entries)
{
    /// <summary>The highest level published for the affair, or <c>null</c> when the list does not name it.</summary>
    public AssessmentLevel? Highest => Entries.Count == 0 ? null : Entries.Max(e => e.Level);
}

/// <summary>
/// One affair of the reference lists: the demo's affair it maps to (<c>null</c> when the demo does not run it), what each
/// reference municipality publishes for it, the demo ward's live assessment of the file that holds it (<c>null</c> when the
/// demo's inventory has no such file) and, where the levels differ or the demo cannot compare, a note in Japanese.
/// </summary>
public sealed record PiaComparisonRow(string? Affair, string Name, IReadOnlyList<PiaPublished> Published, PiaFileAssessment? Demo, string? Note)
{
    /// <summary>The levels shown in the row (the demo's computed one and every published one) are not all the same.</summary>
    public bool Differs => Published.SelectMany(p => p.Entries).Select(e => e.Level).Concat(Demo is null ? [] : [Demo.Computed]).Distinct().Count() > 1;
}

/// <summary>
/// Puts the demo ward's computed levels (<see cref="PiaAssessor"/>'s live figures) beside the levels other municipalities
/// publish (<see cref="PiaReferenceList"/>): one row per demo affair the lists map to, in the order of the first list, then
/// one row per entry the demo does not run.
/// </summary>
public static class PiaComparison
{
    public static IReadOnlyList<PiaComparisonRow> Compare(IReadOnlyList<PiaReferenceList> lists, IReadOnlyList<PiaFileAssessment> demo, AffairCatalogue affairs)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(demo);
        ArgumentNullException.ThrowIfNull(affairs);
        var rows = new List<PiaComparisonRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in lists)
            foreach (var entry in list.Entries)
            {
                if (entry.Affair is { } affair)
                {
                    if (!seen.Add(affair)) continue;
                    var published = lists.Select(l => new PiaPublished(l, l.Entries.Where(e => e.Affair == affair).ToList())).ToList();
                    var file = demo.FirstOrDefault(d => d.File.Affairs.Contains(affair, StringComparer.Ordinal));
                    rows.Add(Row(affair, affairs.Find(affair)?.Name ?? entry.Name, published, file, demoRuns: true));
                }
                else
                {
                    var published = lists.Select(l => new PiaPublished(l, l == list ? [entry] : [])).ToList();
                    rows.Add(Row(null, entry.Name, published, null, demoRuns: false));
                }
            }
        return rows;
    }

    private static PiaComparisonRow Row(string? affair, string name, IReadOnlyList<PiaPublished> published, PiaFileAssessment? demo, bool demoRuns)
    {
        var draft = new PiaComparisonRow(affair, name, published, demo, null);
        return draft with { Note = Note(draft, demoRuns) };
    }

    private static string? Note(PiaComparisonRow row, bool demoRuns)
    {
        var note = new StringBuilder();
        var naming = row.Published.Where(p => p.Entries.Count > 0).ToList();
        var highest = naming.Max(p => p.Highest!.Value);
        if (!demoRuns)
            note.Append("デモの区はこの事務を扱っていないため、比較できません。");
        else if (row.Demo is not { } demo)
            note.Append("デモの区はこの事務を扱いますが、特定個人情報ファイルとして評価の対象に登録していないため、件数を計算していません。");
        else if (demo.Computed < highest)
            note.Append(CultureInfo.InvariantCulture,
                $"デモの区の{demo.File.Name}は対象人数{N(demo.People)}人・取扱者数{N(demo.Handlers)}人のため「{demo.Computed.Japanese()}」となり、公表されている「{highest.Japanese()}」より低い区分です（デモの区は登録が少ないため。{Why(highest)}）。");
        else if (demo.Computed > highest)
            note.Append(CultureInfo.InvariantCulture,
                $"デモの区の{demo.File.Name}は対象人数{N(demo.People)}人・取扱者数{N(demo.Handlers)}人で「{demo.Computed.Japanese()}」が必要となり、公表されている区分を上回ります。");
        if (naming.Select(p => p.Highest).Distinct().Count() > 1)
            note.Append(string.Join("、", naming.Select(p => $"{p.List.MunicipalityName}は「{p.Highest!.Value.Japanese()}」")))
                .Append("を公表しています（対象人数・取扱者数の違いによります）。");
        foreach (var split in naming.Where(p => p.Entries.Count > 1))
            note.Append(CultureInfo.InvariantCulture,
                $"{split.List.MunicipalityName}はこの事務を{split.Entries.Count}件の評価（{string.Join("、", split.Entries.Select(e => $"{e.Name}：{e.Level.Japanese()}"))}）に分けています。");
        return note.Length == 0 ? null : note.ToString();
    }

    /// <summary>What the published level says about the publisher's figures (seed 001 資料1-3's bands).</summary>
    private static string Why(AssessmentLevel published) => published switch
    {
        AssessmentLevel.BasicFull => "全項目評価は対象人数30万人以上、又は10万人以上で取扱者500人以上か重大事故ありの事務に求められます",
        AssessmentLevel.BasicPriority => "重点項目評価は対象人数10万人以上30万人未満、又は1万人以上で取扱者500人以上か重大事故ありの事務に求められます",
        _ => "基礎項目評価は対象人数1,000人以上の事務に求められます",
    };

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
