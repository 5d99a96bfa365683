using System.Buffers;
using System.Text.Json;
using Renkei.Core.Json;

namespace Renkei.Core.Audit;

/// <summary>
/// Canonical JSON for log payloads: the same value always gives the same bytes, so a payload can be re-derived and
/// compared by anyone. Object keys sorted by ordinal (UTF-16) order, no whitespace, UTF-8, strings escaped minimally
/// (non-ASCII text such as Japanese is written as is), numbers as System.Text.Json writes them.
/// </summary>
public static class CanonicalJson
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        Encoder = JsonDefaults.Options.Encoder,
        SkipValidation = false,
    };

    /// <summary>Serialises <paramref name="value"/> with <see cref="JsonDefaults.Options"/> (camelCase, enums as strings), then canonicalises.</summary>
    public static byte[] Serialize<T>(T value)
    {
        using var document = JsonSerializer.SerializeToDocument(value, JsonDefaults.Options);
        return Canonicalize(document.RootElement);
    }

    public static byte[] Canonicalize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions)) Write(writer, element);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses JSON text or bytes and returns its canonical form; throws <see cref="JsonException"/> if it is not JSON.</summary>
    public static byte[] Canonicalize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        using var document = JsonDocument.ParseValue(ref reader);
        return Canonicalize(document.RootElement);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                var properties = element.EnumerateObject().ToList();
                properties.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
                for (var i = 1; i < properties.Count; i++)
                    if (properties[i].Name == properties[i - 1].Name)
                        throw new JsonException("canonical JSON has no duplicate keys");
                foreach (var property in properties)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
