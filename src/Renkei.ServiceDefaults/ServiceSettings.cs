using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Renkei.ServiceDefaults;

/// <summary>
/// A module's options object as configuration keys (<c>Section:Property</c>, lists as <c>Section:List:0:Property</c>),
/// the form <see cref="ServiceHostOptions.Settings"/> and an appsettings file take. A composer fills the module's own
/// options type (checked by the compiler) instead of writing keys by hand; the module binds it back with the .NET
/// configuration binder, so what a composer sets and what a deployment's file says go through the same binding and the
/// same start-time validation.
/// </summary>
public static class ServiceSettings
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        IgnoreReadOnlyProperties = true,
    };

    /// <summary>The public settable properties of <paramref name="options"/> under <paramref name="section"/>; nulls are left out.</summary>
    public static Dictionary<string, string?> From(string section, object options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(section);
        ArgumentNullException.ThrowIfNull(options);
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Add(settings, section, JsonSerializer.SerializeToElement(options, options.GetType(), Json));
        return settings;
    }

    /// <summary>Several sections at once (a process that runs more than one module).</summary>
    public static Dictionary<string, string?> From(params (string Section, object Options)[] sections)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, options) in sections)
            foreach (var (key, value) in From(section, options)) settings[key] = value;
        return settings;
    }

    /// <summary>The settings as an appsettings-style JSON document (nested objects; lists as arrays), for a deployment's file.</summary>
    public static string ToJson(IReadOnlyDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var root = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var (key, value) in settings.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            if (value is null) continue;
            var parts = key.Split(':');
            var node = root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child)) node[parts[i]] = child = new SortedDictionary<string, object>(StringComparer.Ordinal);
                node = (SortedDictionary<string, object>)child;
            }
            node[parts[^1]] = value;
        }
        return JsonSerializer.Serialize(Arrays(root), new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    /// <summary>Objects whose keys are 0, 1, 2 … become arrays again.</summary>
    private static object Arrays(object node)
    {
        if (node is not SortedDictionary<string, object> map) return node;
        var keys = map.Keys.ToList();
        var indexes = keys.Select(k => int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToList();
        if (keys.Count > 0 && indexes.All(i => i >= 0) && indexes.Order().SequenceEqual(Enumerable.Range(0, keys.Count)))
            return indexes.Order().Select(i => Arrays(map[i.ToString(CultureInfo.InvariantCulture)])).ToList();
        return map.ToDictionary(p => p.Key, p => Arrays(p.Value));
    }

    private static void Add(Dictionary<string, string?> settings, string prefix, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Add(settings, prefix + ":" + property.Name, property.Value);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray()) Add(settings, prefix + ":" + index++.ToString(CultureInfo.InvariantCulture), item);
                break;
            case JsonValueKind.Null or JsonValueKind.Undefined:
                break;
            case JsonValueKind.String:
                settings[prefix] = element.GetString();
                break;
            default:
                settings[prefix] = element.GetRawText(); // numbers, true, false: the binder parses them invariantly
                break;
        }
    }
}
