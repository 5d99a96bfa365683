using Renkei.Network.Contracts;

namespace Renkei.Network.Policy;

/// <summary>
/// The legal linkage policy (trust rule 5): which class of institution, working which affair, may obtain which
/// information kind from which class of provider, on which days — the rows of 番号法 別表第二 and the ordinance rows
/// of independent affairs (独自利用事務) approved under the commission's rule. Loaded from versioned JSON files
/// (<c>policy/network/</c>): <see cref="CatalogueFileName"/> with the affairs and information kinds the network knows,
/// and every other <c>*.json</c> file with rows. Everything is validated at load — an unknown code or class, a
/// duplicate row id, a period that ends before it starts or overlaps another row of the same combination, a missing
/// source, malformed JSON, a citation of the seeds that is malformed or incomplete — and refused with a <see cref="PolicyValidationException"/> naming file and line, so a
/// network with a broken policy does not start. Immutable once loaded; <see cref="Check"/> is a dictionary lookup
/// returning a precomputed decision (no allocation), safe from any number of threads.
/// </summary>
public sealed class LinkagePolicy
{
    public const string CatalogueFileName = "catalogue.json";

    /// <summary>The information kinds a person may see about themselves through the portal (自己情報表示); optional in a deployment's own policy directory.</summary>
    public const string SelfDisplayFileName = "self-display.json";
    private const string EmbeddedPrefix = "policy/network/";

    private static readonly Lazy<LinkagePolicy> DefaultPolicy = new(LoadEmbedded);

    private readonly Dictionary<LinkKey, KeyRows> _byKey;
    private readonly Dictionary<(InstitutionClass, string), PolicyRow[]> _byInquiry;
    private readonly Dictionary<string, PolicyAffair> _affairs;
    private readonly Dictionary<string, PolicyInformationKind> _kinds;

