using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Renkei.Core.Json;

/// <summary>
/// Reading what another institution's service answered, the same way in every published client: a success carries the
/// JSON response, a failure a <see cref="ProblemBody"/> (stable code, detail without personal data). Parsing only: the
/// caller's <see cref="HttpClient"/> did the exchange.
/// </summary>
public static class ServiceResponses
{
    /// <summary>The problem a failed response carries, or one made from the HTTP status when its body is not a problem.</summary>
    public static async Task<ProblemBody> ProblemOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ProblemOf(response, await response.Content.ReadAsByteArrayAsync(cancellationToken));
    }

    /// <summary>
    /// The problem in <paramref name="body"/>, the bytes of a failed <paramref name="response"/>: <c>code</c> and
    /// <c>detail</c>, falling back to <c>message</c> (a service of the previous release wrote <c>{code, message}</c>), then
    /// to the status (<c>http-&lt;status&gt;</c>) and its reason phrase when the body is not a problem.
    /// </summary>
    public static ProblemBody ProblemOf(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(response);
        ProblemWire? wire = null;
        try { wire = body.IsEmpty ? null : JsonSerializer.Deserialize<ProblemWire>(body, JsonDefaults.Options); }
        catch (JsonException) { } // not JSON, or not a problem
        var status = (int)response.StatusCode;
        var code = wire?.Code is { Length: > 0 } given ? given : "http-" + status;
        return new ProblemBody(wire?.Type ?? ProblemBody.TypeOf(code), wire?.Title ?? response.ReasonPhrase ?? "",
            status, wire?.Detail ?? wire?.Message ?? response.ReasonPhrase ?? "no reason given", code);
    }

    /// <summary>A problem as read: every member optional, <c>message</c> for services of the previous release.</summary>
    private sealed record ProblemWire(string? Type, string? Title, string? Detail, string? Code, string? Message);

    /// <summary>Throws what <paramref name="refusal"/> makes of the problem when the response is not a success.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, Func<HttpStatusCode, ProblemBody, Exception> refusal,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsSuccessStatusCode) throw refusal(response.StatusCode, await ProblemOfAsync(response, cancellationToken));
    }

    /// <summary>The JSON body of a successful response; a failure or an empty body becomes <paramref name="refusal"/>'s exception.</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, Func<HttpStatusCode, ProblemBody, Exception> refusal,
        CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, refusal, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(JsonDefaults.Options, cancellationToken)
            ?? throw refusal(response.StatusCode, new ProblemBody(ProblemBody.TypeOf("empty-response"), "応答が空です", (int)response.StatusCode,
                "the service sent an empty body (応答が空です)", "empty-response"));
    }
}
