using System.Text.Json;
using System.Text.RegularExpressions;

namespace Renkei.Intermediate.Kinds;

/// <summary>An information kind (情報の種類) and its compiled schema.</summary>
public sealed class InformationKind
{
    internal InformationKind(string code, string name, JsonElement schemaJson, JsonSchemaNode schema)
    {
        Code = code;
        Name = name;
        SchemaJson = schemaJson;
        Schema = schema;
    }

    public string Code { get; }
    public string Name { get; }
    public JsonElement SchemaJson { get; }
    public JsonSchemaNode Schema { get; }

    /// <summary>
    /// Everything wrong with <paramref name="body"/>: forbidden content (a name-like property, an individual number in any
    /// string) and schema violations, with paths under <paramref name="path"/>. Empty when the body may be stored.
    /// </summary>
    public List<ValidationError> Validate(JsonElement body, string path = "$")
    {
        var errors = new List<ValidationError>();
        Validate(body, path, errors);
        return errors;
    }

    /// <summary>Adds what is wrong with <paramref name="body"/> to <paramref name="errors"/>.</summary>
    public void Validate(JsonElement body, string path, List<ValidationError> errors) => Schema.Validate(body, path, errors);
}

/// <summary>
/// The information kinds an intermediate server accepts, each with the JSON schema its copies' bodies must follow,
/// loaded from policy/intermediate/information-kinds.json (embedded) or a deployment's own file. The file is checked
/// whole at load: a malformed file, an unsupported schema keyword, a schema property named like one of the four basic
/// facts, a free-text string or an open object refuses it, and the error names the file and the kind.
/// </summary>
public sealed partial class InformationKindCatalogue
{
    public const string DefaultResource = "policy/intermediate/information-kinds.json";

    private readonly Dictionary<string, InformationKind> _kinds;

    private InformationKindCatalogue(string version, string source, List<InformationKind> kinds)
    {
        Version = version;
        Source = source;
        Kinds = kinds;
        _kinds = kinds.ToDictionary(k => k.Code, StringComparer.Ordinal);
    }

    public string Version { get; }
    public string Source { get; }
    public IReadOnlyList<InformationKind> Kinds { get; }

    public InformationKind? Find(string code) => _kinds.GetValueOrDefault(code);

    /// <summary>The shipped kinds (embedded from policy/intermediate/information-kinds.json).</summary>
    public static InformationKindCatalogue LoadDefault()
    {
        using var stream = typeof(InformationKindCatalogue).Assembly.GetManifestResourceStream(DefaultResource)
            ?? throw new InvalidOperationException($"the embedded resource {DefaultResource} is missing");
        return Load(stream, DefaultResource);
    }

    public static InformationKindCatalogue Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Load(stream, path);
    }

    /// <param name="fileName">Named in every error message.</param>
    public static InformationKindCatalogue Load(Stream stream, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new SchemaDefinitionException($"{fileName}: not valid JSON (line {e.LineNumber + 1}): {TrimPath(e.Message)}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new SchemaDefinitionException($"{fileName}: the file is a JSON object");
            foreach (var property in root.EnumerateObject())
                if (property.Name is not ("version" or "source" or "note" or "kinds"))
                    throw new SchemaDefinitionException($"{fileName}: unknown property '{property.Name}'");
            var version = RequiredString(root, "version", fileName);
            var source = RequiredString(root, "source", fileName);
            if (!root.TryGetProperty("kinds", out var kindsElement) || kindsElement.ValueKind != JsonValueKind.Array || kindsElement.GetArrayLength() == 0)
                throw new SchemaDefinitionException($"{fileName}: 'kinds' is a non-empty list");
            var kinds = new List<InformationKind>();
            var index = 0;
            foreach (var entry in kindsElement.EnumerateArray())
            {
                var where = $"{fileName}: kinds[{index++}]";
                if (entry.ValueKind != JsonValueKind.Object) throw new SchemaDefinitionException($"{where}: an entry is a JSON object");
                foreach (var property in entry.EnumerateObject())
                    if (property.Name is not ("code" or "name" or "schema" or "note"))
                        throw new SchemaDefinitionException($"{where}: unknown property '{property.Name}'");
                var code = RequiredString(entry, "code", where);
                if (code.Length > 64 || !CodePattern().IsMatch(code))
                    throw new SchemaDefinitionException($"{where}: code '{code}' is not lower-case ASCII words joined by hyphens (at most 64 characters)");
                where = $"{fileName}: kind '{code}'";
                if (kinds.Any(k => k.Code == code)) throw new SchemaDefinitionException($"{where}: the code appears twice");
                var name = RequiredString(entry, "name", where);
                if (!entry.TryGetProperty("schema", out var schemaElement)) throw new SchemaDefinitionException($"{where}: 'schema' is missing");
                var schema = JsonSchemaNode.Compile(schemaElement, where);
                if (!schema.IsClosedObject)
                    throw new SchemaDefinitionException($"{where}: schema $: a body is an object with additionalProperties false");
                CheckPropertyNames(schemaElement, where, "$");
                kinds.Add(new InformationKind(code, name, schemaElement.Clone(), schema));
            }
            return new InformationKindCatalogue(version, source, kinds);
        }
    }

    /// <summary>No schema may even declare a property named like a basic fact or a number.</summary>
    private static void CheckPropertyNames(JsonElement schema, string where, string path)
    {
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            foreach (var property in properties.EnumerateObject())
            {
                if (ForbiddenContent.IsForbiddenPropertyName(property.Name))
                    throw new SchemaDefinitionException(
                        $"{where}: schema {path}.{property.Name}: a copy may not hold a name, kana, address, birth date, sex or individual number");
                CheckPropertyNames(property.Value, where, path + "." + property.Name);
            }
        if (schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object)
            CheckPropertyNames(items, where, path + "[]");
    }

    private static string RequiredString(JsonElement element, string property, string where) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new SchemaDefinitionException($"{where}: '{property}' is a non-empty string");

    private static string TrimPath(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
    private static partial Regex CodePattern();
}
