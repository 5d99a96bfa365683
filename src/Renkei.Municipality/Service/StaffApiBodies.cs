using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Service;

/// <summary>A staff API body read and checked, or why it was refused (a stable code, the status, a message naming the field).</summary>
internal sealed record StaffApiBody<T>(T? Value, int Status, string? Code, string? Message) where T : class
{
    public bool Refused => Value is null;
}

/// <summary>
/// Reads the JSON body of a staff API request at the edge, before anything is decided or stored:
/// <list type="bullet">
/// <item>at most <see cref="RegisterInputRules.MaxRequestBodyBytes"/> bytes (413 <c>body-too-large</c>, read no further);</item>
/// <item><c>Content-Type: application/json</c> and one JSON object (400 <c>empty-body</c> / <c>malformed-json</c>);</item>
/// <item>every required field present and not null (400 <c>missing-field</c> naming it): a constructor parameter of the
/// request record (or of a record nested in it) with no default value whose type is not nullable — so a missing
/// <c>date</c> is refused instead of becoming 0001-01-01;</item>
/// <item>every value of the right form, enums among their defined names (400 <c>bad-field</c> naming it).</item>
/// </list>
/// Messages name fields by their canonical camelCase names only, never repeat a value, and carry no exception text.
/// </summary>
internal static class StaffApiBodies
{
    private static readonly ConcurrentDictionary<Type, RecordShape> Shapes = new();

    public static async Task<StaffApiBody<T>> ReadAsync<T>(HttpContext http) where T : class
    {
        var request = http.Request;
        if (request.ContentLength is > RegisterInputRules.MaxRequestBodyBytes) return TooLarge<T>();
        if (!request.HasJsonContentType())
            return new(null, StatusCodes.Status400BadRequest, "empty-body",
                "a JSON body with Content-Type: application/json is required (JSONのリクエスト本文が必要です)");

        // A bounded read: one byte past the limit is enough to refuse, whatever Content-Length said (or if it said nothing).
        var buffer = new byte[RegisterInputRules.MaxRequestBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted)) > 0) length += read;
        if (length > RegisterInputRules.MaxRequestBodyBytes) return TooLarge<T>();

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return BadRequest<T>("malformed-json", "the body is not well-formed JSON (JSONの形式が正しくありません)");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return BadRequest<T>("malformed-json", "the body must be one JSON object (JSONオブジェクトが必要です)");
            var shape = Shape(typeof(T));
            if (shape.FirstMissing(document.RootElement, "") is { } missing)
                return BadRequest<T>("missing-field", $"{missing} is required ({missing} がありません)");
            T? value;
            try
            {
                value = document.RootElement.Deserialize<T>(JsonDefaults.Options);
            }
            catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or ArgumentException or FormatException or OverflowException)
            {
                var field = (e as JsonException)?.Path is { } path ? shape.Canonical(path) : null;
                return BadRequest<T>("bad-field", field is null
                    ? "a field has the wrong JSON type or form (項目の形式が正しくありません)"
                    : $"{field} has the wrong JSON type or form ({field} の形式が正しくありません)");
            }
            if (value is null) return BadRequest<T>("malformed-json", "the body must be one JSON object (JSONオブジェクトが必要です)");
            if (shape.FirstUndefinedEnum(value, "") is { } badEnum)
                return BadRequest<T>("bad-field", $"{badEnum} is not one of its allowed values ({badEnum} の値が正しくありません)");
            return new(value, StatusCodes.Status200OK, null, null);
        }
    }

    private static StaffApiBody<T> TooLarge<T>() where T : class =>
        new(null, StatusCodes.Status413PayloadTooLarge, "body-too-large",
            $"the body is larger than {RegisterInputRules.MaxRequestBodyBytes / 1024} KiB (リクエスト本文が大きすぎます)");

    private static StaffApiBody<T> BadRequest<T>(string code, string message) where T : class => new(null, StatusCodes.Status400BadRequest, code, message);

    private static RecordShape Shape(Type type) => Shapes.GetOrAdd(type, t => new RecordShape(t));

    /// <summary>What the checks need to know about one request record: its fields, which are required, and nested records.</summary>
    private sealed class RecordShape
    {
        private readonly List<(string Name, PropertyInfo Property, bool Required, RecordShape? Nested)> _fields = [];

        public RecordShape(Type type)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
            var parameters = constructor?.GetParameters().ToDictionary(p => p.Name!, StringComparer.OrdinalIgnoreCase) ?? [];
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is null) continue;
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                var required = parameters.TryGetValue(property.Name, out var parameter) && !parameter.HasDefaultValue && !IsNullable(parameter);
                var nested = IsRequestRecord(property.PropertyType) ? new RecordShape(property.PropertyType) : null;
                _fields.Add((name, property, required, nested));
            }
        }

        /// <summary>The path of the first required field that is absent or null (property names are matched case-insensitively, as the serializer does).</summary>
        public string? FirstMissing(JsonElement element, string prefix)
        {
            foreach (var (name, _, required, nested) in _fields)
            {
                var found = Find(element, name);
                if (found is null || found.Value.ValueKind == JsonValueKind.Null)
                {
                    if (required) return prefix + name;
                    continue;
                }
                if (nested is not null && found.Value.ValueKind == JsonValueKind.Object && nested.FirstMissing(found.Value, prefix + name + ".") is { } inner)
                    return inner;
            }
            return null;
        }

        /// <summary>The path of the first enum value that is not a defined member (a number the serializer let through).</summary>
        public string? FirstUndefinedEnum(object value, string prefix)
        {
            foreach (var (name, property, _, nested) in _fields)
            {
                var current = property.GetValue(value);
                if (current is null) continue;
                var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (type.IsEnum && !Enum.IsDefined(type, current)) return prefix + name;
                if (nested is not null && nested.FirstUndefinedEnum(current, prefix + name + ".") is { } inner) return inner;
            }
            return null;
        }

        /// <summary>A serializer path (<c>$.person.birthDate</c>) as canonical field names, or null if any part is not a field of ours.</summary>
        public string? Canonical(string path)
        {
            if (!path.StartsWith("$.", StringComparison.Ordinal)) return null;
            var shape = this;
            var names = new List<string>();
            foreach (var part in path[2..].Split('.'))
            {
                if (shape is null) return null;
                var field = shape._fields.FirstOrDefault(f => string.Equals(f.Name, part, StringComparison.OrdinalIgnoreCase));
                if (field.Name is null) return null;
                names.Add(field.Name);
                shape = field.Nested;
            }
            return names.Count == 0 ? null : string.Join(".", names);
        }

        private static JsonElement? Find(JsonElement element, string name)
        {
            foreach (var property in element.EnumerateObject())
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
            return null;
        }

        private static bool IsNullable(ParameterInfo parameter) =>
            parameter.ParameterType.IsValueType
                ? Nullable.GetUnderlyingType(parameter.ParameterType) is not null
                : new NullabilityInfoContext().Create(parameter).WriteState != NullabilityState.NotNull;

        /// <summary>A record of this codebase nested in a request (e.g. <see cref="NewPerson"/>), checked field by field too.</summary>
        private static bool IsRequestRecord(Type type) =>
            type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("Renkei.", StringComparison.Ordinal) == true
            && type.GetMethod("<Clone>$") is not null;
    }
}
