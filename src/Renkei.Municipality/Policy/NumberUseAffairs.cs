using System.Reflection;
using System.Text;

namespace Renkei.Municipality.Policy;

/// <summary>An affair (事務) the municipality runs, and whether the law lets it use individual numbers.</summary>
public sealed record Affair(string Code, string Name, bool NumberUse, string LegalBasis);

/// <summary>Why a number may not be shown for an affair.</summary>
public sealed class NumberUseRefusedException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>
/// The affairs that may or may not use individual numbers, as data (policy/affairs.csv:
/// code, Japanese name, number_use true/false, legal basis). A number is shown only for an affair
/// that is listed with number_use true; anything else is refused with a reason, never silently masked.
/// A later issue replaces this with the full catalogue (別表第一 and ordinances).
/// </summary>
public sealed class NumberUseAffairs
{
    private readonly Dictionary<string, Affair> _byCode;

    private NumberUseAffairs(IEnumerable<Affair> affairs) =>
        _byCode = affairs.ToDictionary(a => a.Code, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<Affair> All => _byCode.Values;

    /// <summary>The catalogue shipped with the module (Policy/affairs.csv, embedded).</summary>
    public static NumberUseAffairs Default { get; } = LoadEmbedded();

    public static NumberUseAffairs Load(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader);
    }

    public static NumberUseAffairs Parse(TextReader reader)
    {
        var affairs = new List<Affair>();
        var lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (lineNumber == 1 || line.Trim().Length == 0) continue; // header
            var fields = line.Split(',', 4);
            if (fields.Length != 4)
                throw new FormatException($"affairs line {lineNumber}: expected 4 columns (code,name,number_use,legal_basis)");
            if (!bool.TryParse(fields[2].Trim(), out var numberUse))
                throw new FormatException($"affairs line {lineNumber}: number_use is true or false");
            var code = fields[0].Trim();
            if (code.Length == 0) throw new FormatException($"affairs line {lineNumber}: code is empty");
            if (affairs.Any(a => string.Equals(a.Code, code, StringComparison.OrdinalIgnoreCase)))
                throw new FormatException($"affairs line {lineNumber}: code {code} appears twice");
            affairs.Add(new Affair(code, fields[1].Trim(), numberUse, fields[3].Trim()));
        }
        return new NumberUseAffairs(affairs);
    }

    public Affair? Find(string? code) => code is not null && _byCode.TryGetValue(code.Trim(), out var affair) ? affair : null;

    /// <summary>The affair, if it may use numbers; otherwise a refusal that says why.</summary>
    public Affair RequireNumberUse(string? code)
    {
        if (string.IsNullOrWhiteSpace(code))
            throw new NumberUseRefusedException("affair-required", "an individual number is shown only for a named affair that may use it (事務を指定してください)");
        var affair = Find(code)
            ?? throw new NumberUseRefusedException("unknown-affair", $"unknown affair \"{Clip(code)}\" (登録されていない事務です)");
        if (!affair.NumberUse)
            throw new NumberUseRefusedException("affair-without-number-use",
                $"the affair {affair.Code} ({affair.Name}) may not use individual numbers: {affair.LegalBasis} (この事務では個人番号を利用できません)");
        return affair;
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;

    private static NumberUseAffairs LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Renkei.Municipality.Policy.affairs.csv")
            ?? throw new InvalidOperationException("the embedded affairs catalogue is missing");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return Parse(reader);
    }
}
