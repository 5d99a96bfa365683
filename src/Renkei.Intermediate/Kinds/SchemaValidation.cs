using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Kinds;

/// <summary>
/// One thing wrong with a copy's body: where (a JSON path such as <c>$.householdMemberAddresseeNumbers[2]</c>),
/// which rule (<c>type</c>, <c>required</c>, <c>minimum</c>, <c>forbidden-property</c>, <c>individual-number</c> …)
/// and a message in English and Japanese. Messages name rules and limits, never the value that broke them.
/// </summary>
public sealed record ValidationError(string Path, string Rule, string Message)
{
    public override string ToString() => $"{Path}: {Rule}: {Message}";
}

/// <summary>A kind's schema file is wrong: the message names the file, the kind and the JSON path in the schema.</summary>
public sealed class SchemaDefinitionException(string message) : Exception(message);

/// <summary>
/// The subset of JSON Schema the information-kind schemas use: <c>type</c> (one or a list of object, array, string,
/// integer, number, boolean, null), <c>required</c>, <c>properties</c>, <c>additionalProperties</c> (true/false),
/// <c>items</c>, <c>enum</c>, <c>minimum</c>, <c>maximum</c>, <c>minLength</c>, <c>maxLength</c>, <c>maxItems</c>,
/// <c>pattern</c>, <c>format</c> (<c>date</c> only); <c>title</c> and <c>description</c> are annotations. Any other
/// keyword refuses the schema, so a typo cannot silently weaken validation.
/// </summary>
public sealed class JsonSchemaNode
{
    private const int MaxErrors = 20;

    [Flags]
    private enum JsonTypes
    {
        None = 0,
        Object = 1,
        Array = 2,
        String = 4,
        Integer = 8,
        Number = 16,
        Boolean = 32,
        Null = 64,
        Any = Object | Array | String | Integer | Number | Boolean | Null,
    }

    private static readonly HashSet<string> Keywords =
    [
        "type", "required", "properties", "additionalProperties", "items", "enum", "minimum", "maximum",
        "minLength", "maxLength", "maxItems", "pattern", "format", "title", "description",
    ];

    private JsonTypes _types = JsonTypes.Any;
    private Dictionary<string, JsonSchemaNode>? _properties;
    private Declared[] _declared = [];
    private string[] _required = [];
    private bool _additionalProperties = true;
    private JsonSchemaNode? _items;
    private JsonElement[]? _enum;
    private decimal? _minimum;
    private decimal? _maximum;
    private long _minimumInt64 = long.MinValue; // the bounds for integers, compared without decimal arithmetic
    private long _maximumInt64 = long.MaxValue;
    private int? _minLength;
    private int? _maxLength;
    private int? _maxItems;
    private Regex? _pattern;
    private string? _patternText;
    private bool _formatDate;

    private JsonSchemaNode() { }

    /// <summary>A declared property: its UTF-8 name (looked up without allocating) and whether it is required.</summary>
    private sealed record Declared(string Name, byte[] Utf8Name, JsonSchemaNode Schema, bool Required);

    /// <summary>The property names this node declares (empty for non-objects).</summary>
    public IEnumerable<string> PropertyNames => _properties?.Keys ?? Enumerable.Empty<string>();

    /// <summary>True when the node allows only objects and refuses properties it does not declare.</summary>
    public bool IsClosedObject => _types == JsonTypes.Object && !_additionalProperties;

    /// <summary>Compiles a schema. <paramref name="where"/> prefixes error messages (file and kind).</summary>
    public static JsonSchemaNode Compile(JsonElement schema, string where) => Compile(schema, where, "$");

