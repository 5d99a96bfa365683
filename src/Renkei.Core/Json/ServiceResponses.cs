using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Renkei.Core.Json;

/// <summary>
/// Reading what another institution's service answered, the same way in every published client: a success carries the
/// JSON response, a failure a <see cref="ProblemBody"/> (stable code, message without personal data). Parsing only: the
/// caller's <see cref="HttpClient"/> did the exchange.
/// </summary>
public static class ServiceResponses
{
    /// <summary>The problem a failed response carries, or one made from the HTTP status when its body is not a problem.</summary>
    public static async Task<ProblemBody> ProblemOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ProblemBody? problem = null;
        try { problem = await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options, cancellationToken); }
        catch (JsonException) { }
        catch (NotSupportedException) { } // not JSON at all
        return new ProblemBody(problem?.Code ?? "http-" + (int)response.StatusCode, problem?.Message ?? response.ReasonPhrase ?? "no reason given");
    }

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
            ?? throw refusal(response.StatusCode, new ProblemBody("empty-response", "the service sent an empty body (応答が空です)"));
    }
}
