using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Pia;
using Renkei.Core.Text;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Pia;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pia compare</c>: the ward's computed levels (<see cref="PiaAssessor"/>, live figures) beside the levels 品川区's 表7
/// and 板橋区's list of 44 publish (<see cref="PiaReferenceList"/>), with a Japanese note where they differ (<see cref="PiaComparison"/>).
/// </summary>
public static class PiaReferenceCommands
{
    public static Command CompareCommand()
    {
        var municipality = new Option<string>("--municipality", "-m")
        {
            Description = "local government code of the demo ward whose live figures are compared (131091 品川区, …)",
            Required = true,
        };
        var json = CliOptions.Json();
        var command = new Command("compare", "the ward's computed levels beside Shinagawa's 表7 and Itabashi's 44 published assessments") { municipality, json };
        command.SetAction(parse =>
        {
            var (layout, code) = PiaCommands.Ward(parse, municipality);
            var assessor = new PiaAssessor(layout.MunicipalityDatabase(code));
            var lists = PiaReferenceList.LoadDefault();
            var demo = assessor.AssessAll();
            var rows = PiaComparison.Compare(lists, demo, AffairCatalogue.LoadDefault());
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    municipality = code.Digits,
                    asOf = demo.Count > 0 ? demo[0].AsOf : (DateOnly?)null,
                    references = lists.Select(l => new
                    {
                        key = l.Key, municipality = l.Municipality, name = l.MunicipalityName, version = l.Version, entries = l.Entries.Count,
                        full = l.Count(AssessmentLevel.BasicFull), priority = l.Count(AssessmentLevel.BasicPriority), basic = l.Count(AssessmentLevel.Basic),
                    }),
                    rows = rows.Select(r => new
                    {
                        affair = r.Affair,
                        name = r.Name,
                        demo = r.Demo is { } d
                            ? new { file = d.File.Code, people = d.People, handlers = d.Handlers, seriousIncident = d.SeriousIncident, computedLevel = d.Computed.Code(), declaredLevel = d.File.DeclaredLevel.Code() }
                            : null,
                        published = r.Published.ToDictionary(p => p.List.Key, p => p.Entries.Select(e => new { no = e.Number, name = e.Name, level = e.Level.Code(), department = e.Department })),
                        differs = r.Differs,
                        note = r.Note,
                    }),
                }, JsonDefaults.Options));
                return ExitCodes.Success;
            }
            Console.WriteLine(string.Join("　", lists.Select(l =>
                $"{l.MunicipalityName} {l.Entries.Count}件（全項目 {l.Count(AssessmentLevel.BasicFull)}、重点項目 {l.Count(AssessmentLevel.BasicPriority)}、基礎項目 {l.Count(AssessmentLevel.Basic)}）")));
            foreach (var r in rows)
            {
                var published = string.Join("　", r.Published.Select(p =>
                    $"{p.List.MunicipalityName}: {(p.Entries.Count == 0 ? "—" : string.Join("・", p.Entries.Select(e => Short(e.Level))))}"));
                var ours = r.Demo is { } d ? $"デモ: {Short(d.Computed)}（{d.File.Name} {d.People.ToString("N0", CultureInfo.InvariantCulture)}人）" : "デモ: —";
                Console.WriteLine($"{TextWidth.PadRight(r.Name, 40)} {ours}　{published}");
                if (r.Note is { } note) Console.WriteLine($"  {note}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The level as the lists print it: 全項目, 重点項目, 基礎項目.</summary>
    private static string Short(AssessmentLevel level) => level switch
    {
        AssessmentLevel.BasicFull => "全項目",
        AssessmentLevel.BasicPriority => "重点項目",
        AssessmentLevel.Basic => "基礎項目",
        _ => "評価なし",
    };
}
