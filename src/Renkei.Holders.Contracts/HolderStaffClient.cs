using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Intermediate.Contracts;

namespace Renkei.Holders.Contracts;

/// <summary>The holder's staff API answered with an error. The message is the service's own and carries no personal data.</summary>
public sealed class HolderApiException(HttpStatusCode status, string code, string message)
    : Exception($"the holder refused the request ({code}): {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;

    /// <summary>The service's own message (field and rule, English then Japanese).</summary>
    public string Reason { get; } = message;
}

/// <summary>A client of the holder's staff API (<see cref="HolderRoutes"/>) that presents the staff key.</summary>
public sealed class HolderStaffClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttpClient;
    private readonly AuthenticationHeaderValue _authorization;

    /// <param name="http">Its <see cref="HttpClient.BaseAddress"/> is the holder's service.</param>
    /// <param name="staffKey">The contents of the holder's <c>staff-api.key</c>.</param>
    public HolderStaffClient(HttpClient http, ReadOnlySpan<byte> staffKey, bool ownsHttpClient = false)
    {
        _http = http;
        _ownsHttpClient = ownsHttpClient;
        _authorization = new AuthenticationHeaderValue("Bearer", BearerOf(staffKey));
    }

    /// <summary>The bearer token for a staff key: the key in base64url.</summary>
    public static string BearerOf(ReadOnlySpan<byte> staffKey) => System.Buffers.Text.Base64Url.EncodeToString(staffKey);

    public Task<PersonView> LookupAsync(PersonLookupRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PersonLookupRequest, PersonView>(HolderRoutes.LookupPerson, request, cancellationToken);

    public Task<RecordResponse> RecordPensionAsync(PensionRecordRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PensionRecordRequest, RecordResponse>(HolderRoutes.PensionRecord, request, cancellationToken);

    public Task<RecordResponse> RecordQualificationAsync(QualificationRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<QualificationRequest, RecordResponse>(HolderRoutes.Qualification, request, cancellationToken);

    public Task<QualificationLossResponse> RecordLossAsync(QualificationLossRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<QualificationLossRequest, QualificationLossResponse>(HolderRoutes.QualificationLoss, request, cancellationToken);

    public Task<CopyFeedReport> FeedAsync(FeedRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<FeedRequest, CopyFeedReport>(HolderRoutes.FeedCopies, request, cancellationToken);

    public Task<TokenAcquisitionReport> AcquireTokensAsync(TokenAcquisitionRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<TokenAcquisitionRequest, TokenAcquisitionReport>(HolderRoutes.AcquireTokens, request, cancellationToken);

    public Task<InquiryResponse> QueryAsync(HolderInquiryRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<HolderInquiryRequest, InquiryResponse>(HolderRoutes.Query, request, cancellationToken);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, route) { Content = JsonContent.Create(request, options: JsonDefaults.Options) };
        message.Headers.Authorization = _authorization;
        using var response = await _http.SendAsync(message, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response,
            (status, problem) => new HolderApiException(status, problem.Code, problem.Detail), cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsHttpClient) _http.Dispose();
    }
}
