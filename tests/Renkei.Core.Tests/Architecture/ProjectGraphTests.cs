using System.Xml.Linq;

namespace Renkei.Core.Tests.Architecture;

/// <summary>
/// The allowed reference graph (DESIGN.md §1 layout; README "Layout"): Core references nothing; a Contracts project only
/// Core and other institutions' Contracts, and no server framework or database driver, so a client of an institution
/// pulls in nothing of its storage; Infrastructure (storage, keys, certificates) only Core; ServiceDefaults (what every
/// HTTP service shares) Core and Infrastructure; a module (one institution) Core, Infrastructure, ServiceDefaults
/// and Contracts, never another module; Documents (the printed-paper stack: layout and PDF) only Core, and modules, the
/// staff console and the composers may reference it; the staff console is the ward's own (it may reference the ward's module); the
/// country (which institutions run, who talks to whom) and the CLI compose everything. A new reference outside these rules fails here.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly string[] Modules =
        ["Renkei.Jlis", "Renkei.Network", "Renkei.Intermediate", "Renkei.Municipality", "Renkei.Holders", "Renkei.Portal", "Renkei.IssuanceCentre", "Renkei.Kiosk"];

    /// <summary>What a project of each kind may reference (project names).</summary>
    private static bool Allowed(string project, string reference)
    {
        if (project is "Renkei.Cli" or "Renkei.Country") return true;
        if (project == "Renkei.Core") return false;
        if (project == "Renkei.Documents") return reference == "Renkei.Core";
        if (reference == "Renkei.Documents") return Modules.Contains(project) || project == "Renkei.StaffConsole";
        if (IsContracts(reference) && (IsContracts(project) || Modules.Contains(project) || project == "Renkei.StaffConsole")) return true;
        if (reference == "Renkei.Core") return true;
        if (IsContracts(project)) return false;
        if (project == "Renkei.Infrastructure") return false;
        if (project == "Renkei.ServiceDefaults") return reference == "Renkei.Infrastructure";
        if (reference is "Renkei.Infrastructure" or "Renkei.ServiceDefaults") return Modules.Contains(project) || project == "Renkei.StaffConsole";
        // The ward's staff console is the ward's own application: the same institution, the same database.
        return project == "Renkei.StaffConsole" && reference == "Renkei.Municipality";
    }

    private static bool IsContracts(string project) => project.EndsWith(".Contracts", StringComparison.Ordinal);

    [Fact]
    public void Every_project_references_only_what_the_layout_allows()
    {
        var projects = Projects();
        Assert.True(projects.Count >= 14, $"{projects.Count} projects under src/");
        Assert.Contains("Renkei.Network.Contracts", projects.Keys);
        Assert.Contains("Renkei.Holders.Contracts", projects.Keys);
        var wrong = projects
            .SelectMany(p => p.Value.ProjectReferences.Where(r => !Allowed(p.Key, r)).Select(r => $"{p.Key} → {r}"))
            .ToList();
        Assert.True(wrong.Count == 0, "references outside the layout: " + string.Join(", ", wrong));
    }

    [Fact]
    public void Contracts_carry_no_server_framework_or_database_driver()
    {
        var contracts = Projects().Where(p => IsContracts(p.Key)).ToList();
        Assert.True(contracts.Count >= 4);
        foreach (var (name, project) in contracts)
        {
            Assert.True(project.Frameworks.Count == 0, $"{name} references the framework(s) {string.Join(", ", project.Frameworks)}");
            Assert.True(project.Packages.Count == 0, $"{name} references the package(s) {string.Join(", ", project.Packages)}");
        }
    }

    [Fact]
    public void The_rules_refuse_what_they_should()
    {
        // The rules themselves, so a loosened rule is seen: a module never references another module, Contracts never a module or Infrastructure.
        Assert.False(Allowed("Renkei.Municipality", "Renkei.Jlis"));
        Assert.False(Allowed("Renkei.Portal", "Renkei.Network"));
        Assert.False(Allowed("Renkei.Network.Contracts", "Renkei.Infrastructure"));
        Assert.False(Allowed("Renkei.Jlis.Contracts", "Renkei.Jlis"));
        Assert.False(Allowed("Renkei.Core", "Renkei.Jlis.Contracts"));
        Assert.True(Allowed("Renkei.Intermediate.Contracts", "Renkei.Network.Contracts"));
        Assert.True(Allowed("Renkei.Municipality", "Renkei.Jlis.Contracts"));
        Assert.False(Allowed("Renkei.Infrastructure", "Renkei.ServiceDefaults"));
        Assert.False(Allowed("Renkei.Jlis.Contracts", "Renkei.ServiceDefaults"));
        Assert.False(Allowed("Renkei.Documents", "Renkei.Infrastructure"));
        Assert.False(Allowed("Renkei.Municipality.Contracts", "Renkei.Documents"));
        Assert.True(Allowed("Renkei.Municipality", "Renkei.Documents"));
    }

    private sealed record Project(IReadOnlyList<string> ProjectReferences, IReadOnlyList<string> Packages, IReadOnlyList<string> Frameworks);

    private static Dictionary<string, Project> Projects()
    {
        var source = Path.Combine(RepositoryRoot(), "src");
        var projects = new Dictionary<string, Project>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(source, "*.csproj", SearchOption.AllDirectories))
        {
            var xml = XDocument.Load(file);
            IReadOnlyList<string> Items(string kind) => xml.Descendants(kind).Select(e => (string?)e.Attribute("Include")).OfType<string>().ToList();
            projects[Path.GetFileNameWithoutExtension(file)] = new Project(
                Items("ProjectReference").Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList(),
                Items("PackageReference"),
                Items("FrameworkReference"));
        }
        return projects;
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Renkei.slnx"))) return directory.FullName;
        throw new InvalidOperationException("the repository root (Renkei.slnx) was not found");
    }
}
