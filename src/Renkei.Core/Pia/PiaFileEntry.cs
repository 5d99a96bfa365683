using System.Text.Json;
using Renkei.Core.Policy;

namespace Renkei.Core.Pia;

/// <summary>
/// The fields every PIA inventory's file entry has, as read from JSON (policy/README.md); an inventory's entry type adds its
/// own (the ward's affairs, an institution's basis and tables).
/// </summary>
public abstract class PiaFileEntry
{
    public string? Code { get; set; }
    public string? Name { get; set; }
    public string? System { get; set; }
    public string? Population { get; set; }
    public string? Department { get; set; }
    public string? DeclaredLevel { get; set; }
    public JsonElement SourceLine { get; set; }
    public JsonElement CitationChecked { get; set; }
    public JsonElement CitationNote { get; set; }

    /// <summary>An entry whose shared fields are checked, with the refusal that names its line and entry for the inventory's own checks.</summary>
    public sealed record Checked<TEntry>(TEntry Entry, string Code, string Name, string Department, AssessmentLevel DeclaredLevel, SeedCitation? Citation,
        Func<string, PolicyFileException> Fail);

    /// <summary>
    /// The inventory's <c>files</c> entries, each with its code (unique), name, department (<paramref name="departmentTerm"/> in
    /// the message), declared level and citation checked; refuses an inventory without files.
    /// </summary>
    /// <exception cref="PolicyFileException">an entry is bad: the message names the file, line and entry, never the value.</exception>
    public static IEnumerable<Checked<TEntry>> ReadFiles<TEntry>(PolicyFile file, string departmentTerm) where TEntry : PiaFileEntry
    {
        ArgumentNullException.ThrowIfNull(file);
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (entry, line, position) in file.Entries<TEntry>("files"))
        {
            var where = $"files entry {position}" + (PolicyFile.IsCode(entry.Code) ? $" ({entry.Code})" : "");
            PolicyFileException Fail(string problem) => file.Error($"{where}: {problem}", line);
            if (!PolicyFile.IsCode(entry.Code)) throw Fail("code is missing or not lower-case ASCII words joined by hyphens");
            if (!codes.Add(entry.Code!)) throw Fail("duplicate file code");
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Fail("name is missing");
            if (string.IsNullOrWhiteSpace(entry.Department)) throw Fail($"department ({departmentTerm}) is missing");
            var declared = AssessmentLevels.FromCode(entry.DeclaredLevel) ?? throw Fail("declaredLevel: none, basic, basic+priority or basic+full");
            var citation = PolicyFile.Citation(entry.SourceLine, entry.CitationChecked, entry.CitationNote, Fail);
            yield return new Checked<TEntry>(entry, entry.Code!, entry.Name.Trim(), entry.Department.Trim(), declared, citation, Fail);
        }
        if (codes.Count == 0) throw file.Error("the inventory lists no files", 1);
    }
}
