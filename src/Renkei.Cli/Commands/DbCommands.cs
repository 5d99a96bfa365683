using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Renkei.Core.Json;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Intermediate;
using Renkei.Jlis;
using Renkei.Municipality;
using Renkei.Network;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei db migrate --role &lt;role&gt; [--config file] [--list]</c>: applies the pending schema scripts of a role's
/// databases (<see cref="Migrations"/>) and prints what it applied, or with <c>--list</c> only what is pending. With
/// <c>--config</c> the databases are the role's configuration file's (<c>Ward:Database</c> …, and
/// <c>Intermediate:Database</c> when the file runs one; the environment overrides them as for <c>serve</c>); without it, every database of the role under <c>--data</c> (e.g. every ward's register and intermediate server).
/// Services apply their scripts at start anyway; this is for upgrading before a start, or checking what a start would do.
/// </summary>
public static class DbCommands
{
    /// <summary>One database and the schema components it holds.</summary>
    private sealed record Target(string Label, Database Database, IReadOnlyList<SchemaComponent> Components);

    /// <summary>What one component of one database had pending, and what was applied.</summary>
    public sealed record ComponentReport(string Database, string Component, IReadOnlyList<string> Applied, IReadOnlyList<string> Pending);

    public static void AddTo(RootCommand root)
    {
        var role = new Option<string>("--role") { Description = "whose databases: network, jlis, municipality, holder or issuance-centre", Required = true };
        role.AcceptOnlyFromAmong([.. CountryRoles.Names]);
        var config = new Option<FileInfo?>("--config") { Description = "the role's deployment configuration file (its databases); default: the role's databases under --data" };
        var list = new Option<bool>("--list") { Description = "list the pending scripts and change nothing" };
        var json = CliOptions.Json();
        var migrate = new Command("migrate", "apply the pending schema scripts of a role's databases (or --list them)") { role, config, list, json };
        migrate.SetAction(parse =>
        {
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var roleName = parse.GetValue(role)!;
            if (roleName == "portal") throw new UsageException("--role portal: the citizen portal keeps no database (sessions live in memory); nothing to migrate");
            var targets = parse.GetValue(config) is { } file ? FromConfig(file, roleName) : FromDataDirectory(layout, roleName);
            var listOnly = parse.GetValue(list);
            var reports = new List<ComponentReport>();
            foreach (var target in targets)
                foreach (var component in target.Components)
                {
                    var pending = Migrations.Pending(target.Database, component);
                    var applied = listOnly || pending.Count == 0 ? [] : Migrations.Apply(target.Database, component);
                    reports.Add(new ComponentReport(target.Label, component.ToString(), applied, listOnly ? pending : []));
                }
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(reports, JsonDefaults.Options));
            else
                Print(reports, listOnly);
            return ExitCodes.Success;
        });
        var db = new Command("db", "the institutions' databases: schema migrations") { migrate };
        root.Subcommands.Add(db);
    }

    private static void Print(List<ComponentReport> reports, bool listOnly)
    {
        foreach (var database in reports.GroupBy(r => r.Database))
        {
            Console.WriteLine(database.Key + ":");
            foreach (var report in database)
            {
                var what = listOnly
                    ? report.Pending.Count == 0 ? "up to date" : "pending " + string.Join(", ", report.Pending)
                    : report.Applied.Count == 0 ? "up to date" : "applied " + string.Join(", ", report.Applied);
                Console.WriteLine($"  {report.Component}: {what}");
            }
        }
    }

    private static List<Target> FromConfig(FileInfo file, string roleName)
    {
        var role = CountryRoles.Parse(roleName);
        var configuration = ServeCommand.Load(file, role);
        var targets = new List<Target>();
        foreach (var section in CountryRoles.ModuleSections(role))
        {
            var key = section + ":Database";
            if (section == IntermediateOptions.Section && !configuration.GetSection(section).Exists()) continue;
            if (!Database.IsSetting(configuration[key]))
                throw new UsageException($"{file.Name}: {key} must be sqlite:<path> or postgres:<connection string>");
            var database = Database.Parse(configuration[key]!);
            targets.Add(Describe(section.ToLowerInvariant(), database, section == IntermediateOptions.Section ? IntermediateSchema.Components : ComponentsOf(roleName)));
        }
        return targets;
    }

    /// <summary>The role's databases that exist under the data directory; none is created.</summary>
    private static List<Target> FromDataDirectory(DataLayout layout, string roleName)
    {
        var targets = new List<Target>();
        switch (roleName)
        {
            case "network":
                if (File.Exists(layout.NetworkDatabaseFile)) targets.Add(Describe("network", layout.NetworkDatabase(), NetworkSchema.Components));
                break;
            case "jlis":
                if (File.Exists(layout.JlisDatabaseFile)) targets.Add(Describe("jlis", layout.JlisDatabase(), JlisSchema.Components));
                break;
            case "municipality":
                foreach (var code in Institutions(Path.Combine(layout.Root.FullName, "municipalities"), "register.db"))
                {
                    targets.Add(Describe("municipality " + code, layout.MunicipalityDatabase(Core.Numbers.LocalGovernmentCode.ParseOrThrow(code)), MunicipalitySchema.Components));
                    AddIntermediate(targets, layout, code);
                }
                break;
            case "holder":
                foreach (var code in Institutions(Path.Combine(layout.Root.FullName, "holders"), "holder.db"))
                {
                    targets.Add(Describe("holder " + code, layout.HolderDatabase(code), HoldersSchema.Components));
                    AddIntermediate(targets, layout, code);
                }
                break;
            case "issuance-centre":
                if (File.Exists(layout.IssuanceCentreDatabaseFile))
                    targets.Add(Describe("issuance-centre", layout.IssuanceCentreDatabase(), IssuanceCentre.IssuanceCentreSchema.Components));
                break;
        }
        if (targets.Count == 0)
            throw new UsageException($"no {roleName} database under {layout.Root.FullName} (give --data <dir> or --config <file>)");
        return targets;
    }

    private static void AddIntermediate(List<Target> targets, DataLayout layout, string code)
    {
        if (File.Exists(layout.IntermediateDatabaseFile(code)))
            targets.Add(Describe("intermediate " + code, layout.IntermediateDatabase(code), IntermediateSchema.Components));
    }

    private static Target Describe(string label, Database database, IReadOnlyList<SchemaComponent> components) =>
        new($"{label} ({database.Describe()})", database, components);

    /// <summary>Institution codes with a database file under <paramref name="directory"/> (one folder per institution).</summary>
    private static IEnumerable<string> Institutions(string directory, string fileName) =>
        Directory.Exists(directory)
            ? Directory.GetDirectories(directory).Where(d => File.Exists(Path.Combine(d, fileName))).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    private static IReadOnlyList<SchemaComponent> ComponentsOf(string roleName) => roleName switch
    {
        "network" => NetworkSchema.Components,
        "jlis" => JlisSchema.Components,
        "municipality" => MunicipalitySchema.Components,
        "holder" => HoldersSchema.Components,
        "issuance-centre" => IssuanceCentre.IssuanceCentreSchema.Components,
        _ => throw new UsageException($"--role {roleName} keeps no database"),
    };
}
