using Renkei.Core.Policy;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Renkei.Municipality.Affairs;

/// <summary>
/// The ward's affair catalogue (事務の一覧): every affair it runs, with its legal source, whether it may use
/// individual numbers, its business system and its period in force. Loaded from a versioned JSON file under
/// <c>policy/municipality/</c> and validated as a whole: a file with an unknown kind, a duplicate code with an
/// overlapping period, a missing legal source or an unknown business system is refused, naming file and line.
/// Immutable once loaded; safe to share between threads.
/// </summary>
public sealed partial class AffairCatalogue
{
    /// <summary>The embedded demo configuration: 品川区's tables 1–3 (seed 000) and a few affairs without numbers.</summary>
    public const string DefaultFileName = "affairs-shinagawa.json";

    private static readonly Lazy<AffairCatalogue> DefaultCatalogue = new(() => LoadEmbedded(DefaultFileName));

    private readonly Dictionary<string, Affair[]> _byCode;
    private readonly Dictionary<string, BusinessSystem> _systems;

    private AffairCatalogue(string fileName, string version, string source, string? municipality,
        IReadOnlyList<BusinessSystem> systems, IReadOnlyList<Affair> affairs)
    {
        FileName = fileName;
        Version = version;
        Source = source;
        Municipality = municipality;
        Systems = systems;
        Affairs = affairs;
        _systems = systems.ToDictionary(s => s.Code, StringComparer.Ordinal);
        _byCode = affairs.GroupBy(a => a.Code, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.EffectiveFrom).ToArray(), StringComparer.Ordinal);
    }

    public string FileName { get; }

    /// <summary>The data file's <c>version</c> header (also on every <see cref="Affair"/>).</summary>
    public string Version { get; }

    /// <summary>The data file's <c>source</c> header: where its facts come from.</summary>
    public string Source { get; }

    /// <summary>The local-government code the file is for, if it says.</summary>
    public string? Municipality { get; }

    public IReadOnlyList<BusinessSystem> Systems { get; }

    /// <summary>Every entry, in file order (a code with several periods appears once per period).</summary>
    public IReadOnlyList<Affair> Affairs { get; }

    /// <summary>The distinct affair codes.</summary>
    public IReadOnlyCollection<string> Codes => _byCode.Keys;

    /// <summary>The catalogue shipped with the module (<c>policy/municipality/affairs-shinagawa.json</c>, embedded).</summary>
    public static AffairCatalogue LoadDefault() => DefaultCatalogue.Value;

    /// <exception cref="PolicyFileException">the file is not a valid catalogue.</exception>
    public static AffairCatalogue Load(string path) => Parse(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <exception cref="PolicyFileException">the content is not a valid catalogue.</exception>
    public static AffairCatalogue Parse(byte[] utf8Json, string fileName)
    {
        var file = PolicyFile.Parse(utf8Json, fileName);
        var version = file.RequiredString("version");
        var source = file.RequiredString("source");
        var municipality = file.OptionalString("municipality");

        var systems = new List<BusinessSystem>();
        foreach (var (entry, line, position) in file.Entries<SystemEntry>("systems"))
        {
            if (!PolicyFile.IsCode(entry.Code))
                throw file.Error($"systems entry {position}: code \"{Clip(entry.Code)}\" must be lower-case ASCII words joined by hyphens", line);
            if (string.IsNullOrWhiteSpace(entry.Name)) throw file.Error($"systems entry {position} ({entry.Code}): name is missing", line);
            if (systems.Any(s => s.Code == entry.Code)) throw file.Error($"systems entry {position}: duplicate system code \"{entry.Code}\"", line);
            systems.Add(new BusinessSystem(entry.Code!, entry.Name.Trim()));
        }

        var affairs = new List<Affair>();
        var linesByAffair = new Dictionary<Affair, int>(ReferenceEqualityComparer.Instance);
        foreach (var (entry, line, position) in file.Entries<AffairEntry>("affairs"))
        {
            var affair = ToAffair(file, entry, line, position, version, systems);
            var clash = affairs.FirstOrDefault(a => a.Code == affair.Code && a.Overlaps(affair));
            if (clash is not null)
                throw file.Error($"affairs entry {position}: duplicate code \"{affair.Code}\" — its period {affair.PeriodText} overlaps "
                    + $"the entry on line {linesByAffair[clash]} ({clash.PeriodText})", line);
            affairs.Add(affair);
            linesByAffair[affair] = line;
        }
        if (affairs.Count == 0) throw file.Error("the catalogue lists no affairs", 1);
        return new AffairCatalogue(fileName, version, source, municipality, systems, affairs);
    }

    private static Affair ToAffair(PolicyFile file, AffairEntry entry, int line, int position, string version, List<BusinessSystem> systems)
    {
        var where = $"affairs entry {position}" + (entry.Code is null ? "" : $" ({Clip(entry.Code)})");
        PolicyFileException Fail(string problem) => file.Error($"{where}: {problem}", line);

        if (!PolicyFile.IsCode(entry.Code)) throw Fail("code is missing or not lower-case ASCII words joined by hyphens");
        if (string.IsNullOrWhiteSpace(entry.Name)) throw Fail("name is missing");
        var kind = AffairKinds.FromCode(entry.Kind)
            ?? throw Fail($"unknown kind \"{Clip(entry.Kind)}\" (one of {AffairKinds.AllCodes})");
        if (string.IsNullOrWhiteSpace(entry.LegalSource)) throw Fail("legalSource is missing (every affair names its legal source)");
        if (entry.NumberUse is null) throw Fail("numberUse (true or false) is missing");
        if (kind == AffairKind.NonNumber && entry.NumberUse.Value) throw Fail("an affair of kind non-number cannot have numberUse true");
        if (entry.Beppyo1Item is not null && (kind != AffairKind.Beppyo1 || !ItemPattern().IsMatch(entry.Beppyo1Item)))
            throw Fail(kind != AffairKind.Beppyo1
                ? "beppyo1Item is only for affairs of kind beppyo1"
                : $"beppyo1Item \"{Clip(entry.Beppyo1Item)}\" is not an item number like 16 or 9-2");
        if (kind == AffairKind.Beppyo1 && !entry.LegalSource.Contains("別表第一", StringComparison.Ordinal))
            throw Fail("a beppyo1 affair's legalSource must cite 別表第一");
        if (string.IsNullOrWhiteSpace(entry.System)) throw Fail("system is missing");
        if (systems.All(s => s.Code != entry.System)) throw Fail($"unknown system \"{Clip(entry.System)}\" (not in the systems list)");
        var from = PolicyFile.ParseDate(entry.EffectiveFrom, out var fromValid);
        if (from is null) throw Fail(fromValid ? "effectiveFrom is missing" : $"effectiveFrom \"{Clip(entry.EffectiveFrom)}\" is not a date (yyyy-MM-dd)");
        var to = PolicyFile.ParseDate(entry.EffectiveTo, out var toValid);
        if (!toValid) throw Fail($"effectiveTo \"{Clip(entry.EffectiveTo)}\" is not a date (yyyy-MM-dd)");
        if (to is not null && to < from) throw Fail("effectiveTo is before effectiveFrom");
        var records = ResidentRecordUse.None;
        foreach (var code in entry.ResidentRecords ?? [])
        {
            var use = ResidentRecordUses.FromCode(code) ?? throw Fail($"residentRecords: unknown use \"{Clip(code)}\" (one of {ResidentRecordUses.AllCodes})");
            if ((records & use) != 0) throw Fail($"residentRecords: \"{code}\" is listed twice");
            records |= use;
        }
        if ((records & ResidentRecordUse.Change) != 0 && entry.System != ResidentRecordUses.RegisterSystem)
            throw Fail($"residentRecords: only affairs of the {ResidentRecordUses.RegisterSystem} system may change the register");
        var citation = PolicyFile.Citation(entry.SourceLine, entry.CitationChecked, entry.CitationNote, Fail);

        return new Affair(entry.Code!, entry.Name.Trim(), kind, entry.LegalSource.Trim(), entry.Beppyo1Item, entry.NumberUse.Value,
            entry.System, string.IsNullOrWhiteSpace(entry.Department) ? null : entry.Department.Trim(), from.Value, to, version, records, citation);
    }

    /// <summary>The current definition of an affair: its newest period (whether or not in force today); null if unknown.</summary>
    public Affair? Find(string? code) => Periods(code) is { Length: > 0 } periods ? periods[^1] : null;

    /// <summary>The definition in force on <paramref name="date"/>; null if the code is unknown or not in force then.</summary>
    public Affair? Find(string? code, DateOnly date) => Periods(code)?.FirstOrDefault(a => a.InForceOn(date));

    /// <summary>Every period of one affair, oldest first; empty if unknown.</summary>
    public IReadOnlyList<Affair> History(string? code) => Periods(code) ?? [];

    public bool InForce(string? code, DateOnly date) => Find(code, date) is not null;

    /// <summary>True only if the affair is known, in force on <paramref name="date"/> and may use numbers.</summary>
    public bool IsNumberUse(string? code, DateOnly date) => Find(code, date) is { NumberUse: true };

    public BusinessSystem? FindSystem(string? code) => code is not null && _systems.TryGetValue(code.Trim(), out var system) ? system : null;

    /// <summary>Whether numbers may be used in an affair on a day, with the reason when not.</summary>
    public AffairNumberUseDecision CheckNumberUse(string? code, DateOnly date)
    {
        if (string.IsNullOrWhiteSpace(code))
            return new(false, AffairNumberUseDecision.AffairRequired, "個人番号は事務を指定した場合に限り表示します（事務を指定してください）", null);
        var current = Find(code);
        if (current is null)
            return new(false, AffairNumberUseDecision.UnknownAffair, $"登録されていない事務です（{Clip(code.Trim())}）", null);
        var inForce = Find(code, date);
        if (inForce is null)
            return new(false, AffairNumberUseDecision.NotInForce,
                $"{current.Name}は{date:yyyy-MM-dd}に施行されていません（{current.PeriodText}）", current);
        if (!inForce.NumberUse)
            return new(false, AffairNumberUseDecision.WithoutNumberUse, $"{inForce.Name}では個人番号を利用できません（{inForce.LegalSource}）", inForce);
        return new(true, AffairNumberUseDecision.Allow, $"{inForce.Name}（{inForce.LegalSource}）", inForce);
    }

    /// <summary>The affair in force on <paramref name="date"/>, if it may use numbers; otherwise a refusal that says why.</summary>
    /// <exception cref="AffairNumberUseRefusedException">the affair is missing, unknown, not in force or without number use.</exception>
    public Affair RequireNumberUse(string? code, DateOnly date)
    {
        var decision = CheckNumberUse(code, date);
        return decision.Allowed ? decision.Affair! : throw new AffairNumberUseRefusedException(decision.ReasonCode, decision.Message);
    }

    // Codes are lower-case by construction, so input is matched case-insensitively (as the stand-in list did).
    private Affair[]? Periods(string? code) => code is not null && _byCode.TryGetValue(code.Trim().ToLowerInvariant(), out var periods) ? periods : null;

    private static AffairCatalogue LoadEmbedded(string fileName)
    {
        var bytes = EmbeddedPolicy.Read(fileName);
        return Parse(bytes, "policy/municipality/" + fileName);
    }

    [GeneratedRegex("^[0-9]{1,3}(-[0-9]{1,2})?$")]
    private static partial Regex ItemPattern();

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;

    private sealed class SystemEntry
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
    }

    private sealed class AffairEntry
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
        public string? Kind { get; set; }
        public string? Beppyo1Item { get; set; }
        public string? LegalSource { get; set; }
        public bool? NumberUse { get; set; }
        public string? System { get; set; }
        public string? Department { get; set; }
        public string? EffectiveFrom { get; set; }
        public string? EffectiveTo { get; set; }
        /// <summary>What the affair's staff may do with the resident register: search, view, change (need to know); absent: nothing.</summary>
        public string[]? ResidentRecords { get; set; }
        /// <summary>Where the entry comes from in the source document (e.g. 表1-9); informational.</summary>
        public string? SourceRow { get; set; }
        /// <summary>The seed line the entry rests on (seeds/NNN l.N[-M]) or null with <see cref="CitationNote"/>; undefined when absent.</summary>
        public JsonElement SourceLine { get; set; }
        /// <summary>The day (yyyy-MM-dd) the citation was checked against the seed; undefined when absent.</summary>
        public JsonElement CitationChecked { get; set; }
        /// <summary>Why no seed line supports the entry (required with a null <see cref="SourceLine"/>), or a remark on the line.</summary>
        public JsonElement CitationNote { get; set; }
    }
}

/// <summary>The policy files embedded in this assembly (see the project file: policy/municipality/*.json).</summary>
internal static class EmbeddedPolicy
{
    public static byte[] Read(string fileName)
    {
        var name = "policy/municipality/" + fileName;
        using var stream = typeof(EmbeddedPolicy).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the embedded policy file {name} is missing");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
