using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Renkei.Core.Policy;
using Renkei.Network.Contracts;

namespace Renkei.Network.Policy;

/// <summary>
/// One policy file read in a single pass: its top-level properties, and the entries of its top-level arrays, each
/// with the line it starts on (counted from the JSON text as the reader moves forward, so errors can point at a row).
/// </summary>
internal sealed class PolicyJsonDocument
{
    private readonly Dictionary<string, (JsonElement Value, int Line)> _properties;
    private readonly Dictionary<string, List<(JsonElement, int)>> _arrays;

    private PolicyJsonDocument(string name, Dictionary<string, (JsonElement, int)> properties, Dictionary<string, List<(JsonElement, int)>> arrays)
    {
        Name = name;
        _properties = properties;
        _arrays = arrays;
    }

    public string Name { get; }

    public static PolicyJsonDocument Parse(ReadOnlySpan<byte> utf8, string name)
    {
        if (utf8.StartsWith(Encoding.UTF8.Preamble)) utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        var lines = new LineCounter(utf8);
        var properties = new Dictionary<string, (JsonElement, int)>(StringComparer.Ordinal);
        var arrays = new Dictionary<string, List<(JsonElement, int)>>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new PolicyValidationException(name, 1, "the file must hold one JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.GetString()!;
                var line = lines.LineAt(reader.TokenStartIndex);
                if (properties.ContainsKey(property))
                    throw new PolicyValidationException(name, line, $"the property \"{Clip(property)}\" appears twice");
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    // Keep each entry's line: read the entries one by one rather than the array as a whole.
                    var entries = new List<(JsonElement, int)>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var entryLine = lines.LineAt(reader.TokenStartIndex);
                        entries.Add((JsonElement.ParseValue(ref reader), entryLine));
                    }
                    arrays[property] = entries;
                    properties[property] = (default, line);
                }
                else
                {
                    properties[property] = (JsonElement.ParseValue(ref reader), line);
                }
            }
            if (reader.Read()) throw new PolicyValidationException(name, lines.LineAt(reader.TokenStartIndex), "content after the end of the JSON object");
        }
        catch (JsonException e)
        {
            throw new PolicyValidationException(name, (int?)e.LineNumber + 1, "not valid JSON: " + ClipJsonMessage(e.Message));
        }
        return new PolicyJsonDocument(name, properties, arrays);
    }

    public PolicyValidationException Error(int? line, string problem) => new(Name, line, problem);

    /// <summary>Top-level properties other than <paramref name="known"/> are errors: a typo must not drop a list silently.</summary>
    public void RefuseUnknownProperties(params string[] known)
    {
        foreach (var (property, (_, line)) in _properties)
            if (Array.IndexOf(known, property) < 0) throw Error(line, $"unknown property \"{Clip(property)}\" (expected: {string.Join(", ", known)})");
    }

    public string RequiredHeader(string property)
    {
        if (!_properties.TryGetValue(property, out var entry)) throw Error(1, $"the header \"{property}\" is missing");
        if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(entry.Value.GetString()))
            throw Error(entry.Line, $"the header \"{property}\" must be a non-empty string");
        return entry.Value.GetString()!.Trim();
    }

    public int LineOf(string property) => _properties.TryGetValue(property, out var entry) ? entry.Line : 1;

    public IReadOnlyList<(JsonElement Element, int Line)> Entries(string property)
    {
        if (!_arrays.TryGetValue(property, out var entries))
            throw Error(_properties.TryGetValue(property, out var entry) ? entry.Line : 1, $"the list \"{property}\" is missing (an array is expected)");
        if (entries.Count == 0) throw Error(LineOf(property), $"the list \"{property}\" is empty");
        return entries;
    }

    internal static string Clip(string? text) => text is null ? "" : text.Length > 60 ? text[..60] + "…" : text;

    private static string ClipJsonMessage(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return message.Length > 200 ? message[..200] + "…" : message;
    }

    /// <summary>Line numbers for byte offsets that only move forward.</summary>
    private sealed class LineCounter(ReadOnlySpan<byte> text)
    {
        private readonly byte[] _text = text.ToArray();
        private int _offset;
        private int _line = 1;

        public int LineAt(long offset)
        {
            var end = (int)Math.Min(offset, _text.Length);
            if (end > _offset)
            {
                _line += _text.AsSpan(_offset, end - _offset).Count((byte)'\n');
                _offset = end;
            }
            return _line;
        }
    }
}

/// <summary>
/// The properties of one entry (a catalogue affair or kind, a policy row), each read at most once; what was not
/// read is an unknown property and an error. Every error names the file, the entry's line and the entry.
/// </summary>
internal sealed partial class PolicyJsonEntry
{
    /// <summary>The classes that inquire or provide: J-LIS (NumberingAuthority) and the portal never appear in a row.</summary>
    private static readonly Dictionary<string, InstitutionClass> Classes =
        Enum.GetValues<InstitutionClass>().Where(c => c is not (InstitutionClass.NumberingAuthority or InstitutionClass.Portal))
            .ToDictionary(c => c.ToString(), StringComparer.Ordinal);

