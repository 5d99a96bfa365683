using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;

namespace Renkei.TestSupport;

/// <summary>
/// Sends a raw body to a route of a running service over HTTP. The one place such a request is built: when a route needs
/// more than the body (a signature, a bearer token), <paramref name="prepare"/> adds it.
/// </summary>
public sealed class RawRouteClient(HttpClient http, Action<HttpRequestMessage, byte[]>? prepare = null)
{
    public async Task<RawAnswer> PostAsync(string route, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        prepare?.Invoke(request, body);
        using var response = await http.SendAsync(request);
        return new RawAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

public sealed record RawAnswer(int Status, string Text)
{
    public bool Accepted => Status is >= 200 and < 300;
}

/// <summary>
/// Random and mutated JSON bodies for property tests of a service's routes: valid templates with one to three values
/// replaced by recognisable input (a 12-digit run, a long string, a wrong JSON type, a string where an enum belongs),
/// truncated, garbled or random bytes. <see cref="AssertRefusalIsClean"/> checks what a refusal may not do.
/// </summary>
public static class BodyFuzz
{
    /// <summary>Twelve digits no valid individual number has (the check digit is wrong), easy to find in any text.</summary>
    public const string Marker = "739164028553";

    /// <summary>A long string: 4,000 characters with the marker in the middle; no answer may contain a run of its Z's.</summary>
    public static readonly string LongText = new string('Z', 2_000) + Marker + new string('Z', 2_000);

    private const string ZRun = "ZZZZZZZZZZZZZZZZ";

    /// <summary>Bodies derived from <paramref name="templates"/> (valid JSON objects, one per route), with the route.</summary>
    public static Gen<(string Route, byte[] Body)> Bodies(IReadOnlyList<(string Route, string Json)> templates) =>
        Gen.Select(Gen.Int[0, templates.Count - 1], Mutations(), (t, mutate) => (templates[t].Route, mutate(templates[t].Json)));

    private static Gen<Func<string, byte[]>> Mutations() => Gen.Frequency(
        (6, Gen.Select(Gen.Int[1, 3], Gen.Int[0, 10_000].Array[3], Gen.Int[0, ValueKinds - 1].Array[3],
            (count, slots, kinds) => (Func<string, byte[]>)(json => Replace(json, slots.Take(count).ToArray(), kinds)))),
        (1, Gen.Int[0, 10_000].Select(slot => (Func<string, byte[]>)(json => Remove(json, slot)))),
        (1, Gen.Int[0, 10_000].Select(at => (Func<string, byte[]>)(json => Truncate(json, at)))),
        (1, Gen.Int[0, 10_000].Select(slot => (Func<string, byte[]>)(json => Garble(json, slot)))),
        (1, Gen.Int[0, 5].Select(kind => (Func<string, byte[]>)(_ => Whole(kind)))),
        (1, Gen.Byte.Array[0, 200].Select(bytes => (Func<string, byte[]>)(_ => [.. bytes, .. Encoding.ASCII.GetBytes(Marker)]))));

    private const int ValueKinds = 12;

    /// <summary>Something recognisable in place of a value.</summary>
    private static JsonNode? Value(int kind) => kind switch
    {
        0 => JsonValue.Create(long.Parse(Marker, System.Globalization.CultureInfo.InvariantCulture)),
        1 => JsonValue.Create(Marker),
        2 => JsonValue.Create("番号 " + Marker + " です"),
        3 => JsonValue.Create(LongText),
        4 => new JsonObject { ["a" + Marker] = Marker },
        5 => new JsonArray(JsonValue.Create(Marker), JsonValue.Create(long.Parse(Marker, System.Globalization.CultureInfo.InvariantCulture))),
        6 => null,
        7 => JsonValue.Create(true),
        8 => JsonValue.Create("１２３４-" + Marker),
        9 => JsonValue.Create(-1.5e300),
        10 => JsonValue.Create(""),
        _ => JsonValue.Create(Marker + "-enum-" + Marker),
    };

    private static byte[] Replace(string json, int[] slots, int[] kinds)
    {
        var root = JsonNode.Parse(json)!;
        for (var i = 0; i < slots.Length; i++)
        {
            var places = Places(root);
            if (places.Count == 0) break;
            var (parent, key, index) = places[slots[i] % places.Count];
            if (parent is JsonObject o) o[key!] = Value(kinds[i]);
            else ((JsonArray)parent)[index] = Value(kinds[i]);
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static byte[] Remove(string json, int slot)
    {
        var root = JsonNode.Parse(json)!;
        var places = Places(root);
        if (places.Count > 0)
        {
            var (parent, key, index) = places[slot % places.Count];
            if (parent is JsonObject o) o.Remove(key!);
            else ((JsonArray)parent).RemoveAt(index);
        }
        if (root is JsonObject top) top["x" + Marker] = Marker; // and an unknown field
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static byte[] Truncate(string json, int at)
    {
        var bytes = Encoding.UTF8.GetBytes(json.Replace("\"131091\"", Marker, StringComparison.Ordinal));
        return bytes[..(at % Math.Max(1, bytes.Length))];
    }

    /// <summary>A value replaced by text that is not JSON: a broken literal, a number run into letters, invalid UTF-8.</summary>
    private static byte[] Garble(string json, int slot)
    {
        var root = JsonNode.Parse(json)!;
        var places = Places(root);
        const string Placeholder = "\"@@garble@@\"";
        if (places.Count > 0)
        {
            var (parent, key, index) = places[slot % places.Count];
            if (parent is JsonObject o) o[key!] = "@@garble@@";
            else ((JsonArray)parent)[index] = "@@garble@@";
        }
        var text = root.ToJsonString();
        var garbage = (slot % 5) switch
        {
            0 => "tru" + Marker,
            1 => Marker + "abc",
            2 => "'" + Marker + "'",
            3 => "\"" + Marker + "\\q\"",
            _ => "\"\u0001" + Marker + "\"",
        };
        var bytes = Encoding.UTF8.GetBytes(text.Replace(Placeholder, garbage, StringComparison.Ordinal));
        if (slot % 7 == 0) bytes = [.. bytes, 0xC3, 0x28, .. Encoding.ASCII.GetBytes(Marker)];
        return bytes;
    }

    /// <summary>A whole body that is not the object the route wants.</summary>
    private static byte[] Whole(int kind) => Encoding.UTF8.GetBytes(kind switch
    {
        0 => Marker,
        1 => "\"" + Marker + "\"",
        2 => "[" + Marker + "]",
        3 => new string('[', 100) + Marker + new string(']', 100),
        4 => "",
        _ => "{\"" + LongText + "\":" + Marker + "}",
    });

    /// <summary>Every value slot of the document: (object, property) or (array, index).</summary>
    private static List<(JsonNode Parent, string? Key, int Index)> Places(JsonNode root)
    {
        var places = new List<(JsonNode, string?, int)>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (key, value) in o.ToList())
                    {
                        places.Add((o, key, -1));
                        Walk(value);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        places.Add((a, null, i));
                        Walk(a[i]);
                    }
                    break;
            }
        }
        Walk(root);
        return places;
    }

    /// <summary>
    /// Sends <paramref name="iterations"/> bodies derived from <paramref name="templates"/>, each through the client
    /// <paramref name="clientFor"/> gives for its route: every refusal must be clean (<see cref="AssertRefusalIsClean"/>) and
    /// leave <paramref name="database"/> as it was just before the request (but the tables in <paramref name="except"/>).
    /// </summary>
    public static Task CheckRoutesAsync(IReadOnlyList<(string Route, string Json)> templates, Func<string, RawRouteClient> clientFor,
        Renkei.Infrastructure.Database database, int iterations, params string[] except) =>
        Bodies(templates).SampleAsync(async sample =>
        {
            var before = DatabaseSnapshot.Take(database, except);
            var answer = await clientFor(sample.Route).PostAsync(sample.Route, sample.Body);
            AssertRefusalIsClean(answer, sample.Route);
            if (answer.Accepted) return;
            var changed = before.ChangedTables(DatabaseSnapshot.Take(database, except));
            if (changed.Count > 0)
                throw new Xunit.Sdk.XunitException($"{sample.Route}: a refused body ({answer.Status}) changed {string.Join(", ", changed)}");
        }, iter: iterations, threads: 1, print: Describe);

    /// <summary>What tells a failing case apart without printing the body (it may hold the marker): its length and route.</summary>
    public static string Describe((string Route, byte[] Body) sample) => $"{sample.Route}: a body of {sample.Body.Length} bytes";

    /// <summary>
    /// A refused body is answered as a client error (never 500), with an RFC 9457 problem body (type, title, status,
    /// detail and code, the status the response's) that repeats none of the input and carries no stack trace.
    /// </summary>
    public static void AssertRefusalIsClean(RawAnswer answer, string route)
    {
        if (answer.Status == 500) throw new Xunit.Sdk.XunitException($"{route}: answered 500");
        if (answer.Accepted) return;
        AssertClean(answer.Text, $"{route} ({answer.Status})");
        using var problem = JsonDocument.Parse(answer.Text);
        var root = problem.RootElement;
        if (!root.TryGetProperty("code", out var code) || !root.TryGetProperty("detail", out _) || !root.TryGetProperty("title", out _)
            || !root.TryGetProperty("type", out var type) || type.GetString() != "urn:renkei:problem:" + code.GetString()
            || !root.TryGetProperty("status", out var status) || status.GetInt32() != answer.Status)
            throw new Xunit.Sdk.XunitException($"{route}: a refusal without a problem body ({answer.Status})");
    }

    /// <summary>Text (an answer, a log) holds neither the marker, nor a piece of the long string, nor a stack trace.</summary>
    public static void AssertClean(string text, string what)
    {
        if (text.Contains(Marker, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException($"{what}: repeats the 12-digit input");
        if (text.Contains(ZRun, StringComparison.Ordinal)) throw new Xunit.Sdk.XunitException($"{what}: repeats the long input");
        if (text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception:", StringComparison.Ordinal))
            throw new Xunit.Sdk.XunitException($"{what}: carries a stack trace");
    }
}
