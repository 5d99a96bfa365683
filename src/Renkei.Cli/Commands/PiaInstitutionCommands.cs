using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Pia;
using Renkei.Core.Text;
using Renkei.Holders;
using Renkei.Holders.Pia;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Pia;
using Renkei.Intermediate.Pia;
using Renkei.Jlis.Pia;
using Renkei.Network.Pia;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei pia assess --institution jlis|network|intermediate:CODE|holder:CODE</c>: the files of an institution other than a ward,
/// each counted in that institution's own database (<see cref="InstitutionPia"/>), with the handlers its inventory declares.
/// </summary>
internal static class PiaInstitutionCommands
{
    public static Option<string> InstitutionOption() => new("--institution")
    {
        Description = "jlis, network, intermediate:CODE (an intermediate server by holder code) or holder:CODE (JPS001, an insurer number)",
    };

    public static int Assess(ParseResult parse, string institution, bool json)
    {
        var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
        var (pia, database, name) = Resolve(layout, institution.Trim());
        var figures = pia.Assess(database);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(figures.Select(f => new
            {
                institution = name, file = f.File.Code, name = f.File.Name, basis = f.File.Basis, system = f.File.System, tables = f.File.Tables,
                department = f.File.Department, asOf = f.AsOf, people = f.People, handlers = f.Handlers, seriousIncident = false,
                computedLevel = f.Computed.Code(), declaredLevel = f.File.DeclaredLevel.Code(), followUp = f.FollowUpCode,
            }), JsonDefaults.Options));
            return ExitCodes.Success;
        }
        Console.WriteLine($"{name}（{pia.Inventory.Version}）");
        foreach (var f in figures)
        {
            Console.WriteLine($"{TextWidth.PadRight(f.File.Name, 28)} 対象人数 {f.People.ToString("N0", CultureInfo.InvariantCulture),9}人  "
                + $"取扱者数 {f.Handlers.ToString("N0", CultureInfo.InvariantCulture),6}人（一覧の宣言）");
            Console.WriteLine($"  {f.File.System}（{string.Join(", ", f.File.Tables)}） 所管: {f.File.Department}");
            Console.WriteLine($"  必要な評価: {f.Computed.Japanese()}　宣言した評価: {f.File.DeclaredLevel.Japanese()}　→ {f.FollowUp}");
        }
        return ExitCodes.Success;
    }

    private static (InstitutionPia Pia, Database Database, string Name) Resolve(DataLayout layout, string institution)
    {
        var (kind, code) = institution.IndexOf(':') is var colon and > 0 ? (institution[..colon], institution[(colon + 1)..]) : (institution, "");
        switch (kind)
        {
            case "jlis" when code.Length == 0:
                return (JlisPia.Files, Existing(layout.JlisDatabaseFile, layout.JlisDatabase, "J-LIS"), JlisPia.Files.Inventory.Institution);
            case "network" when code.Length == 0:
                return (NetworkPia.Files, Existing(layout.NetworkDatabaseFile, layout.NetworkDatabase, "the network"), NetworkPia.Files.Inventory.Institution);
            case "intermediate" when HolderInstitutions.IsInstitutionCode(code):
                return (IntermediatePia.Files, Existing(layout.IntermediateDatabaseFile(code), () => layout.IntermediateDatabase(code), "that intermediate server"),
                    $"{IntermediatePia.Files.Inventory.Institution}（{code}）");
            case "holder" when code == HolderInstitutions.PensionOrganisationCode || HolderInstitutions.IsInsurerNumber(code):
                var holderKind = code == HolderInstitutions.PensionOrganisationCode ? HolderKind.PensionOrganisation : HolderKind.HealthInsurer;
                return (HolderPia.Files(holderKind), Existing(layout.HolderDatabaseFile(code), () => layout.HolderDatabase(code), "that holder"),
                    $"{HolderPia.Files(holderKind).Inventory.Institution}（{code}）");
            default:
                throw new UsageException("--institution: jlis, network, intermediate:CODE or holder:CODE (評価する機関の指定が正しくありません)");
        }
    }

    /// <summary>The institution's database in the data directory; never created here, so a wrong directory is an error, not an empty file.</summary>
    private static Database Existing(string file, Func<Database> open, string what) =>
        File.Exists(file) ? open() : throw new UsageException($"--institution: this data directory holds no database of {what} (このデータディレクトリに指定の機関のデータベースはありません)");
}
