using System.Text.Json;
using Renkei.Core.Policy;

namespace Renkei.Municipality.Affairs;

/// <summary>A kind of information a business system holds and may provide inside the ward (住民票関係情報, 地方税関係情報 …).</summary>
public sealed record InformationKind(string Code, string Name, IReadOnlyList<string> HeldBy);

/// <summary>
/// One row of the ward's ordinance on intra-municipality linkage (庁内連携): the inquiring business system, working
/// <paramref name="AffairCode"/>, may obtain <paramref name="InformationKind"/> from <paramref name="ProviderSystem"/>
/// between <paramref name="EffectiveFrom"/> and <paramref name="EffectiveTo"/> (inclusive), under <paramref name="Article"/>.
/// <paramref name="Citation"/> is the seed line the row rests on (a row of 品川区's tables 4–6 in seed 000) and the day it
/// was checked, or why no seed line supports it; null when the file gives none (policy/README.md, "Citations of the seeds").
/// </summary>
public sealed record IntraMunicipalLinkageRule(
    string InquirerSystem,
    string AffairCode,
    string ProviderSystem,
    string InformationKind,
    string Article,
    DateOnly EffectiveFrom,
    DateOnly? EffectiveTo,
    string Version,
    SeedCitation? Citation = null)
{
    public bool InForceOn(DateOnly date) => date >= EffectiveFrom && (EffectiveTo is null || date <= EffectiveTo.Value);

    internal bool SameTuple(IntraMunicipalLinkageRule other) =>
        InquirerSystem == other.InquirerSystem && AffairCode == other.AffairCode && ProviderSystem == other.ProviderSystem
        && InformationKind == other.InformationKind;

    internal bool Overlaps(IntraMunicipalLinkageRule other) =>
        EffectiveFrom <= (other.EffectiveTo ?? DateOnly.MaxValue) && other.EffectiveFrom <= (EffectiveTo ?? DateOnly.MaxValue);
}

/// <summary>The answer to a linkage request: allowed with the rule that allows it, or refused with a stable reason code.</summary>
public sealed record IntraMunicipalLinkageDecision(bool Allowed, string ReasonCode, string Message, IntraMunicipalLinkageRule? Rule)
{
    public const string Allow = "allowed";
    public const string UnknownSystem = "unknown-system";
    public const string UnknownInformationKind = "unknown-information-kind";
    public const string NotHeldByProvider = "not-held-by-provider";
    public const string UnknownAffair = "unknown-affair";
    public const string AffairNotInForce = "affair-not-in-force";
    public const string NotNumberUse = "not-number-use";
    public const string AffairOfOtherSystem = "affair-of-other-system";
    public const string NoSuchRow = "no-such-row";
    public const string NotInForce = "not-in-force";
}

/// <summary>
/// The ordinance table of intra-municipality linkage (庁内連携, 番号法第9条第2項): which business system, for which
/// affair, may ask which other business system for which kind of information, on which days. Loaded from
/// <c>policy/municipality/intra-linkage-*.json</c> against an <see cref="AffairCatalogue"/>; every row must name a known
/// affair of the inquiring system that may use numbers, a known provider that holds the information kind, and the article.
/// </summary>
public sealed class IntraMunicipalLinkagePolicy
{
    public const string DefaultFileName = "intra-linkage-shinagawa.json";

    private static readonly Lazy<IntraMunicipalLinkagePolicy> DefaultPolicy = new(() =>
        Parse(EmbeddedPolicy.Read(DefaultFileName), "policy/municipality/" + DefaultFileName, AffairCatalogue.LoadDefault()));

    private readonly Dictionary<string, InformationKind> _kinds;

    private IntraMunicipalLinkagePolicy(string fileName, string version, string source, AffairCatalogue affairs,
        IReadOnlyList<InformationKind> kinds, IReadOnlyList<IntraMunicipalLinkageRule> rules)
    {
        FileName = fileName;
        Version = version;
        Source = source;
        Affairs = affairs;
        InformationKinds = kinds;
        Rules = rules;
        _kinds = kinds.ToDictionary(k => k.Code, StringComparer.Ordinal);
    }

    public string FileName { get; }
    public string Version { get; }
    public string Source { get; }
    public AffairCatalogue Affairs { get; }
    public IReadOnlyList<InformationKind> InformationKinds { get; }
    public IReadOnlyList<IntraMunicipalLinkageRule> Rules { get; }

    /// <summary>The embedded demo rows (品川区, seed 000 tables 4–6) over <see cref="AffairCatalogue.LoadDefault"/>.</summary>
    public static IntraMunicipalLinkagePolicy LoadDefault() => DefaultPolicy.Value;

