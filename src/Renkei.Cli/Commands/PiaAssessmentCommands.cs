using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Pia;
using Renkei.Municipality.Pia;
using static Renkei.Cli.Commands.PiaCommands;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pia assessment …</c>: the assessments themselves (評価書の版, <see cref="PiaAssessments"/>) — a new draft from today's
/// figures, the public-comment period (住民意見聴取) and its comments, the third-party review (第三者点検), submit and publish,
/// list — and <c>renkei pia yearly-review add</c> (毎年度の点検). Each step is written to the ward's operation log.
/// A workflow refusal prints its stable code and a Japanese sentence and exits 1; bad input is a usage error (exit 2).
/// </summary>
public static class PiaAssessmentCommands
{
    public static void AddTo(Command pia)
    {
        var assessment = new Command("assessment", "the assessments of a file, their versions and workflow (特定個人情報保護評価書)");
        assessment.Subcommands.Add(NewCommand());
        assessment.Subcommands.Add(CommentPeriodCommand());
        assessment.Subcommands.Add(CommentCommand());
        assessment.Subcommands.Add(ReviewCommand());
        assessment.Subcommands.Add(StepCommand("submit", "mark a draft submitted (a full assessment needs an ended comment period of 30 days or more and a review)", submit: true));
        assessment.Subcommands.Add(StepCommand("publish", "publish a submitted version; the previous published one is kept as superseded", submit: false));
        assessment.Subcommands.Add(ListCommand());
        pia.Subcommands.Add(assessment);
        var yearly = new Command("yearly-review", "the yearly review of a file (毎年度の点検)");
        yearly.Subcommands.Add(YearlyReviewAddCommand());
        pia.Subcommands.Add(yearly);
    }

    private static Option<string> VersionOption() => new("--version") { Description = "the version of the file's assessment (1, 2, 3 …)", Required = true };

    private sealed record Ward(PiaAssessments Assessments, DataLayout Layout, Core.Numbers.LocalGovernmentCode Code);

    private static Ward Open(ParseResult parse, Option<string> municipality)
    {
        var (layout, code) = PiaCommands.Ward(parse, municipality);
        var database = layout.MunicipalityDatabase(code);
        return new Ward(new PiaAssessments(database, new PiaAssessor(database)), layout, code);
    }

    /// <summary>Runs a recording step with the ward's operation log; a refusal prints its code and sentence (exit 1).</summary>
    private static int Record(Ward ward, Action<Renkei.Municipality.Audit.OperationLog> act, string done)
    {
        using var log = AuditCommands.OpenOperationLog(ward.Layout, ward.Code);
        try
        {
            act(log);
        }
        catch (PiaAssessmentRefusedException refused)
        {
            Console.Error.WriteLine($"renkei: {refused.Code}: {refused.Message}");
            return ExitCodes.Failure;
        }
        catch (ArgumentException refused)
        {
            throw new UsageException(refused.Message.Split(" (Parameter", 2)[0]);
        }
        Console.WriteLine(done);
        return ExitCodes.Success;
    }

