using System.CommandLine;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Pia;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pia …</c>: privacy impact assessment (特定個人情報保護評価). <c>pia level</c> is the threshold decision
/// (<see cref="AssessmentThresholds"/>) for given figures.
/// </summary>
public static class PiaCommands
{
    public static void AddTo(RootCommand root)
    {
        var pia = new Command("pia", "privacy impact assessment (特定個人情報保護評価)");
        pia.Subcommands.Add(LevelCommand());
        root.Subcommands.Add(pia);
    }

    private static Command LevelCommand()
    {
        var people = new Option<string>("--people") { Description = "対象人数: the people in the file (former residents within retention included)", Required = true };
        var handlers = new Option<string>("--handlers") { Description = "取扱者数: staff and contractors who handle the file", Required = true };
        var incident = new Option<bool>("--serious-incident") { Description = "a serious incident (漏えい等の重大事故) within the past year" };
        var json = CliOptions.Json();
        var command = new Command("level", "the assessments a file needs (しきい値判断): none | basic | basic+priority | basic+full")
        {
            people, handlers, incident, json,
        };
        command.SetAction(parse =>
        {
            var n = Count(parse.GetValue(people), "--people", "対象人数");
            var h = Count(parse.GetValue(handlers), "--handlers", "取扱者数");
            var level = AssessmentThresholds.Law.Decide(n, h, parse.GetValue(incident));
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { level = level.Code() }, JsonDefaults.Options));
            else Console.WriteLine($"{level.Japanese()} ({level.Code()})");
            return ExitCodes.Success;
        });
        return command;
    }

    private static long Count(string? text, string option, string japanese) =>
        long.TryParse(text?.Replace(",", "", StringComparison.Ordinal), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{option}: a whole number of 0 or more ({japanese}は0以上の整数で指定してください)");
}
