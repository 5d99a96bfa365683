using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.ServiceDefaults.Signing;

namespace Renkei.ServiceDefaults;

/// <summary>
/// Request bodies read whole, up to a limit per route: a larger body is refused with 413 <c>body-too-large</c> before
/// anything is parsed, and a body that does not parse is a 400 naming the field and the rule
/// (<see cref="ErrorResponses.DescribeJsonError"/>), never repeating what was sent.
/// </summary>
public static class RequestBodies
{
    /// <summary>Most JSON bodies (one request about one person or a few): 1 MiB.</summary>
    public const int DefaultMaxBytes = 1 << 20;

    /// <summary>Bulk loading routes (batches of up to a million items): the limit signed requests have.</summary>
    public const int BulkMaxBytes = SignedRequestVerifier.DefaultMaxBodyBytes;

    /// <summary>
    /// How every service parses request bodies: stricter than the shared defaults. A missing field is an error, not a zero
    /// code or an empty ID; a null where the contract has no null is an error, in a list too (an element of a list of
    /// objects would otherwise arrive as null and fail deep inside an operation).
    /// </summary>
    public static readonly JsonSerializerOptions Strict = new(JsonDefaults.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        Converters = { new NoNullElementsConverterFactory() },
    };

    /// <summary>The whole body, or null when it is (or declares itself) larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpContext context, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        if (context.Request.ContentLength > maxBytes) return null;
        // The server's own limit (Kestrel: 30 MB) is the route's; reading past it throws, which is caught below.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = maxBytes;
        var declared = context.Request.ContentLength;
        using var buffer = new MemoryStream(declared is > 0 ? (int)declared.Value : 4096);
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + read > maxBytes) return null;
                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads the body (at most <paramref name="maxBytes"/>) and parses it as <typeparamref name="T"/> with
    /// <paramref name="options"/>: the request, or the problem to answer (413 too large, 400 not parseable or empty).
    /// <c>Body</c> is what was read (empty when refused as too large).
    /// </summary>
    public static async Task<(T? Request, byte[] Body, IResult? Problem)> ReadJsonAsync<T>(HttpContext context, JsonSerializerOptions options, int maxBytes)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var body = await ReadAsync(context, maxBytes);
        if (body is null) return (null, [], ErrorResponses.BodyTooLarge(maxBytes));
        var (request, problem) = Parse<T>(body, options);
        return (request, body, problem);
    }

    /// <summary>Parses <paramref name="body"/> as <typeparamref name="T"/>: the request, or the 400 problem to answer.</summary>
    public static (T? Request, IResult? Problem) Parse<T>(ReadOnlySpan<byte> body, JsonSerializerOptions options) where T : class
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            return JsonSerializer.Deserialize<T>(body, options) is { } request
                ? (request, null)
                : (null, ErrorResponses.BadRequest("invalid-request", "the request body is empty (要求が空です)"));
        }
        catch (JsonException e)
        {
            return (null, ErrorResponses.BadRequest("invalid-request", ErrorResponses.DescribeJsonError(e)));
        }
    }
}

/// <summary>Reads <see cref="IReadOnlyList{T}"/> of objects and refuses one with a null element (the JSON path names the list).</summary>
internal sealed class NoNullElementsConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && !typeToConvert.GetGenericArguments()[0].IsValueType;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class Converter<T> : JsonConverter<IReadOnlyList<T>> where T : class
    {
        public override IReadOnlyList<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var list = JsonSerializer.Deserialize<List<T?>>(ref reader, options)!;
            foreach (var item in list)
                if (item is null) throw new JsonException("an element of the list is null");
            return list!;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.AsEnumerable(), options);
    }
}