    private static Command NewCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var level = new Option<string>("--level") { Description = "basic | basic+priority | basic+full (default: the level today's figures call for; not less)" };
        var by = ByOption();
        var json = CliOptions.Json();
        var command = new Command("new", "start a new version of a file's assessment as a draft from today's figures") { municipality, file, level, by, json };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            var staff = StaffId(parse.GetValue(by));
            AssessmentLevel? chosen = parse.GetValue(level) is { } text
                ? AssessmentLevels.FromCode(text)
                  ?? throw new UsageException("--level: basic, basic+priority or basic+full (評価の区分の指定が正しくありません)")
                : null;
            PiaAssessmentVersion? created = null;
            var exit = Record(ward, log => created = ward.Assessments.Create(parse.GetValue(file)!, chosen, staff, RegistryCommands.BatchTerminal(), log), "");
            if (created is null) return exit;
            if (parse.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(Json(created), JsonDefaults.Options));
            else Console.WriteLine($"評価書 第{created.Version}版（{created.Level.Japanese()}）を作成しました（作成中）。");
            return exit;
        });
        return command;
    }

    private static Command CommentPeriodCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var version = VersionOption();
        var from = new Option<string>("--from") { Description = "first day of the public-comment period (yyyy-MM-dd)", Required = true };
        var to = new Option<string>("--to") { Description = "last day of the public-comment period (yyyy-MM-dd; 30 days or more for a full assessment)", Required = true };
        var announced = new Option<string>("--announced") { Description = "where it was announced (e.g. 区報・区ホームページ)", Required = true };
        var by = ByOption();
        var command = new Command("comment-period", "record a draft's public-comment period (住民意見聴取)") { municipality, file, version, from, to, announced, by };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            var staff = StaffId(parse.GetValue(by));
            var period = new PiaCommentPeriod(Date(parse.GetValue(from), "--from"), Date(parse.GetValue(to), "--to"), parse.GetValue(announced)!);
            return Record(ward, log => ward.Assessments.RecordCommentPeriod(parse.GetValue(file)!, Version(parse.GetValue(version)), period, staff,
                RegistryCommands.BatchTerminal(), log), $"住民意見聴取の期間（{period.Days}日間）を記録しました。");
        });
        return command;
    }

    private static Command CommentCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var version = VersionOption();
        var on = new Option<string>("--received-on") { Description = "the day the comment was received (yyyy-MM-dd, within the period)", Required = true };
        var summary = new Option<string>("--summary") { Description = "a summary of the comment (no personal data)", Required = true };
        var reflection = new Option<string>("--reflection") { Description = "how it was reflected in the assessment" };
        var by = ByOption();
        var command = new Command("comment", "record a comment received in the public-comment period") { municipality, file, version, on, summary, reflection, by };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            var staff = StaffId(parse.GetValue(by));
            var comment = new PiaPublicComment(Date(parse.GetValue(on), "--received-on"), parse.GetValue(summary)!, parse.GetValue(reflection));
            return Record(ward, log => ward.Assessments.RecordComment(parse.GetValue(file)!, Version(parse.GetValue(version)), comment, staff,
                RegistryCommands.BatchTerminal(), log), "住民意見を記録しました。");
        });
        return command;
    }

    private static Command ReviewCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var version = VersionOption();
        var body = new Option<string>("--body") { Description = "the reviewing body (e.g. 品川区情報公開・個人情報保護審議会)", Required = true };
        var on = new Option<string>("--reviewed-on") { Description = "the day of the review (yyyy-MM-dd)", Required = true };
        var findings = new Option<string>("--findings") { Description = "the review's findings", Required = true };
        var result = new Option<string>("--result") { Description = "the review's result (e.g. 適当)" };
        var by = ByOption();
        var command = new Command("review", "record a draft's third-party review (第三者点検)") { municipality, file, version, body, on, findings, result, by };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            var staff = StaffId(parse.GetValue(by));
            var review = new PiaThirdPartyReview(parse.GetValue(body)!, Date(parse.GetValue(on), "--reviewed-on"), parse.GetValue(findings)!, parse.GetValue(result));
            return Record(ward, log => ward.Assessments.RecordReview(parse.GetValue(file)!, Version(parse.GetValue(version)), review, staff,
                RegistryCommands.BatchTerminal(), log), "第三者点検を記録しました。");
        });
        return command;
    }

    private static Command StepCommand(string name, string description, bool submit)
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var version = VersionOption();
        var by = ByOption();
        var command = new Command(name, description) { municipality, file, version, by };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            var staff = StaffId(parse.GetValue(by));
            var number = Version(parse.GetValue(version));
            return Record(ward, log =>
            {
                if (submit) ward.Assessments.Submit(parse.GetValue(file)!, number, staff, RegistryCommands.BatchTerminal(), log);
                else ward.Assessments.Publish(parse.GetValue(file)!, number, staff, RegistryCommands.BatchTerminal(), log);
            }, submit ? $"第{number}版を提出しました。" : $"第{number}版を公表しました。");
        });
        return command;
    }

    private static Command ListCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption(required: false);
        var json = CliOptions.Json();
        var command = new Command("list", "every version of the ward's assessments (or of one file) with status, figures, comment period and review") { municipality, file, json };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            IReadOnlyList<PiaAssessmentVersion> versions;
            try
            {
                versions = ward.Assessments.List(parse.GetValue(file));
            }
            catch (ArgumentException)
            {
                throw new UsageException("--file: not a file of the ward's inventory (特定個人情報ファイルの指定が正しくありません)");
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(versions.Select(Json), JsonDefaults.Options));
                return ExitCodes.Success;
            }
            var inventory = ward.Assessments.Assessor.Inventory;
            foreach (var v in versions)
            {
                Console.WriteLine($"{inventory.Find(v.FileCode)?.Name ?? v.FileCode} 第{v.Version}版 {v.Level.Japanese()} {v.Status.Japanese()}"
                    + (v.PublishedOn is { } on ? $"（公表 {Core.Dates.JapaneseEraDate.Format(on)}）" : ""));
                Console.WriteLine($"  作成時の数値（{Core.Dates.JapaneseEraDate.Format(v.FiguresOn)}）: 対象人数 {N(v.People)}人 取扱者数 {N(v.StaffHandlers + v.ContractorHandlers)}人 重大事故 {(v.SeriousIncident ? "あり" : "なし")}");
                if (v.CommentPeriod is { } period)
                    Console.WriteLine($"  住民意見聴取: {Core.Dates.JapaneseEraDate.Format(period.From)}から{Core.Dates.JapaneseEraDate.Format(period.To)}まで（{period.Days}日間、{period.Announced}）意見 {v.Comments.Count}件");
                foreach (var review in v.Reviews)
                    Console.WriteLine($"  第三者点検: {review.Body}（{Core.Dates.JapaneseEraDate.Format(review.ReviewedOn)}）{review.Result}");
            }
            if (versions.Count == 0) Console.WriteLine("評価書の版はまだありません。");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command YearlyReviewAddCommand()
    {
        var municipality = MunicipalityOption();
        var file = FileOption();
        var year = new Option<string>("--fiscal-year") { Description = "the fiscal year (年度, April–March) reviewed, e.g. 2026", Required = true };
        var on = new Option<string>("--done-on") { Description = "the day of the review (yyyy-MM-dd)", Required = true };
        var result = new Option<string>("--result") { Description = "the result of the review", Required = true };
        var by = ByOption();
        var command = new Command("add", "record a file's yearly review for a fiscal year") { municipality, file, year, on, result, by };
        command.SetAction(parse =>
        {
            var ward = Open(parse, municipality);
            var staff = StaffId(parse.GetValue(by));
            var fiscalYear = int.TryParse(parse.GetValue(year), NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 1900 and <= 9999
                ? y
                : throw new UsageException("--fiscal-year: a year such as 2026 (年度は西暦の4桁で指定してください)");
            var review = new PiaYearlyReview(parse.GetValue(file)!, fiscalYear, Date(parse.GetValue(on), "--done-on"), staff, parse.GetValue(result)!);
            return Record(ward, log => ward.Assessments.RecordYearlyReview(review, staff, RegistryCommands.BatchTerminal(), log), $"{fiscalYear}年度の点検を記録しました。");
        });
        return command;
    }

    /// <summary>A version as programs read it (stable English keys).</summary>
    internal static object Json(PiaAssessmentVersion v) => new
    {
        file = v.FileCode, version = v.Version, level = v.Level.Code(), computedLevel = v.ComputedLevel.Code(), status = v.Status.Code(), figuresOn = v.FiguresOn,
        people = v.People, staffHandlers = v.StaffHandlers, contractorHandlers = v.ContractorHandlers, seriousIncident = v.SeriousIncident,
        inventoryVersion = v.InventoryVersion, createdBy = v.CreatedBy, createdAt = v.CreatedAt, submittedBy = v.SubmittedBy, submittedAt = v.SubmittedAt,
        publishedBy = v.PublishedBy, publishedAt = v.PublishedAt, publishedOn = v.PublishedOn,
        commentPeriod = v.CommentPeriod is { } p ? new { from = p.From, to = p.To, days = p.Days, announced = p.Announced } : null,
        comments = v.Comments.Select(c => new { receivedOn = c.ReceivedOn, summary = c.Summary, reflection = c.Reflection }),
        reviews = v.Reviews.Select(r => new { body = r.Body, reviewedOn = r.ReviewedOn, findings = r.Findings, result = r.Result }),
    };

    private static int Version(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 9999
            ? value
            : throw new UsageException("--version: a version number from 1 (版の番号は1以上の整数で指定してください)");

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
