using System.CommandLine;
using System.Text.Json;
using System.Globalization;
using Renkei.Core.Json;
using Renkei.Core.Pia;
using Renkei.Core.Text;
using Renkei.Municipality.Pia;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pia …</c>: privacy impact assessment (特定個人情報保護評価). <c>pia level</c> is the threshold decision
/// (<see cref="AssessmentThresholds"/>) for given figures; <c>pia assess</c> computes every file of a ward's inventory from its
/// database (<see cref="PiaAssessor"/>); <c>pia contractor add</c> and <c>pia incident add</c> keep the records it counts.
/// </summary>
public static class PiaCommands
{
    public static void AddTo(RootCommand root)
    {
        var pia = new Command("pia", "privacy impact assessment (特定個人情報保護評価)");
        pia.Subcommands.Add(LevelCommand());
        pia.Subcommands.Add(AssessCommand());
        pia.Subcommands.Add(DocumentCommand());
        pia.Subcommands.Add(PiaReferenceCommands.CompareCommand());
        var contractor = new Command("contractor", "contractors who handle a file (外部委託先)");
        contractor.Subcommands.Add(ContractorAddCommand());
        pia.Subcommands.Add(contractor);
        var incident = new Command("incident", "the incident register (事故記録簿)");
        incident.Subcommands.Add(IncidentAddCommand());
        pia.Subcommands.Add(incident);
        PiaMeasureCommands.AddTo(pia);
        PiaAssessmentCommands.AddTo(pia);
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

    // The options and parsing every `pia` command shares (PiaMeasureCommands and PiaAssessmentCommands use them too).

    internal static Option<string> MunicipalityOption() => new("--municipality", "-m")
    {
        Description = "local government code (131091 品川区, 131113 大田区, 131199 板橋区, …)",
        Required = true,
    };

    internal static Option<string> FileOption(bool required = true) =>
        new("--file") { Description = "the file's code in the ward's inventory (policy/municipality/pia-files-*.json)", Required = required };

    internal static Option<string> ByOption() => new("--by") { Description = "who records it: your own staff id (an active account of the ward)", Required = true };

    /// <summary>The data directory and the ward <paramref name="municipality"/> names, which must be in it.</summary>
    internal static (DataLayout Layout, Core.Numbers.LocalGovernmentCode Code) Ward(ParseResult parse, Option<string> municipality)
    {
        var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
        var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
        if (!layout.MunicipalityExists(code))
            throw new UsageException($"--municipality: this data directory holds no ward {code.Digits} (このデータディレクトリに団体 {code.Digits} はありません)");
        return (layout, code);
    }

    private static PiaAssessor Open(ParseResult parse, Option<string> municipality, out DataLayout layout, out Core.Numbers.LocalGovernmentCode code)
    {
        (layout, code) = Ward(parse, municipality);
        return new PiaAssessor(layout.MunicipalityDatabase(code));
    }

    private static Command AssessCommand()
    {
        var municipality = MunicipalityOption();
        municipality.Required = false;
        var institution = PiaInstitutionCommands.InstitutionOption();
        var json = CliOptions.Json();
        var command = new Command("assess", "every file of a ward (--municipality) or of another institution (--institution) with its live figures, computed level, declared level and what follows")
        {
            municipality, institution, json,
        };
        command.SetAction(parse =>
        {
            if ((parse.GetValue(municipality) is null) == (parse.GetValue(institution) is null))
                throw new UsageException("give either --municipality or --institution (--municipality か --institution のどちらか一方を指定してください)");
            if (parse.GetValue(institution) is { } other) return PiaInstitutionCommands.Assess(parse, other, parse.GetValue(json));
            var assessor = Open(parse, municipality, out var layout, out var code);
            var files = assessor.AssessAll();
            var alerts = new PiaAlerts(new PiaAssessments(layout.MunicipalityDatabase(code), assessor));
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(files.Select(f => new
                {
                    file = f.File.Code, name = f.File.Name, department = f.File.Department, asOf = f.AsOf, people = f.People, staffHandlers = f.StaffHandlers,
                    contractorHandlers = f.ContractorHandlers, handlers = f.Handlers, seriousIncident = f.SeriousIncident, computedLevel = f.Computed.Code(),
                    declaredLevel = f.File.DeclaredLevel.Code(), followUp = f.FollowUpCode,
                    alerts = alerts.For(f).Select(a => new { code = a.Code, message = a.Message }),
                }), JsonDefaults.Options));
                return ExitCodes.Success;
            }
            foreach (var f in files)
            {
                Console.WriteLine($"{TextWidth.PadRight(f.File.Name, 24)} 対象人数 {f.People.ToString("N0", CultureInfo.InvariantCulture),9}人  "
                    + $"取扱者数 {f.Handlers.ToString("N0", CultureInfo.InvariantCulture),5}人（職員 {f.StaffHandlers.ToString("N0", CultureInfo.InvariantCulture)}、委託先 {f.ContractorHandlers.ToString("N0", CultureInfo.InvariantCulture)}）  "
                    + $"重大事故 {(f.SeriousIncident ? "あり" : "なし")}");
                Console.WriteLine($"  必要な評価: {f.Computed.Japanese()}　宣言した評価: {f.File.DeclaredLevel.Japanese()}　→ {f.FollowUp}");
                foreach (var alert in alerts.For(f).Where(a => a.Code != PiaAlert.Reassess)) Console.WriteLine($"  注意（{alert.Code}）: {alert.Message}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DocumentCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var mayor = new Option<string>("--mayor-title") { Description = "the assessing body as printed (評価実施機関), e.g. 品川区長", Required = true };
        var output = new Option<string>("--out") { Description = "the PDF to write", Required = true };
        var form = new Option<string>("--form")
        {
            Description = "basic (基礎項目評価書), priority (重点項目評価書) or full (全項目評価書); default: the highest the file's computed level needs",
        };
        form.AcceptOnlyFromAmong("basic", "priority", "full");
        var command = new Command("document", "the file's assessment document (評価書) as a PDF, from the inventory, today's live figures and the measure records")
        {
            municipality, file, mayor, output, form,
        };
        command.SetAction(parse =>
        {
            var assessor = Open(parse, municipality, out var layout, out var code);
            var piaFile = assessor.Inventory.Find(parse.GetValue(file))
                ?? throw new UsageException("--file: not a file of the ward's inventory (特定個人情報ファイルの指定が正しくありません)");
            var title = parse.GetValue(mayor)!.Trim();
            if (title.Length is 0 or > 40) throw new UsageException("--mayor-title: 1 to 40 characters (評価実施機関の名称を40文字以内で指定してください)");
            var assessment = assessor.Assess(piaFile);
            var chosen = parse.GetValue(form) ?? assessment.Computed switch
            {
                AssessmentLevel.BasicFull => "full",
                AssessmentLevel.BasicPriority => "priority",
                _ => "basic",
            };
            var affairs = Renkei.Municipality.Affairs.AffairCatalogue.LoadDefault();
            PiaFileMeasures Measures() => new PiaMeasures(layout.MunicipalityDatabase(code))
                .Read(piaFile, PiaMeasureCommands.NetworkRows(Renkei.Network.Policy.LinkagePolicy.LoadDefault(), assessment.AsOf));
            var (document, name) = chosen switch
            {
                // Ⅳ 評価実施手続 from the file's latest version (its comment period and review), when there is one.
                "full" => (PiaDocuments.Full(assessment, Measures(), assessor.Thresholds, affairs, title,
                    new PiaAssessments(layout.MunicipalityDatabase(code), assessor).List(piaFile.Code).MaxBy(v => v.Version)), "全項目評価書"),
                "priority" => (PiaDocuments.Priority(assessment, Measures(), assessor.Thresholds, affairs, title), "重点項目評価書"),
                _ => (PiaDocuments.Basic(assessment, assessor.Thresholds, affairs, title), "基礎項目評価書"),
            };
            File.WriteAllBytes(parse.GetValue(output)!, Renkei.Documents.MunicipalPaper.Render(document));
            Console.WriteLine($"{piaFile.Name}の{name}を出力しました。");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command ContractorAddCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var company = new Option<string>("--company") { Description = "the contractor's name (委託先)", Required = true };
        var handlers = new Option<string>("--handlers") { Description = "how many of its people handle the file", Required = true };
        var from = new Option<string>("--from") { Description = "first day of the contract (yyyy-MM-dd)", Required = true };
        var to = new Option<string>("--to") { Description = "last day of the contract (yyyy-MM-dd; open when absent)" };
        var by = ByOption();
        var command = new Command("add", "record a contractor handling a file") { municipality, file, company, handlers, from, to, by };
        command.SetAction(parse =>
        {
            var assessor = Open(parse, municipality, out var layout, out var code);
            var staff = StaffId(parse.GetValue(by));
            var count = Count(parse.GetValue(handlers), "--handlers", "取扱者数");
            var contractor = new PiaContractor(parse.GetValue(file)!, parse.GetValue(company)!, (int)Math.Min(count, int.MaxValue), Date(parse.GetValue(from), "--from"),
                OptionalDate(parse.GetValue(to), "--to"));
            using var log = AuditCommands.OpenOperationLog(layout, code);
            Refusing(() => assessor.AddContractor(contractor, staff, RegistryCommands.BatchTerminal(), log));
            Console.WriteLine("外部委託先を登録しました（操作記録に記録しました）。`renkei pia assess` で取扱者数を確認できます。");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command IncidentAddCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var on = new Option<string>("--occurred-on") { Description = "the day it happened (yyyy-MM-dd)", Required = true };
        var description = new Option<string>("--description") { Description = "what happened (no personal data)", Required = true };
        var serious = new Option<bool>("--serious") { Description = "a serious incident (重大事故)" };
        var handling = new Option<string>("--handling") { Description = "its handling and the measures against recurrence (対応・再発防止策; no personal data)" };
        var reported = new Option<bool>("--reported") { Description = "reported to the Personal Information Protection Commission" };
        var by = ByOption();
        var command = new Command("add", "record an incident with a file in the incident register") { municipality, file, on, description, serious, reported, handling, by };
        command.SetAction(parse =>
        {
            var assessor = Open(parse, municipality, out var layout, out var code);
            var staff = StaffId(parse.GetValue(by));
            var incident = new PiaIncident(parse.GetValue(file)!, Date(parse.GetValue(on), "--occurred-on"), parse.GetValue(description)!,
                parse.GetValue(serious), parse.GetValue(reported), parse.GetValue(handling));
            using var log = AuditCommands.OpenOperationLog(layout, code);
            Refusing(() => assessor.AddIncident(incident, staff, RegistryCommands.BatchTerminal(), log));
            Console.WriteLine("事故記録簿に登録しました（操作記録に記録しました）。");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string StaffId(string? text, string option = "--by") =>
        Renkei.Municipality.Staff.StaffId.TryParse(text, out var id) ? id.Value : throw new UsageException($"{option}: not a staff id (職員IDの形式ではありません)");

    internal static DateOnly Date(string? text, string option) =>
        OptionalDate(text, option) ?? throw new UsageException($"{option}: a date as yyyy-MM-dd (日付は yyyy-MM-dd で指定してください)");

    internal static DateOnly? OptionalDate(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new UsageException($"{option}: a date as yyyy-MM-dd (日付は yyyy-MM-dd で指定してください)");

    /// <summary>Runs a step; a value the step refuses (<see cref="ArgumentException"/>, naming the field) is a usage error (exit 2).</summary>
    internal static void Refusing(Action act)
    {
        try
        {
            act();
        }
        catch (ArgumentException refused)
        {
            throw new UsageException(refused.Message.Split(" (Parameter", 2)[0]);
        }
    }

    private static long Count(string? text, string option, string japanese) =>
        long.TryParse(text?.Replace(",", "", StringComparison.Ordinal), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new UsageException($"{option}: a whole number of 0 or more ({japanese}は0以上の整数で指定してください)");
}