    private LinkagePolicy(string version, IReadOnlyList<string> files, IReadOnlyList<PolicyAffair> affairs,
        IReadOnlyList<PolicyInformationKind> kinds, IReadOnlyList<PolicyRow> rows, IReadOnlyList<SelfDisplayEntry> selfDisplay, string? selfDisplaySource)
    {
        Version = version;
        Files = files;
        Affairs = affairs;
        Kinds = kinds;
        Rows = rows;
        SelfDisplay = selfDisplay;
        _affairs = affairs.ToDictionary(a => a.Code, StringComparer.Ordinal);
        _kinds = kinds.ToDictionary(k => k.Code, StringComparer.Ordinal);
        // Self-display: one row per listed kind and each class that provides it, the portal as inquirer. They decide and
        // publish like rows, but are not rows of 別表第二 (Rows does not list them).
        var selfRows = selfDisplay.SelectMany(e => _kinds[e.Kind].ProvidedBy.Select(c => e.RowFor(c))).ToList();
        SelfDisplayRows = selfRows;
        if (selfDisplaySource is not null)
            _affairs[Contracts.SelfDisplay.Affair] = new PolicyAffair(Contracts.SelfDisplay.Affair, "自己情報表示", selfDisplaySource, [InstitutionClass.Portal], null);
        var all = rows.Concat(selfRows).ToList();
        _byKey = all.GroupBy(LinkKey.Of).ToDictionary(g => g.Key, g => new KeyRows([.. g.OrderBy(r => r.EffectiveFrom)]));
        _byInquiry = all.GroupBy(r => (r.InquirerClass, r.Affair)).ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>The policy's version: the catalogue's <c>version</c> header, which every row file repeats.</summary>
    public string Version { get; }

    /// <summary>The files the policy was read from, catalogue first.</summary>
    public IReadOnlyList<string> Files { get; }

    public IReadOnlyList<PolicyAffair> Affairs { get; }

    public IReadOnlyList<PolicyInformationKind> Kinds { get; }

    /// <summary>Every row, in file order (catalogue's row files sorted by name).</summary>
    public IReadOnlyList<PolicyRow> Rows { get; }

    /// <summary>The kinds a person may see about themselves (自己情報表示, <see cref="SelfDisplayFileName"/>), in file order.</summary>
    public IReadOnlyList<SelfDisplayEntry> SelfDisplay { get; }

    /// <summary>
    /// What <see cref="SelfDisplay"/> allows as rows: the portal (<see cref="InstitutionClass.Portal"/>), working affair
    /// <see cref="Contracts.SelfDisplay.Affair"/>, may obtain each listed kind from every class that provides it.
    /// </summary>
    public IReadOnlyList<PolicyRow> SelfDisplayRows { get; }

    /// <summary>The self-display kinds an institution of <paramref name="providerClass"/> may be asked for on <paramref name="date"/>.</summary>
    public IReadOnlyList<SelfDisplayEntry> SelfDisplayKindsFrom(InstitutionClass providerClass, DateOnly date) =>
        SelfDisplay.Where(e => e.InForceOn(date) && _kinds[e.Kind].ProvidedBy.Contains(providerClass)).ToList();

    /// <summary>The policy shipped with the network (<c>policy/network/*.json</c>, embedded in this assembly).</summary>
    /// <exception cref="PolicyValidationException">the embedded files are not a valid policy.</exception>
    public static LinkagePolicy LoadDefault() => DefaultPolicy.Value;

    /// <summary>A deployment's own policy: <see cref="CatalogueFileName"/> and the row files (<c>*.json</c>) in <paramref name="directory"/>.</summary>
    /// <exception cref="PolicyValidationException">the files are not a valid policy.</exception>
    public static LinkagePolicy Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new PolicyValidationException(directory, null, "the policy directory does not exist");
        var catalogue = Path.Combine(directory, CatalogueFileName);
        if (!File.Exists(catalogue)) throw new PolicyValidationException(catalogue, null, "the catalogue file is missing");
        var rowFiles = Directory.EnumerateFiles(directory, "*.json")
            .Where(f => Path.GetFileName(f) is not (CatalogueFileName or SelfDisplayFileName))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, (Func<byte[]>)(() => File.ReadAllBytes(f))));
        var selfDisplay = Path.Combine(directory, SelfDisplayFileName);
        return Build((catalogue, () => File.ReadAllBytes(catalogue)), rowFiles,
            File.Exists(selfDisplay) ? (selfDisplay, () => File.ReadAllBytes(selfDisplay)) : null);
    }

    /// <summary>
    /// May an institution of <paramref name="inquirerClass"/>, working <paramref name="affair"/>, obtain
    /// <paramref name="kind"/> from an institution of <paramref name="providerClass"/> on <paramref name="date"/>?
    /// Allowed with the row in force that day; otherwise refused with <see cref="RefusalCodes.NotInForce"/> when the
    /// combination has rows on other days, or <see cref="RefusalCodes.NoPolicyRow"/>. Codes compare exactly (ordinal).
    /// </summary>
    public PolicyDecision Check(InstitutionClass inquirerClass, string affair, InstitutionClass providerClass, string kind, DateOnly date)
    {
        if (affair is null || kind is null || !_byKey.TryGetValue(new LinkKey(inquirerClass, affair, providerClass, kind), out var entry))
            return PolicyDecision.NoPolicyRow;
        var rows = entry.Rows;
        for (var i = 0; i < rows.Length; i++)
            if (rows[i].InForceOn(date)) return entry.Allowed[i];
        return entry.NotInForce;
    }

    /// <summary>
    /// The rows in force on <paramref name="date"/> for an institution of <paramref name="inquirerClass"/> working
    /// <paramref name="affair"/>: what it may ask for and from whom (a staff console offers exactly these).
    /// </summary>
    public IReadOnlyList<PolicyRow> RowsFor(InstitutionClass inquirerClass, string affair, DateOnly date) =>
        affair is not null && _byInquiry.TryGetValue((inquirerClass, affair), out var rows)
            ? Array.FindAll(rows, r => r.InForceOn(date))
            : [];

    public PolicyAffair? FindAffair(string code) => code is not null && _affairs.TryGetValue(code, out var affair) ? affair : null;

    public PolicyInformationKind? FindKind(string code) => code is not null && _kinds.TryGetValue(code, out var kind) ? kind : null;

    /// <summary>The affair's display name (児童手当の支給に関する事務 …), or null for an unknown code.</summary>
    public string? AffairName(string code) => FindAffair(code)?.Name;

    /// <summary>The information kind's display name (地方税関係情報 …), or null for an unknown code.</summary>
    public string? KindName(string code) => FindKind(code)?.Name;

    // ------------------------------------------------------------------ loading

    private static LinkagePolicy LoadEmbedded()
    {
        var assembly = typeof(LinkagePolicy).Assembly;
        byte[] Read(string name)
        {
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new PolicyValidationException(name, null, "the embedded policy file is missing");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(EmbeddedPrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .ToList();
        var catalogue = EmbeddedPrefix + CatalogueFileName;
        var selfDisplay = EmbeddedPrefix + SelfDisplayFileName;
        var rowFiles = names.Where(n => n != catalogue && n != selfDisplay).Order(StringComparer.Ordinal).Select(n => (n, (Func<byte[]>)(() => Read(n))));
        return Build((catalogue, () => Read(catalogue)), rowFiles, (selfDisplay, () => Read(selfDisplay)));
    }

    private static LinkagePolicy Build((string Name, Func<byte[]> Read) catalogueFile, IEnumerable<(string Name, Func<byte[]> Read)> rowFiles,
        (string Name, Func<byte[]> Read)? selfDisplayFile)
    {
        var catalogue = PolicyJsonDocument.Parse(catalogueFile.Read(), catalogueFile.Name);
        catalogue.RefuseUnknownProperties("version", "source", "note", "affairs", "kinds");
        var version = catalogue.RequiredHeader("version");
        catalogue.RequiredHeader("source");

        var affairs = new List<PolicyAffair>();
        var affairLines = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        foreach (var (element, line) in catalogue.Entries("affairs"))
        {
            var entry = new PolicyJsonEntry(catalogue, "affairs", ++position, element, line);
            var code = entry.Code("code");
            entry.Identify(code);
            if (affairLines.TryGetValue(code, out var first)) throw entry.Fail($"the affair code is already defined on line {first}");
            var affair = new PolicyAffair(code, entry.RequiredString("name"),
                entry.RequiredString("legalBasis", "legalBasis is missing (every affair names the law or ordinance it rests on)"),
                entry.ClassList("performedBy"), entry.Citation());
            entry.OptionalString("note");
            entry.RefuseUnknownProperties();
            affairs.Add(affair);
            affairLines[code] = line;
        }

        var kinds = new List<PolicyInformationKind>();
        var kindLines = new Dictionary<string, int>(StringComparer.Ordinal);
        position = 0;
        foreach (var (element, line) in catalogue.Entries("kinds"))
        {
            var entry = new PolicyJsonEntry(catalogue, "kinds", ++position, element, line);
            var code = entry.Code("code");
            entry.Identify(code);
            if (kindLines.TryGetValue(code, out var first)) throw entry.Fail($"the information kind code is already defined on line {first}");
            var kind = new PolicyInformationKind(code, entry.RequiredString("name"), entry.ClassList("providedBy"), entry.Citation());
            entry.OptionalString("note");
            entry.RefuseUnknownProperties();
            kinds.Add(kind);
            kindLines[code] = line;
        }

        var affairByCode = affairs.ToDictionary(a => a.Code, StringComparer.Ordinal);
        var kindByCode = kinds.ToDictionary(k => k.Code, StringComparer.Ordinal);
        var files = new List<string> { catalogueFile.Name };
        var rows = new List<PolicyRow>();
        var byId = new Dictionary<string, PolicyRow>(StringComparer.Ordinal);
        var byKey = new Dictionary<LinkKey, List<PolicyRow>>();
        foreach (var (name, read) in rowFiles)
        {
            var file = PolicyJsonDocument.Parse(read(), name);
            file.RefuseUnknownProperties("version", "source", "note", "rows");
            var fileVersion = file.RequiredHeader("version");
            if (fileVersion != version)
                throw file.Error(file.LineOf("version"), $"version \"{PolicyJsonDocument.Clip(fileVersion)}\" differs from the catalogue's \"{version}\" (one policy, one version)");
            file.RequiredHeader("source");
            files.Add(name);
            position = 0;
            foreach (var (element, line) in file.Entries("rows"))
            {
                var row = ReadRow(new PolicyJsonEntry(file, "rows", ++position, element, line), name, affairByCode, kindByCode, byId);
                var key = LinkKey.Of(row);
                if (byKey.TryGetValue(key, out var same))
                {
                    var clash = same.FirstOrDefault(r => r.Overlaps(row));
                    if (clash is not null)
                        throw file.Error(line, $"rows entry {position} ({row.Id}): its period {row.Period} overlaps row {clash.Id} ({clash.Period}, {Where(clash, name)}) "
                            + $"for the same inquirer class, affair, provider class and kind");
                    same.Add(row);
                }
                else byKey[key] = [row];
                byId[row.Id] = row;
                rows.Add(row);
            }
        }
        var (selfDisplay, selfDisplaySource) = selfDisplayFile is { } selfFile ? ReadSelfDisplay(selfFile.Name, selfFile.Read(), version, kindByCode) : ([], null);
        if (selfDisplayFile is { } added) files.Add(added.Name);
        return new LinkagePolicy(version, files, affairs, kinds, rows, selfDisplay, selfDisplaySource);
    }

    /// <summary>Reads <see cref="SelfDisplayFileName"/>: each entry a kind of the catalogue, once, with its name, legal note and period.</summary>
    private static (List<SelfDisplayEntry>, string) ReadSelfDisplay(string name, byte[] bytes, string version, Dictionary<string, PolicyInformationKind> kinds)
    {
        var file = PolicyJsonDocument.Parse(bytes, name);
        file.RefuseUnknownProperties("version", "source", "note", "kinds");
        var fileVersion = file.RequiredHeader("version");
        if (fileVersion != version)
            throw file.Error(file.LineOf("version"), $"version \"{PolicyJsonDocument.Clip(fileVersion)}\" differs from the catalogue's \"{version}\" (one policy, one version)");
        var source = file.RequiredHeader("source");
        var entries = new List<SelfDisplayEntry>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        foreach (var (element, line) in file.Entries("kinds"))
        {
            var entry = new PolicyJsonEntry(file, "kinds", ++position, element, line);
            var code = entry.RequiredString("kind");
            entry.Identify(PolicyJsonDocument.Clip(code));
            if (!kinds.ContainsKey(code)) throw entry.Fail($"unknown information kind \"{PolicyJsonDocument.Clip(code)}\" (not in the catalogue)");
            if (lines.TryGetValue(code, out var first)) throw entry.Fail($"the kind is already listed on line {first}");
            var displayName = entry.RequiredString("name");
            var legalNote = entry.RequiredString("legalNote", "legalNote is missing (every self-display kind says what allows the person to see it)");
            var from = entry.Date("effectiveFrom", required: true)!.Value;
            var to = entry.Date("effectiveTo", required: false);
            if (to < from) throw entry.Fail($"effectiveTo {to:yyyy-MM-dd} is before effectiveFrom {from:yyyy-MM-dd}");
            var citation = entry.Citation();
            entry.OptionalString("note");
            entry.RefuseUnknownProperties();
            entries.Add(new SelfDisplayEntry(code, displayName, legalNote, from, to, citation, name, line));
            lines[code] = line;
        }
        return (entries, source);
    }

    private static PolicyRow ReadRow(PolicyJsonEntry entry, string file, Dictionary<string, PolicyAffair> affairs,
        Dictionary<string, PolicyInformationKind> kinds, Dictionary<string, PolicyRow> byId)
    {
        var id = entry.Code("id");
        entry.Identify(id);
        if (byId.TryGetValue(id, out var other)) throw entry.Fail($"duplicate row id (already on {Where(other, file)})");

        var inquirerClass = entry.Class("inquirerClass");
        var affairCode = entry.RequiredString("affair");
        var affair = affairs.GetValueOrDefault(affairCode) ?? throw entry.Fail($"unknown affair \"{PolicyJsonDocument.Clip(affairCode)}\" (not in the catalogue)");
        if (!affair.PerformedBy.Contains(inquirerClass))
            throw entry.Fail($"affair {affair.Code} is performed by {string.Join(", ", affair.PerformedBy)}, not by the inquirer class {inquirerClass}");
        var providerClass = entry.Class("providerClass");
        var kindCode = entry.RequiredString("kind");
        var kind = kinds.GetValueOrDefault(kindCode) ?? throw entry.Fail($"unknown information kind \"{PolicyJsonDocument.Clip(kindCode)}\" (not in the catalogue)");
        if (!kind.ProvidedBy.Contains(providerClass))
            throw entry.Fail($"information kind {kind.Code} is provided by {string.Join(", ", kind.ProvidedBy)}, not by the provider class {providerClass}");

        var from = entry.Date("effectiveFrom", required: true)!.Value;
        var to = entry.Date("effectiveTo", required: false);
        if (to < from) throw entry.Fail($"effectiveTo {to:yyyy-MM-dd} is before effectiveFrom {from:yyyy-MM-dd}");
        var source = entry.RequiredString("source", "source is missing (every row names the legal text that allows it)");
        var verified = entry.RequiredBool("sourceVerified");
        var sourceRow = entry.OptionalString("sourceRow");
        var note = entry.OptionalString("note");
        var citation = entry.Citation();
        entry.RefuseUnknownProperties();
        return new PolicyRow(id, inquirerClass, affair.Code, providerClass, kind.Code, from, to, source, verified, sourceRow, note, citation, file, entry.Line);
    }

    private static string Where(PolicyRow row, string currentFile) =>
        row.DefinedIn == currentFile ? $"line {row.Line}" : $"{row.DefinedIn} line {row.Line}";

    private readonly record struct LinkKey(InstitutionClass Inquirer, string Affair, InstitutionClass Provider, string Kind)
    {
        public static LinkKey Of(PolicyRow row) => new(row.InquirerClass, row.Affair, row.ProviderClass, row.Kind);
    }

    /// <summary>The rows of one combination by start date, with their decisions made once.</summary>
    private sealed class KeyRows(PolicyRow[] rows)
    {
        public PolicyRow[] Rows { get; } = rows;
        public PolicyDecision[] Allowed { get; } = Array.ConvertAll(rows, PolicyDecision.Allow);
        public PolicyDecision NotInForce { get; } = PolicyDecision.NotInForce(rows);
    }
}
