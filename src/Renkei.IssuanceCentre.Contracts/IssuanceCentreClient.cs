using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Json;

namespace Renkei.IssuanceCentre.Contracts;

/// <summary>
/// The issuance centre refused or failed a kiosk's request: <see cref="Code"/> is the centre's, the ward's
/// (<c>KioskRefusalCodes</c>) or JPKI's stable code; the message is the centre's own and carries no personal data.
/// </summary>
public sealed class IssuanceCentreException(HttpStatusCode status, string code, string message)
    : Exception($"the issuance centre refused the request ({code}): {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;

    public static IssuanceCentreException From(HttpStatusCode status, ProblemBody problem) => new(status, problem.Code, problem.Detail);
}

/// <summary>
/// The centre over HTTP for a kiosk. The <see cref="HttpClient"/> must sign every request as the kiosk
/// (<c>SigningHandler.CreateClient</c> with the kiosk's code and key, audience the centre's code).
/// </summary>
public sealed class IssuanceCentreHttpClient(HttpClient http)
{
    public Task<KioskChallenge> ChallengeAsync(KioskChallengeRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<KioskChallengeRequest, KioskChallenge>(IssuanceCentreRoutes.Challenges, request, cancellationToken);

    public Task<KioskSession> OpenSessionAsync(KioskSessionRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<KioskSessionRequest, KioskSession>(IssuanceCentreRoutes.Sessions, request, cancellationToken);

    public Task<KioskCertificate> CertificateAsync(KioskCertificateRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<KioskCertificateRequest, KioskCertificate>(IssuanceCentreRoutes.Certificates, request, cancellationToken);

    public async Task VoidAsync(KioskCancelRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await http.PostAsJsonAsync(IssuanceCentreRoutes.Void, request, JsonDefaults.Options, cancellationToken);
        await ServiceResponses.EnsureSuccessAsync(response, IssuanceCentreException.From, cancellationToken);
    }

    /// <summary>Ends the session (the card was removed or the kiosk went idle); an unknown or ended session is not an error.</summary>
    public async Task EndSessionAsync(Guid sessionId, CancellationToken cancellationToken = default)
    {
        using var response = await http.DeleteAsync(IssuanceCentreRoutes.Sessions + "/" + sessionId.ToString("D"), cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) return;
        await ServiceResponses.EnsureSuccessAsync(response, IssuanceCentreException.From, cancellationToken);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response, IssuanceCentreException.From, cancellationToken);
    }
}
