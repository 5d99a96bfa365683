using Renkei.Core.Pia;
using Renkei.Core.Policy;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Pia;

/// <summary>
/// Where a file's people are counted (対象人数): the register or one business system's persons. A fixed set, so a policy
/// file can only name a count the code knows how to make.
/// </summary>
public enum PiaPopulation
{
    /// <summary>住民基本台帳: every resident-record row, former residents within retention included.</summary>
    ResidentRegister,
    IndividualResidenceTax,
    ChildAllowance,
    NursingCareInsurance,
    NationalHealthInsurance,
    PublicAssistance,
}

/// <summary>
/// One specific-personal-information file (特定個人情報ファイル) of the ward: its affairs (whose staff can reach it), the system
/// it lives in, where its people are counted, the owner department and the level its published assessment declares.
/// </summary>
public sealed record PiaFile(string Code, string Name, IReadOnlyList<string> Affairs, string System, PiaPopulation Population, string Department,
    AssessmentLevel DeclaredLevel, SeedCitation? Citation);

/// <summary>
/// The ward's inventory of files (<c>policy/municipality/pia-files-*.json</c>, embedded; see policy/README.md): loaded and
/// checked as a whole against the affair catalogue — one bad entry refuses the file, naming the file, line and entry.
/// </summary>
public sealed class PiaInventory
{
    public const string DefaultFileName = "pia-files-shinagawa.json";

    private static readonly Lazy<PiaInventory> Default = new(() => Parse(EmbeddedPolicy.Read(DefaultFileName), DefaultFileName, AffairCatalogue.LoadDefault()));

    private PiaInventory(string version, string source, IReadOnlyList<PiaFile> files) => (Version, Source, Files) = (version, source, files);

    public string Version { get; }
    public string Source { get; }
    public IReadOnlyList<PiaFile> Files { get; }

    public PiaFile? Find(string? code) => Files.FirstOrDefault(f => f.Code == code);

    /// <summary>The inventory shipped with the module.</summary>
    public static PiaInventory LoadDefault() => Default.Value;

    /// <exception cref="PolicyFileException">the content is not a valid inventory for <paramref name="affairs"/>.</exception>
    public static PiaInventory Parse(byte[] utf8Json, string fileName, AffairCatalogue affairs)
    {
        ArgumentNullException.ThrowIfNull(affairs);
        var file = PolicyFile.Parse(utf8Json, fileName);
        var version = file.RequiredString("version");
        var source = file.RequiredString("source");
        file.OptionalString("municipality");
        var files = new List<PiaFile>();
        foreach (var (entry, code, name, department, declared, citation, fail) in PiaFileEntry.ReadFiles<FileEntry>(file, "所管課"))
        {
            if (entry.Affairs is not { Length: > 0 }) throw fail("affairs: at least one affair code (whose staff can reach the file)");
            foreach (var affair in entry.Affairs)
                if (affairs.Find(affair) is null) throw fail($"affairs: \"{Clip(affair)}\" is not in the affair catalogue");
            if (string.IsNullOrWhiteSpace(entry.System) || affairs.Systems.All(s => s.Code != entry.System))
                throw fail("system: one of the affair catalogue's systems");
            var population = Populations.FirstOrDefault(p => p.Code == entry.Population).Value
                ?? throw fail($"population: one of {string.Join(", ", Populations.Select(p => p.Code))}");
            files.Add(new PiaFile(code, name, entry.Affairs, entry.System, population, department, declared, citation));
        }
        return new PiaInventory(version, source, files);
    }

    private static readonly (string Code, PiaPopulation? Value)[] Populations =
    [
        ("resident-register", PiaPopulation.ResidentRegister),
        ("individual-residence-tax", PiaPopulation.IndividualResidenceTax),
        ("child-allowance", PiaPopulation.ChildAllowance),
        ("nursing-care-insurance", PiaPopulation.NursingCareInsurance),
        ("national-health-insurance", PiaPopulation.NationalHealthInsurance),
        ("public-assistance", PiaPopulation.PublicAssistance),
    ];

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;

    private sealed class FileEntry : PiaFileEntry
    {
        public string[]? Affairs { get; set; }
    }
}
