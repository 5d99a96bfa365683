using System.Text.Json;
using Renkei.Core.Policy;
using Renkei.Municipality.Affairs;

namespace Renkei.Municipality.Pia;

/// <summary>
/// A network segment of the ward (個人番号利用事務系, LGWAN接続系, インターネット接続系): what of Renkei runs there
/// (<see cref="Services"/>, as a clerk reads it) and which business systems of the affair catalogue (<see cref="Systems"/>).
/// </summary>
public sealed record PiaSegment(string Code, string Name, bool NumberUse, IReadOnlyList<string> Services, IReadOnlyList<string> Systems, SeedCitation? Citation);

/// <summary>
/// The separation of number-using systems the assessments declare (個人番号利用事務系の分離; seed 003 4-2: the systems that use
/// numbers are cut off from the internet), as data: <c>policy/municipality/pia-segments-*.json</c> (embedded). Checked at load
/// against the affair catalogue: exactly one number-using segment, each system in at most one segment, and every system with
/// an affair that may use numbers in the number-using segment — one bad entry refuses the file, naming file, line and entry.
/// </summary>
public sealed class PiaSegments
{
    public const string DefaultFileName = "pia-segments-shinagawa.json";

    private static readonly Lazy<PiaSegments> Default = new(() => Parse(EmbeddedPolicy.Read(DefaultFileName), DefaultFileName, AffairCatalogue.LoadDefault()));

    private PiaSegments(string version, IReadOnlyList<PiaSegment> segments) => (Version, Segments) = (version, segments);

    public string Version { get; }

    public IReadOnlyList<PiaSegment> Segments { get; }

    /// <summary>The number-using segment (個人番号利用事務系).</summary>
    public PiaSegment NumberUse => Segments.Single(s => s.NumberUse);

    /// <summary>The segment <paramref name="system"/> runs in, or null when the file places it nowhere.</summary>
    public PiaSegment? Of(string system) => Segments.FirstOrDefault(s => s.Systems.Contains(system));

    public static PiaSegments LoadDefault() => Default.Value;

    /// <exception cref="PolicyFileException">the content is not a valid segment list for <paramref name="affairs"/>.</exception>
    public static PiaSegments Parse(byte[] utf8Json, string fileName, AffairCatalogue affairs)
    {
        ArgumentNullException.ThrowIfNull(affairs);
        var file = PolicyFile.Parse(utf8Json, fileName);
        var version = file.RequiredString("version");
        file.RequiredString("source");
        file.OptionalString("municipality");
        var segments = new List<PiaSegment>();
        foreach (var (entry, line, position) in file.Entries<SegmentEntry>("segments"))
        {
            var where = $"segments entry {position}" + (PolicyFile.IsCode(entry.Code) ? $" ({entry.Code})" : "");
            PolicyFileException Fail(string problem) => file.Error($"{where}: {problem}", line);
            if (!PolicyFile.IsCode(entry.Code)) throw Fail("code is missing or not lower-case ASCII words joined by hyphens");
            if (segments.Any(s => s.Code == entry.Code)) throw Fail("duplicate segment code");
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Fail("name is missing");
            if (entry.NumberUse is null) throw Fail("numberUse: true or false");
            if (entry.Services is null || entry.Services.Any(string.IsNullOrWhiteSpace)) throw Fail("services: a list of names (may be empty)");
            if (entry.Systems is null) throw Fail("systems: a list of business system codes (may be empty)");
            foreach (var system in entry.Systems)
            {
                if (affairs.FindSystem(system) is null) throw Fail($"systems: \"{Clip(system)}\" is not a system of the affair catalogue");
                if (segments.Any(s => s.Systems.Contains(system)) || entry.Systems.Count(s => s == system) > 1) throw Fail($"systems: {system} is placed twice");
                if (entry.NumberUse == false && affairs.Affairs.Any(a => a.System == system && a.NumberUse))
                    throw Fail($"systems: {system} has affairs that use numbers, so it belongs in the number-using segment");
            }
            var citation = PolicyFile.Citation(entry.SourceLine, entry.CitationChecked, entry.CitationNote, Fail);
            segments.Add(new PiaSegment(entry.Code!, entry.Name.Trim(), entry.NumberUse.Value, [.. entry.Services.Select(s => s.Trim())], [.. entry.Systems], citation));
        }
        if (segments.Count(s => s.NumberUse) != 1) throw file.Error("segments: exactly one segment is the number-using one (numberUse: true)", 1);
        return new PiaSegments(version, segments);
    }

    private static string Clip(string? text) => text is null ? "" : text.Length > 40 ? text[..40] + "…" : text;

    private sealed class SegmentEntry
    {
        public string? Code { get; set; }
        public string? Name { get; set; }
        public bool? NumberUse { get; set; }
        public string[]? Services { get; set; }
        public string[]? Systems { get; set; }
        public JsonElement SourceLine { get; set; }
        public JsonElement CitationChecked { get; set; }
        public JsonElement CitationNote { get; set; }
    }
}