    private static JsonSchemaNode Compile(JsonElement schema, string where, string path)
    {
        SchemaDefinitionException Fail(string message) => new($"{where}: schema {path}: {message}");
        if (schema.ValueKind != JsonValueKind.Object) throw Fail("a schema is a JSON object");
        var node = new JsonSchemaNode();
        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Keywords.Contains(keyword.Name)) throw Fail($"unsupported keyword '{keyword.Name}'");
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    node._types = JsonTypes.None;
                    if (value.ValueKind == JsonValueKind.String) node._types = ParseType(value.GetString()!, Fail);
                    else if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
                        foreach (var item in value.EnumerateArray())
                            node._types |= item.ValueKind == JsonValueKind.String ? ParseType(item.GetString()!, Fail) : throw Fail("type names are strings");
                    else throw Fail("type is a type name or a non-empty list of them");
                    break;
                case "required":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
                        throw Fail("required is a list of property names");
                    node._required = value.EnumerateArray().Select(e => e.GetString()!).ToArray();
                    break;
                case "properties":
                    if (value.ValueKind != JsonValueKind.Object) throw Fail("properties is an object");
                    node._properties = new Dictionary<string, JsonSchemaNode>(StringComparer.Ordinal);
                    foreach (var property in value.EnumerateObject())
                        node._properties[property.Name] = Compile(property.Value, where, path + "." + property.Name);
                    break;
                case "additionalProperties":
                    node._additionalProperties = value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => throw Fail("additionalProperties is true or false"),
                    };
                    break;
                case "items":
                    node._items = Compile(value, where, path + "[]");
                    break;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0) throw Fail("enum is a non-empty list");
                    node._enum = value.EnumerateArray().Select(e => e.Clone()).ToArray();
                    break;
                case "minimum":
                    node._minimum = value.ValueKind == JsonValueKind.Number ? value.GetDecimal() : throw Fail("minimum is a number");
                    break;
                case "maximum":
                    node._maximum = value.ValueKind == JsonValueKind.Number ? value.GetDecimal() : throw Fail("maximum is a number");
                    break;
                case "minLength":
                    node._minLength = NonNegative(value, "minLength", Fail);
                    break;
                case "maxLength":
                    node._maxLength = NonNegative(value, "maxLength", Fail);
                    break;
                case "maxItems":
                    node._maxItems = NonNegative(value, "maxItems", Fail);
                    break;
                case "pattern":
                    if (value.ValueKind != JsonValueKind.String) throw Fail("pattern is a string");
                    node._patternText = value.GetString()!;
                    try
                    {
                        node._pattern = new Regex(node._patternText, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                    }
                    catch (ArgumentException e)
                    {
                        throw Fail("pattern is not a valid regular expression: " + e.Message);
                    }
                    break;
                case "format":
                    if (value.ValueKind != JsonValueKind.String || value.GetString() != "date") throw Fail("the only supported format is 'date'");
                    node._formatDate = true;
                    break;
                case "title":
                case "description":
                    if (value.ValueKind != JsonValueKind.String) throw Fail($"{keyword.Name} is a string");
                    break;
            }
        }
        foreach (var name in node._required)
            if (node._properties is null || !node._properties.ContainsKey(name))
                throw Fail($"required property '{name}' is not declared in properties");
        if (node._minimum > node._maximum) throw Fail("minimum is greater than maximum");
        if (node._minimum is { } min) node._minimumInt64 = min <= long.MinValue ? long.MinValue : (long)Math.Ceiling(Math.Min(min, long.MaxValue));
        if (node._maximum is { } max) node._maximumInt64 = max >= long.MaxValue ? long.MaxValue : (long)Math.Floor(Math.Max(max, long.MinValue));
        node._declared = node._properties?.Select(p => new Declared(p.Key, System.Text.Encoding.UTF8.GetBytes(p.Key), p.Value, node._required.Contains(p.Key))).ToArray() ?? [];
        if ((node._types & JsonTypes.String) != 0 && node._enum is null && node._pattern is null && !node._formatDate)
            throw Fail("a string needs enum, pattern or format: free text could carry a name or an address");
        if (node._types.HasFlag(JsonTypes.Object) && node._additionalProperties)
            throw Fail("an object needs additionalProperties false: undeclared properties could carry a name or an address");
        return node;
    }

    private static int NonNegative(JsonElement value, string keyword, Func<string, SchemaDefinitionException> fail) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= 0 ? n : throw fail($"{keyword} is a non-negative integer");

    private static JsonTypes ParseType(string name, Func<string, SchemaDefinitionException> fail) => name switch
    {
        "object" => JsonTypes.Object,
        "array" => JsonTypes.Array,
        "string" => JsonTypes.String,
        "integer" => JsonTypes.Integer,
        "number" => JsonTypes.Number,
        "boolean" => JsonTypes.Boolean,
        "null" => JsonTypes.Null,
        _ => throw fail($"unknown type '{name}'"),
    };

    /// <summary>
    /// Checks <paramref name="value"/> against this schema and, on the way, against <see cref="ForbiddenContent"/>: every
    /// string is checked for an individual number, every number for twelve integer digits, every undeclared property for
    /// a forbidden name (declared names were checked when the schema loaded). Adds what is wrong to <paramref name="errors"/> (at most 20).
    /// </summary>
    public void Validate(JsonElement value, string path, List<ValidationError> errors) => Validate(value, new JsonPath(null, path, -1), errors);

    private void Validate(JsonElement value, JsonPath path, List<ValidationError> errors)
    {
        if (errors.Count >= MaxErrors) return;
        var actual = TypeOf(value);
        if ((_types & actual) == 0 && !(actual == JsonTypes.Integer && (_types & JsonTypes.Number) != 0))
        {
            errors.Add(new ValidationError(path.ToString(), "type", $"expected {Describe(_types)} (型が正しくありません)"));
            ForbiddenContent.Check(value, path.ToString(), errors); // still say so if it carries a number or a name
            return;
        }
        if (actual is JsonTypes.Integer or JsonTypes.Number && ForbiddenContent.IsTwelveDigitInteger(value))
        {
            errors.Add(new ValidationError(path.ToString(), "individual-number", ForbiddenContent.NumericNumberMessage));
            return;
        }
        if (_enum is not null && !_enum.Any(allowed => SameValue(allowed, value)))
            errors.Add(new ValidationError(path.ToString(), "enum", "not one of the values the schema allows (許可された値ではありません)"));
        switch (actual)
        {
            case JsonTypes.Object:
                ValidateObject(value, path, errors);
                break;
            case JsonTypes.Array:
                if (_maxItems is { } maxItems && value.GetArrayLength() > maxItems)
                    errors.Add(new ValidationError(path.ToString(), "maxItems", $"more than {maxItems} items (要素が多すぎます)"));
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    var itemPath = new JsonPath(path, null, index++);
                    if (_items is not null) _items.Validate(item, itemPath, errors);
                    else ForbiddenContent.Check(item, itemPath.ToString(), errors);
                }
                break;
            case JsonTypes.String:
                ValidateString(value.GetString()!, path, errors);
                break;
            case JsonTypes.Integer:
                var integer = value.GetInt64();
                if (integer < _minimumInt64)
                    errors.Add(new ValidationError(path.ToString(), "minimum", $"must be at least {_minimum!.Value.ToString(CultureInfo.InvariantCulture)} (最小値未満です)"));
                if (integer > _maximumInt64)
                    errors.Add(new ValidationError(path.ToString(), "maximum", $"must be at most {_maximum!.Value.ToString(CultureInfo.InvariantCulture)} (最大値を超えています)"));
                break;
            case JsonTypes.Number:
                if (_minimum is { } minimum && (!value.TryGetDecimal(out var low) || low < minimum))
                    errors.Add(new ValidationError(path.ToString(), "minimum", $"must be at least {minimum.ToString(CultureInfo.InvariantCulture)} (最小値未満です)"));
                if (_maximum is { } maximum && (!value.TryGetDecimal(out var high) || high > maximum))
                    errors.Add(new ValidationError(path.ToString(), "maximum", $"must be at most {maximum.ToString(CultureInfo.InvariantCulture)} (最大値を超えています)"));
                break;
        }
    }

    private void ValidateObject(JsonElement value, JsonPath path, List<ValidationError> errors)
    {
        var found = 0;
        foreach (var declared in _declared)
        {
            if (value.TryGetProperty(declared.Utf8Name, out var property))
            {
                found++;
                declared.Schema.Validate(property, new JsonPath(path, declared.Name, -1), errors);
            }
            else if (declared.Required)
                errors.Add(new ValidationError(new JsonPath(path, declared.Name, -1).ToString(), "required", "required property is missing (必須項目がありません)"));
        }
        var total = 0;
        foreach (var _ in value.EnumerateObject()) total++;
        if (total == found) return;
        // Rare: undeclared or repeated properties. Names are compared without trusting them into the path.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var where = PathOf(path.ToString(), property.Name);
            var isDeclared = _declared.Any(d => property.NameEquals(d.Utf8Name));
            if (!seen.Add(property.Name))
                errors.Add(new ValidationError(where, "duplicate", "the property appears more than once (項目が重複しています)"));
            if (isDeclared) continue;
            if (ForbiddenContent.IsForbiddenPropertyName(property.Name))
                errors.Add(new ValidationError(where, "forbidden-property", ForbiddenContent.PropertyMessage));
            else if (ForbiddenContent.ContainsIndividualNumber(property.Name))
                errors.Add(new ValidationError(where, "individual-number", ForbiddenContent.NameNumberMessage));
            if (!_additionalProperties) errors.Add(new ValidationError(where, "additionalProperties", "property not declared by the schema (スキーマにない項目です)"));
            ForbiddenContent.Check(property.Value, where, errors);
        }
    }

    private void ValidateString(string text, JsonPath path, List<ValidationError> errors)
    {
        if (ForbiddenContent.ContainsIndividualNumber(text))
        {
            errors.Add(new ValidationError(path.ToString(), "individual-number", ForbiddenContent.ValueNumberMessage));
            return;
        }
        if (_minLength is { } minLength && text.Length < minLength)
            errors.Add(new ValidationError(path.ToString(), "minLength", $"shorter than {minLength} characters (文字数が足りません)"));
        if (_maxLength is { } maxLength && text.Length > maxLength)
            errors.Add(new ValidationError(path.ToString(), "maxLength", $"longer than {maxLength} characters (文字数が多すぎます)"));
        if (_pattern is not null)
        {
            bool matches;
            try { matches = _pattern.IsMatch(text); }
            catch (RegexMatchTimeoutException) { matches = false; }
            if (!matches) errors.Add(new ValidationError(path.ToString(), "pattern", $"does not match the pattern {_patternText} (形式が正しくありません)"));
        }
        if (_formatDate && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            errors.Add(new ValidationError(path.ToString(), "format", "not a date in YYYY-MM-DD form (日付の形式が正しくありません)"));
    }

    /// <summary>A JSON path built only when an error needs it: a parent, then a declared property name or an index.</summary>
    private sealed class JsonPath(JsonPath? parent, string? name, int index)
    {
        public override string ToString() =>
            parent is null ? name! : name is not null ? parent + "." + name : parent + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";
    }

    /// <summary>
    /// A property name goes into the path only when it looks like an identifier; anything else (it could be a name
    /// or a number someone sent by mistake) is shown as a placeholder.
    /// </summary>
    internal static string PathOf(string path, string property) =>
        Renkei.ServiceDefaults.ErrorResponses.IsShowableName(property) ? path + "." + property : path + ".<property>";

    private static JsonTypes TypeOf(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => JsonTypes.Object,
        JsonValueKind.Array => JsonTypes.Array,
        JsonValueKind.String => JsonTypes.String,
        JsonValueKind.Number => value.TryGetInt64(out _) ? JsonTypes.Integer : JsonTypes.Number,
        JsonValueKind.True or JsonValueKind.False => JsonTypes.Boolean,
        _ => JsonTypes.Null,
    };

    private static bool SameValue(JsonElement allowed, JsonElement value)
    {
        if (allowed.ValueKind != value.ValueKind) return false;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.ValueEquals(allowed.GetString()),
            JsonValueKind.Number => allowed.TryGetDecimal(out var a) && value.TryGetDecimal(out var b) && a == b,
            JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
            _ => allowed.GetRawText() == value.GetRawText(),
        };
    }

    private static string Describe(JsonTypes types)
    {
        var names = new List<string>();
        foreach (var (flag, name) in new[]
                 {
                     (JsonTypes.Object, "object"), (JsonTypes.Array, "array"), (JsonTypes.String, "string"), (JsonTypes.Integer, "integer"),
                     (JsonTypes.Number, "number"), (JsonTypes.Boolean, "boolean"), (JsonTypes.Null, "null"),
                 })
            if ((types & flag) != 0) names.Add(name);
        return string.Join(" or ", names);
    }
}
