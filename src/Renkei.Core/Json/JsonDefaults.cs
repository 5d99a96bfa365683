using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace Renkei.Core.Json;

/// <summary>One JSON style for every service and the CLI: camelCase, enums as strings, Japanese unescaped.</summary>
public static class JsonDefaults
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        return options;
    }
}

/// <summary>
/// The body of every error response of every service (<c>application/problem+json</c>), an RFC 9457 problem details
/// object: <paramref name="Type"/> <c>urn:renkei:problem:&lt;code&gt;</c>, a short Japanese <paramref name="Title"/> per
/// status, the <paramref name="Status"/>, the <paramref name="Detail"/> (the field or rule, "English (日本語)", never a
/// personal value) and the extension member <paramref name="Code"/>, stable for programs.
/// </summary>
public sealed record ProblemBody(string Type, string Title, int Status, string Detail, string Code)
{
    /// <summary>The content type of a problem body (RFC 9457 §3).</summary>
    public const string MediaType = "application/problem+json";

    /// <summary>The prefix of every <see cref="Type"/>: the problem's URI is this followed by its <see cref="Code"/>.</summary>
    public const string TypePrefix = "urn:renkei:problem:";

    /// <summary>The <see cref="Type"/> of a problem with <paramref name="code"/>.</summary>
    public static string TypeOf(string code) => TypePrefix + code;

    /// <summary>
    /// The same text as <see cref="Detail"/>, still written as <c>message</c> so that a client of the previous release
    /// (which read <c>{code, message}</c>) keeps working. Deprecated: it goes in the next release; read <see cref="Detail"/>.
    /// </summary>
    [Obsolete("Read Detail; the message member is written for clients of the previous release only and goes in the next.")]
    public string Message => Detail;
}