    /// <exception cref="PolicyFileException">the file is not a valid linkage table for this catalogue.</exception>
    public static IntraMunicipalLinkagePolicy Load(string path, AffairCatalogue affairs) =>
        Parse(File.ReadAllBytes(path), Path.GetFileName(path), affairs);

    /// <exception cref="PolicyFileException">the content is not a valid linkage table for this catalogue.</exception>
    public static IntraMunicipalLinkagePolicy Parse(byte[] utf8Json, string fileName, AffairCatalogue affairs)
    {
        var file = PolicyFile.Parse(utf8Json, fileName);
        var version = file.RequiredString("version");
        var source = file.RequiredString("source");

        var kinds = new List<InformationKind>();
        foreach (var (entry, line, position) in file.Entries<KindEntry>("informationKinds"))
        {
            var where = $"informationKinds entry {position}";
            if (!PolicyFile.IsCode(entry.Code)) throw file.Error($"{where}: code is missing or not lower-case ASCII words joined by hyphens", line);
            if (string.IsNullOrWhiteSpace(entry.Name)) throw file.Error($"{where} ({entry.Code}): name is missing", line);
            if (kinds.Any(k => k.Code == entry.Code)) throw file.Error($"{where}: duplicate information kind \"{entry.Code}\"", line);
            if (entry.HeldBy is not { Count: > 0 }) throw file.Error($"{where} ({entry.Code}): heldBy lists no business system", line);
            foreach (var system in entry.HeldBy)
                if (affairs.FindSystem(system) is null)
                    throw file.Error($"{where} ({entry.Code}): heldBy names unknown system \"{Clip(system)}\"", line);
            kinds.Add(new InformationKind(entry.Code!, entry.Name.Trim(), [.. entry.HeldBy]));
        }

        var rules = new List<IntraMunicipalLinkageRule>();
        var lines = new Dictionary<IntraMunicipalLinkageRule, int>(ReferenceEqualityComparer.Instance);
        foreach (var (entry, line, position) in file.Entries<RuleEntry>("rules"))
        {
            PolicyFileException Fail(string problem) => file.Error($"rules entry {position}: {problem}", line);
            if (affairs.FindSystem(entry.InquirerSystem) is null) throw Fail($"unknown inquirerSystem \"{Clip(entry.InquirerSystem)}\"");
            if (affairs.FindSystem(entry.ProviderSystem) is null) throw Fail($"unknown providerSystem \"{Clip(entry.ProviderSystem)}\"");
            if (entry.InquirerSystem == entry.ProviderSystem) throw Fail("a system does not link with itself");
            var kind = kinds.FirstOrDefault(k => k.Code == entry.InformationKind)
                ?? throw Fail($"unknown informationKind \"{Clip(entry.InformationKind)}\"");
            if (!kind.HeldBy.Contains(entry.ProviderSystem!))
                throw Fail($"{entry.ProviderSystem} does not hold {kind.Code} (held by {string.Join(", ", kind.HeldBy)})");
            var affair = affairs.Find(entry.Affair) ?? throw Fail($"unknown affair \"{Clip(entry.Affair)}\" (not in {affairs.FileName})");
            if (affairs.History(affair.Code).Any(a => a.System != entry.InquirerSystem))
                throw Fail($"affair {affair.Code} belongs to {affair.System}, not to the inquirer {entry.InquirerSystem}");
            if (affairs.History(affair.Code).All(a => !a.NumberUse))
                throw Fail($"affair {affair.Code} may not use numbers, so it has no linkage");
            if (string.IsNullOrWhiteSpace(entry.Article)) throw Fail("article is missing (every row names its ordinance article)");
            var from = PolicyFile.ParseDate(entry.EffectiveFrom, out var fromValid);
            if (from is null) throw Fail(fromValid ? "effectiveFrom is missing" : $"effectiveFrom \"{Clip(entry.EffectiveFrom)}\" is not a date (yyyy-MM-dd)");
            var to = PolicyFile.ParseDate(entry.EffectiveTo, out var toValid);
            if (!toValid) throw Fail($"effectiveTo \"{Clip(entry.EffectiveTo)}\" is not a date (yyyy-MM-dd)");
            if (to is not null && to < from) throw Fail("effectiveTo is before effectiveFrom");
            var citation = PolicyFile.Citation(entry.SourceLine, entry.CitationChecked, entry.CitationNote,
                problem => file.Error($"rules entry {position} ({affair.Code}, {kind.Code}): {problem}", line));

            var rule = new IntraMunicipalLinkageRule(entry.InquirerSystem!, affair.Code, entry.ProviderSystem!, kind.Code,
                entry.Article.Trim(), from.Value, to, version, citation);
            var clash = rules.FirstOrDefault(r => r.SameTuple(rule) && r.Overlaps(rule));
            if (clash is not null) throw Fail($"the same row already is on line {lines[clash]} with an overlapping period");
            rules.Add(rule);
            lines[rule] = line;
        }
        return new IntraMunicipalLinkagePolicy(fileName, version, source, affairs, kinds, rules);
    }

