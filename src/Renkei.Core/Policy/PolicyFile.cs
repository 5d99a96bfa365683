using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Renkei.Core.Policy;

/// <summary>A policy data file that cannot be used: names the file, and the line and entry where known.</summary>
public sealed class PolicyFileException(string file, int? line, string problem)
    : Exception(line is null ? $"{file}: {problem}" : $"{file} line {line}: {problem}")
{
    public string File { get; } = file;
    public int? Line { get; } = line;
    public string Problem { get; } = problem;
}

/// <summary>
/// Reads the JSON policy files under policy/: one top-level object with string headers
/// (<c>version</c>, <c>source</c> …) and arrays of entries. Each entry is deserialised on its own
/// so an error can name its line; unknown properties are errors (a typo must not silently drop a rule).
/// </summary>
public sealed partial class PolicyFile
{
    private static readonly JsonSerializerOptions EntryOptions = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private readonly JsonElement _root;
    private readonly Dictionary<string, List<int>> _entryLines;
    private readonly int[] _newlines;

    private PolicyFile(string name, JsonElement root, Dictionary<string, List<int>> entryLines, int[] newlines)
    {
        Name = name;
        _root = root;
        _entryLines = entryLines;
        _newlines = newlines;
    }

    public string Name { get; }

    public static PolicyFile Parse(byte[] utf8, string name)
    {
        var span = utf8.AsSpan();
        if (span.StartsWith(Encoding.UTF8.Preamble)) span = span[Encoding.UTF8.Preamble.Length..];
        var newlines = new List<int>();
        for (var i = 0; i < span.Length; i++) if (span[i] == (byte)'\n') newlines.Add(i);

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(span.ToArray());
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new PolicyFileException(name, (int?)e.LineNumber + 1, "not valid JSON: " + Clip(e.Message));
        }
        if (root.ValueKind != JsonValueKind.Object) throw new PolicyFileException(name, 1, "the file must hold one JSON object");

        // Second pass: where each entry of each top-level array starts.
        var lines = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(span);
        string? property = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1) property = reader.GetString();
            else if (reader.TokenType == JsonTokenType.StartArray && reader.CurrentDepth == 1 && property is not null) lines[property] = [];
            else if (reader.CurrentDepth == 2 && property is not null && lines.TryGetValue(property, out var list)
                     && reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                list.Add(LineOf(newlines, (int)reader.TokenStartIndex));
                reader.Skip();
            }
        }
        return new PolicyFile(name, root, lines, [.. newlines]);
    }

    private static int LineOf(List<int> newlines, int offset)
    {
        var index = newlines.BinarySearch(offset);
        return (index < 0 ? ~index : index) + 1;
    }

    public PolicyFileException Error(string problem, int? line = null) => new(Name, line, problem);

    public string RequiredString(string property)
    {
        if (!_root.TryGetProperty(property, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
            throw Error($"the header \"{property}\" is missing or empty", 1);
        return value.GetString()!.Trim();
    }

    public string? OptionalString(string property) =>
        _root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The entries of a top-level array, each with its line and position (1-based).</summary>
    public IEnumerable<(T Entry, int Line, int Position)> Entries<T>(string property) where T : class
    {
        if (!_root.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
            throw Error($"the list \"{property}\" is missing", 1);
        var lines = _entryLines.GetValueOrDefault(property) ?? [];
        var position = 0;
        foreach (var element in array.EnumerateArray())
        {
            var line = position < lines.Count ? lines[position] : 1;
            position++;
            if (element.ValueKind != JsonValueKind.Object) throw Error($"{property} entry {position} is not an object", line);
            T? entry;
            try
            {
                entry = element.Deserialize<T>(EntryOptions);
            }
            catch (JsonException e)
            {
                throw Error($"{property} entry {position}: {Clip(e.Message)}", line);
            }
            yield return (entry ?? throw Error($"{property} entry {position} is empty", line), line, position);
        }
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex CodePattern();

    /// <summary>Codes are lower-case ASCII words joined by hyphens, at most 64 characters.</summary>
    public static bool IsCode(string? text) => text is { Length: > 0 and <= 64 } && CodePattern().IsMatch(text);

    public static DateOnly? ParseDate(string? text, out bool valid)
    {
        valid = true;
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        valid = false;
        return null;
    }

    /// <summary>
    /// An entry's citation of the seeds (<see cref="SeedCitation.TryRead"/>) from its deserialised <c>sourceLine</c>,
    /// <c>citationChecked</c> and <c>citationNote</c> (an absent property is an undefined element, a JSON null a Null one).
    /// </summary>
    public static SeedCitation? Citation(JsonElement sourceLine, JsonElement citationChecked, JsonElement citationNote, Func<string, PolicyFileException> fail)
    {
        static JsonElement? Written(JsonElement element) => element.ValueKind == JsonValueKind.Undefined ? null : element;
        return SeedCitation.TryRead(Written(sourceLine), Written(citationChecked), Written(citationNote), out var citation, out var problem)
            ? citation
            : throw fail(problem!);
    }

    private static string Clip(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0) message = message[..cut];
        return message.Length > 200 ? message[..200] + "…" : message;
    }
}
