using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Renkei.Core.Policy;

/// <summary>
/// The lines of a source document (<c>/work/shared/seeds/NNN_….txt</c>, the Japanese public documents the project is
/// built from) that a policy entry rests on, written <c>seeds/000 l.515</c> (one line) or <c>seeds/000 l.538-542</c>
/// (from the line naming the table row and its affair to the line naming the information; both inclusive, 1-based as
/// <c>sed -n 538,542p</c> counts them). <see cref="Seed"/> is the file's three-digit prefix.
/// </summary>
public sealed partial record SeedLine
{
    private SeedLine(string seed, int firstLine, int lastLine)
    {
        Seed = seed;
        FirstLine = firstLine;
        LastLine = lastLine;
    }

    /// <summary>What the documentation and error messages show as the expected form.</summary>
    public const string Format = "seeds/NNN l.N or seeds/NNN l.N-M (N ≤ M)";

    /// <summary>The seed file's three-digit prefix (<c>000</c> … <c>999</c>).</summary>
    public string Seed { get; }

    public int FirstLine { get; }

    /// <summary>Equal to <see cref="FirstLine"/> for a single line.</summary>
    public int LastLine { get; }

    /// <summary>Reads <see cref="Format"/>: exact (no spaces around it, ASCII digits), lines from 1, a range not backwards.</summary>
    public static bool TryParse(string? text, out SeedLine? line)
    {
        line = null;
        if (text is null) return false;
        var match = Pattern().Match(text);
        if (!match.Success) return false;
        if (!int.TryParse(match.Groups["first"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var first) || first < 1) return false;
        var last = first;
        if (match.Groups["last"].Success
            && (!int.TryParse(match.Groups["last"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last <= first))
            return false;
        line = new SeedLine(match.Groups["seed"].Value, first, last);
        return true;
    }

    public override string ToString() =>
        FirstLine == LastLine ? $"seeds/{Seed} l.{FirstLine}" : $"seeds/{Seed} l.{FirstLine}-{LastLine}";

    [GeneratedRegex(@"^seeds/(?<seed>[0-9]{3}) l\.(?<first>[0-9]{1,6})(-(?<last>[0-9]{1,6}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}

/// <summary>
/// Where a policy entry's facts were checked against the seeds: the <see cref="Line"/> it rests on, or null where no
/// seed line supports it (then <see cref="Note"/> says why — a row the seeds do not list, a demo assumption), and the
/// day <see cref="Checked"/> someone read that line against the entry (its affair and its information kind).
/// </summary>
public sealed record SeedCitation(SeedLine? Line, DateOnly Checked, string? Note)
{
    /// <summary>
    /// Reads a policy entry's <c>sourceLine</c>, <c>citationChecked</c> and <c>citationNote</c> (each null when the entry
    /// does not have the property; a JSON null is an element of kind Null). None of the three: no citation (true, null).
    /// Once one is there, <c>citationChecked</c> must be a date (yyyy-MM-dd) and <c>sourceLine</c> must be written: a
    /// <see cref="SeedLine"/>, or null with a non-empty <c>citationNote</c> saying why no seed line supports the entry.
    /// The problem names the field and the rule, never the value written.
    /// </summary>
    public static bool TryRead(JsonElement? sourceLine, JsonElement? citationChecked, JsonElement? citationNote,
        out SeedCitation? citation, out string? problem)
    {
        citation = null;
        problem = null;
        string? note = null;
        if (citationNote is { ValueKind: not JsonValueKind.Null } noteElement)
        {
            if (noteElement.ValueKind != JsonValueKind.String) return Refuse("citationNote must be a string", out problem);
            note = string.IsNullOrWhiteSpace(noteElement.GetString()) ? null : noteElement.GetString()!.Trim();
        }
        if (sourceLine is null && citationChecked is null && citationNote is null) return true;
        if (citationChecked is not { } checkedElement)
            return Refuse("citationChecked is missing (yyyy-MM-dd: the day the citation was checked against the seed)", out problem);
        var checkedText = checkedElement.ValueKind == JsonValueKind.String ? checkedElement.GetString() : null;
        if (!DateOnly.TryParseExact(checkedText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var checkedOn))
            return Refuse("citationChecked is not a date (yyyy-MM-dd)", out problem);
        if (sourceLine is not { } lineElement)
            return Refuse($"sourceLine is missing ({SeedLine.Format}, or null with a citationNote saying why no seed line supports the entry)", out problem);
        if (lineElement.ValueKind == JsonValueKind.Null)
        {
            if (note is null) return Refuse("sourceLine is null but citationNote is missing (say why no seed line supports the entry)", out problem);
            citation = new SeedCitation(null, checkedOn, note);
            return true;
        }
        if (!SeedLine.TryParse(lineElement.ValueKind == JsonValueKind.String ? lineElement.GetString() : null, out var line))
            return Refuse($"sourceLine is not a seed line (expected {SeedLine.Format})", out problem);
        citation = new SeedCitation(line, checkedOn, note);
        return true;
    }

    private static bool Refuse(string why, out string? problem)
    {
        problem = why;
        return false;
    }
}