    public InformationKind? FindInformationKind(string? code) => code is not null && _kinds.TryGetValue(code.Trim(), out var kind) ? kind : null;

    /// <summary>
    /// May <paramref name="inquirerSystem"/>, working <paramref name="affairCode"/>, obtain <paramref name="informationKind"/>
    /// from <paramref name="providerSystem"/> on <paramref name="date"/>? Allowed only with a row in force on that day for an
    /// affair in force that may use numbers; otherwise a refusal with one of the reason codes of <see cref="IntraMunicipalLinkageDecision"/>.
    /// </summary>
    public IntraMunicipalLinkageDecision Check(string? inquirerSystem, string? affairCode, string? providerSystem, string? informationKind, DateOnly date)
    {
        static IntraMunicipalLinkageDecision Refuse(string code, string message) => new(false, code, message, null);

        var inquirer = Affairs.FindSystem(inquirerSystem);
        if (inquirer is null) return Refuse(IntraMunicipalLinkageDecision.UnknownSystem, $"照会元の業務システムが登録されていません（{Clip(inquirerSystem)}）");
        var provider = Affairs.FindSystem(providerSystem);
        if (provider is null) return Refuse(IntraMunicipalLinkageDecision.UnknownSystem, $"照会先の業務システムが登録されていません（{Clip(providerSystem)}）");
        var kind = FindInformationKind(informationKind);
        if (kind is null) return Refuse(IntraMunicipalLinkageDecision.UnknownInformationKind, $"登録されていない情報の種類です（{Clip(informationKind)}）");
        if (!kind.HeldBy.Contains(provider.Code))
            return Refuse(IntraMunicipalLinkageDecision.NotHeldByProvider, $"{provider.Name}は{kind.Name}を保有していません");

        var use = Affairs.CheckNumberUse(affairCode, date);
        if (!use.Allowed)
        {
            var reason = use.ReasonCode switch
            {
                AffairNumberUseDecision.NotInForce => IntraMunicipalLinkageDecision.AffairNotInForce,
                AffairNumberUseDecision.WithoutNumberUse => IntraMunicipalLinkageDecision.NotNumberUse,
                _ => IntraMunicipalLinkageDecision.UnknownAffair,
            };
            return Refuse(reason, use.Message);
        }
        var affair = use.Affair!;
        if (affair.System != inquirer.Code)
            return Refuse(IntraMunicipalLinkageDecision.AffairOfOtherSystem, $"{affair.Name}は{inquirer.Name}の事務ではありません");

        var rows = Rules.Where(r => r.InquirerSystem == inquirer.Code && r.AffairCode == affair.Code
            && r.ProviderSystem == provider.Code && r.InformationKind == kind.Code).ToList();
        if (rows.Count == 0)
            return Refuse(IntraMunicipalLinkageDecision.NoSuchRow,
                $"条例に{affair.Name}のため{provider.Name}から{kind.Name}の提供を受ける定めがありません");
        var row = rows.FirstOrDefault(r => r.InForceOn(date));
        if (row is null)
            return Refuse(IntraMunicipalLinkageDecision.NotInForce, $"条例の定め（{rows[0].Article}）は{date:yyyy-MM-dd}に施行されていません");
        return new(true, IntraMunicipalLinkageDecision.Allow, $"{row.Article}", row);
    }

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;

    private sealed class KindEntry
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
        public List<string>? HeldBy { get; set; }
    }

    private sealed class RuleEntry
    {
        public string? InquirerSystem { get; set; }
        public string? Affair { get; set; }
        public string? ProviderSystem { get; set; }
        public string? InformationKind { get; set; }
        public string? Article { get; set; }
        public string? EffectiveFrom { get; set; }
        public string? EffectiveTo { get; set; }
        public string? SourceRow { get; set; }
        /// <summary>The seed line the entry rests on (seeds/NNN l.N[-M]) or null with <see cref="CitationNote"/>; undefined when absent.</summary>
        public JsonElement SourceLine { get; set; }
        /// <summary>The day (yyyy-MM-dd) the citation was checked against the seed; undefined when absent.</summary>
        public JsonElement CitationChecked { get; set; }
        /// <summary>Why no seed line supports the entry (required with a null <see cref="SourceLine"/>), or a remark on the line.</summary>
        public JsonElement CitationNote { get; set; }
    }
}
