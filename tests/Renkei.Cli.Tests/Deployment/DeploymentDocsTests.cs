using System.Text.Json;
using System.Text.RegularExpressions;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Deployment;

/// <summary>
/// docs/deployment.md as a reader copies it: every configuration file it shows is read by the configuration system as
/// the role it is for, and every <c>renkei serve</c> command uses only options that exist.
/// </summary>
public sealed partial class DeploymentDocsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private static readonly Dictionary<string, CountryRole> RoleOfSection = new(StringComparer.Ordinal)
    {
        ["Network"] = CountryRole.Network, ["Jlis"] = CountryRole.Jlis, ["Ward"] = CountryRole.Municipality, ["Holder"] = CountryRole.Holder,
        ["Portal"] = CountryRole.Portal, ["IssuanceCentre"] = CountryRole.IssuanceCentre, ["Kiosk"] = CountryRole.Kiosk,
    };

    private static string Document => File.ReadAllText(RepositoryFiles.Path("docs", "deployment.md")).ReplaceLineEndings("\n");

    [Fact]
    public void Every_configuration_file_in_the_docs_is_read_as_its_role()
    {
        var roles = new List<CountryRole>();
        foreach (Match block in JsonBlock().Matches(Document))
        {
            var indent = block.Groups["indent"].Value;
            var json = string.Join('\n', block.Groups["body"].Value.Split('\n').Select(line => line.StartsWith(indent, StringComparison.Ordinal) ? line[indent.Length..] : line));
            using var parsed = JsonDocument.Parse(json);
            if (parsed.RootElement.ValueKind != JsonValueKind.Object) continue;
            var sections = parsed.RootElement.EnumerateObject().Select(p => p.Name).Where(RoleOfSection.ContainsKey).ToList();
            if (sections.Count == 0) continue; // a response body, not a configuration file
            var role = RoleOfSection[Assert.Single(sections)];
            var path = _directory.File($"example-{roles.Count}.json");
            File.WriteAllText(path, json);
            var configuration = CountryRoles.Load(path, role);
            Assert.NotEmpty(configuration.GetSection(CountryRoles.ModuleSections(role)[0]).GetChildren());
            roles.Add(role);
        }
        Assert.Equal(Enum.GetValues<CountryRole>().Order(), roles.Distinct().Order()); // an example of every role
    }

    [Fact]
    public void Every_serve_command_in_the_docs_uses_options_serve_has()
    {
        string[] known = ["--role", "--config", "--public-keys", "--write-config", "--code", "--name", "--instance"];
        var commands = ServeCommandLine().Matches(Document).Select(m => m.Value).ToList();
        Assert.True(commands.Count >= 8, $"{commands.Count} serve commands found");
        foreach (var command in commands)
            foreach (Match option in OptionName().Matches(command))
                Assert.True(known.Contains(option.Value), $"'{command}' uses {option.Value}, which serve does not have");
    }

    [GeneratedRegex("^(?<indent>[ ]*)```json\n(?<body>.*?)\n[ ]*```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"renkei serve [^\n`]*")]
    private static partial Regex ServeCommandLine();

    [GeneratedRegex(@"--[a-z-]+")]
    private static partial Regex OptionName();
}
