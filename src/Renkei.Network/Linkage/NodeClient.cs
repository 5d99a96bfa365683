using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Network.Contracts;

namespace Renkei.Network.Linkage;

/// <summary>The outcome of one call to an institution's node.</summary>
/// <param name="Status">the HTTP status the node answered with (0 when it did not answer)</param>
internal readonly record struct NodeCall<T>(T? Value, NodeFailure Failure, string? Code, string Message, int Status = 0) where T : class
{
    public bool Succeeded => Failure == NodeFailure.None;
}

internal enum NodeFailure
{
    None,
    /// <summary>No connection, connection refused or reset, or no answer within the timeout.</summary>
    Unavailable,
    /// <summary>The node answered with an error status.</summary>
    Refused,
    /// <summary>The node answered 2xx with a body that is not the expected JSON.</summary>
    Malformed,
}

/// <summary>
/// The network's requests to institutions' nodes (<see cref="NodeRoutes"/>), signed as
/// <see cref="NodeRoutes.NetworkInstitutionCode"/> with the network's key, each with its own timeout and no retries.
/// </summary>
internal sealed class NodeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly IMessageTap? _tap;

    public NodeClient(ECDsa signingKey, HttpMessageHandler inner, TimeProvider clock, IMessageTap? tap)
    {
        _http = new HttpClient(new SigningHandler(NodeRoutes.NetworkInstitutionCode, signingKey, audience: null, clock) { InnerHandler = inner })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each call sets its own
        };
        _tap = tap;
    }

    public async Task<NodeCall<TResponse>> PostAsync<TRequest, TResponse>(string institution, Uri endpoint, string route, TRequest body, TimeSpan timeout, CancellationToken cancellationToken)
        where TResponse : class
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        var address = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + route);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, address) { Content = JsonContent.Create(body, options: JsonDefaults.Options) };
            request.Options.Set(SigningHandler.AudienceOption, institution); // signed for this node only
            using var response = await _http.SendAsync(request, timer.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(timer.Token).ConfigureAwait(false);
            _tap?.Received("node:" + route, institution, bytes);
            if (!response.IsSuccessStatusCode)
            {
                var problem = ServiceResponses.ProblemOf(response, bytes);
                if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout)
                    return new(null, NodeFailure.Unavailable, problem.Code, $"the node answered {(int)response.StatusCode}", (int)response.StatusCode);
                return new(null, NodeFailure.Refused, problem.Code, $"the node refused ({problem.Code})", (int)response.StatusCode);
            }
            try
            {
                var value = JsonSerializer.Deserialize<TResponse>(bytes, JsonDefaults.Options);
                return value is null
                    ? new(null, NodeFailure.Malformed, null, "the node's answer is empty")
                    : new(value, NodeFailure.None, null, "");
            }
            catch (JsonException)
            {
                return new(null, NodeFailure.Malformed, null, "the node's answer is not the expected JSON");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(null, NodeFailure.Unavailable, null, $"the node did not answer within {timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            return new(null, NodeFailure.Unavailable, null, $"the node could not be reached ({e.HttpRequestError})");
        }
        catch (IOException)
        {
            // The connection broke in the middle of the answer (the node died while sending it).
            return new(null, NodeFailure.Unavailable, null, "the node's answer was cut off");
        }
    }

    public void Dispose() => _http.Dispose();
}