    private readonly PolicyJsonDocument _document;
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public PolicyJsonEntry(PolicyJsonDocument document, string list, int position, JsonElement element, int line)
    {
        _document = document;
        Line = line;
        Where = $"{list} entry {position}";
        if (element.ValueKind != JsonValueKind.Object) throw Fail("is not an object");
        foreach (var property in element.EnumerateObject())
            if (!_properties.TryAdd(property.Name, property.Value)) throw Fail($"the property \"{PolicyJsonDocument.Clip(property.Name)}\" appears twice");
    }

    public int Line { get; }

    /// <summary>"rows entry 3" or, once known, "rows entry 3 (b2-074-01)".</summary>
    public string Where { get; private set; }

    public void Identify(string id) => Where = $"{Where} ({id})";

    public PolicyValidationException Fail(string problem) => _document.Error(Line, $"{Where}: {problem}");

    private JsonElement? Get(string property)
    {
        _read.Add(property);
        return _properties.TryGetValue(property, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public string RequiredString(string property, string? missing = null)
    {
        var value = Get(property);
        if (value is null) throw Fail(missing ?? $"{property} is missing");
        if (value.Value.ValueKind != JsonValueKind.String) throw Fail($"{property} must be a string");
        var text = value.Value.GetString()!.Trim();
        return text.Length > 0 ? text : throw Fail(missing ?? $"{property} is empty");
    }

    public string? OptionalString(string property)
    {
        var value = Get(property);
        if (value is null) return null;
        if (value.Value.ValueKind != JsonValueKind.String) throw Fail($"{property} must be a string or null");
        var text = value.Value.GetString()!.Trim();
        return text.Length > 0 ? text : null;
    }

    public bool RequiredBool(string property) => Get(property) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        null => throw Fail($"{property} is missing (true or false)"),
        _ => throw Fail($"{property} must be true or false"),
    };

    /// <summary>A lower-case ASCII code (words joined by hyphens, at most 64 characters).</summary>
    public string Code(string property)
    {
        var code = RequiredString(property);
        return CodePattern().IsMatch(code) && code.Length <= 64
            ? code
            : throw Fail($"{property} \"{PolicyJsonDocument.Clip(code)}\" must be lower-case ASCII words joined by hyphens (at most 64 characters)");
    }

    public InstitutionClass Class(string property)
    {
        var name = RequiredString(property);
        return ParseClass(name) ?? throw Fail($"{property} \"{PolicyJsonDocument.Clip(name)}\" is not a class that inquires or provides ({string.Join(", ", Classes.Keys)})");
    }

    public IReadOnlyList<InstitutionClass> ClassList(string property)
    {
        var value = Get(property);
        if (value is not { ValueKind: JsonValueKind.Array } array || array.GetArrayLength() == 0)
            throw Fail($"{property} must list at least one institution class");
        var classes = new List<InstitutionClass>();
        foreach (var item in array.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            var parsed = ParseClass(name) ?? throw Fail($"{property} names \"{PolicyJsonDocument.Clip(name ?? item.ToString())}\", not a class that inquires or provides ({string.Join(", ", Classes.Keys)})");
            if (classes.Contains(parsed)) throw Fail($"{property} names {parsed} twice");
            classes.Add(parsed);
        }
        return classes;
    }

    public DateOnly? Date(string property, bool required)
    {
        var value = Get(property);
        if (value is null) return required ? throw Fail($"{property} is missing (yyyy-MM-dd)") : null;
        var text = value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw Fail($"{property} \"{PolicyJsonDocument.Clip(text ?? value.Value.ToString())}\" is not a date (yyyy-MM-dd)");
    }

    /// <summary>
    /// The entry's citation of the seeds (<c>sourceLine</c>, <c>citationChecked</c>, <c>citationNote</c>; the rules of
    /// <see cref="SeedCitation.TryRead"/>): null when the entry has none of the three.
    /// </summary>
    public SeedCitation? Citation() =>
        SeedCitation.TryRead(Raw("sourceLine"), Raw("citationChecked"), Raw("citationNote"), out var citation, out var problem)
            ? citation
            : throw Fail(problem!);

    /// <summary>The property as written, a JSON null included; null when the entry does not have it.</summary>
    private JsonElement? Raw(string property)
    {
        _read.Add(property);
        return _properties.TryGetValue(property, out var value) ? value : null;
    }

    /// <summary>Call after reading every known property.</summary>
    public void RefuseUnknownProperties()
    {
        foreach (var property in _properties.Keys)
            if (!_read.Contains(property)) throw Fail($"unknown property \"{PolicyJsonDocument.Clip(property)}\"");
    }

    private static InstitutionClass? ParseClass(string? name) => name is not null && Classes.TryGetValue(name, out var c) ? c : null;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex CodePattern();
}
