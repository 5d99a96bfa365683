using System.CommandLine;
using System.Globalization;
using Renkei.Core.Text;
using Renkei.Municipality.Pia;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using static Renkei.Cli.Commands.PiaCommands;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pia training add</c> and <c>renkei pia self-inspection add</c>: the protection-measure records (研修, 自己点検) the
/// 重点項目評価書 and 全項目評価書 are filled from (<see cref="PiaMeasures"/>), each written to the operation log; and the
/// network's linkage rows as the assessment reads them (<see cref="NetworkRows"/>).
/// </summary>
public static class PiaMeasureCommands
{
    public static void AddTo(Command pia)
    {
        var training = new Command("training", "training attendance of staff members (研修)");
        training.Subcommands.Add(TrainingAddCommand());
        pia.Subcommands.Add(training);
        var inspection = new Command("self-inspection", "self-inspections of a file (自己点検)");
        inspection.Subcommands.Add(SelfInspectionAddCommand());
        pia.Subcommands.Add(inspection);
    }

    /// <summary>The network's linkage rows in force on <paramref name="day"/> (番号法 別表第二 and approved ordinance rows), as the assessment reads them.</summary>
    public static IEnumerable<PiaNetworkRow> NetworkRows(LinkagePolicy policy, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Rows.Where(r => r.InForceOn(day)).Select(r => new PiaNetworkRow(EventText.Code(r.InquirerClass.ToString()),
            r.InquirerClass == InstitutionClass.Municipality, r.Affair, policy.AffairName(r.Affair) ?? r.Affair, EventText.Code(r.ProviderClass.ToString()),
            r.ProviderClass == InstitutionClass.Municipality, r.Kind, policy.KindName(r.Kind) ?? r.Kind, r.Source));
    }

    private static Command TrainingAddCommand()
    {
        var municipality = MunicipalityOption();
        var staff = new Option<string>("--staff") { Description = "the staff id of the member who attended", Required = true };
        var course = new Option<string>("--course") { Description = "the course (研修の名称)", Required = true };
        var on = new Option<string>("--attended-on") { Description = "the day attended (yyyy-MM-dd)", Required = true };
        var by = ByOption();
        var command = new Command("add", "record that a staff member attended a course on handling specific personal information") { municipality, staff, course, on, by };
        command.SetAction(parse =>
        {
            var (measures, layout, code) = Open(parse, municipality);
            var recorder = StaffId(parse.GetValue(by), "--by");
            var training = new PiaTraining(StaffId(parse.GetValue(staff), "--staff"), parse.GetValue(course)!, Date(parse.GetValue(on), "--attended-on"));
            using var log = AuditCommands.OpenOperationLog(layout, code);
            Refusing(() => measures.AddTraining(training, recorder, RegistryCommands.BatchTerminal(), log));
            Console.WriteLine("研修の受講を登録しました（操作記録に記録しました）。");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command SelfInspectionAddCommand()
    {
        var municipality = MunicipalityOption();
        var file = new Option<string>("--file") { Description = "the file's code in the ward's inventory (policy/municipality/pia-files-*.json)", Required = true };
        var on = new Option<string>("--inspected-on") { Description = "the day of the inspection (yyyy-MM-dd)", Required = true };
        var inspector = new Option<string>("--inspector") { Description = "who inspected (点検者), e.g. 戸籍住民課長", Required = true };
        var result = new Option<string>("--result") { Description = "the result (点検結果), e.g. 適正 / 要改善", Required = true };
        var findings = new Option<string>("--findings") { Description = "what was found (指摘事項; no personal data)" };
        var by = ByOption();
        var command = new Command("add", "record a self-inspection of a file") { municipality, file, on, inspector, result, findings, by };
        command.SetAction(parse =>
        {
            var (measures, layout, code) = Open(parse, municipality);
            var recorder = StaffId(parse.GetValue(by), "--by");
            var inspection = new PiaSelfInspection(parse.GetValue(file)!, Date(parse.GetValue(on), "--inspected-on"), parse.GetValue(inspector)!,
                parse.GetValue(result)!, parse.GetValue(findings));
            using var log = AuditCommands.OpenOperationLog(layout, code);
            Refusing(() => measures.AddSelfInspection(inspection, recorder, RegistryCommands.BatchTerminal(), log));
            Console.WriteLine("自己点検を登録しました（操作記録に記録しました）。");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (PiaMeasures Measures, DataLayout Layout, Core.Numbers.LocalGovernmentCode Code) Open(ParseResult parse, Option<string> municipality)
    {
        var (layout, code) = Ward(parse, municipality);
        return (new PiaMeasures(layout.MunicipalityDatabase(code)), layout, code);
    }
}
