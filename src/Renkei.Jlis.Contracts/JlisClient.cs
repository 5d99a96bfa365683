using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Json;

namespace Renkei.Jlis.Contracts;

/// <summary>What a municipality may ask J-LIS about numbers. Implemented over HTTP by <see cref="JlisHttpClient"/>.</summary>
public interface IJlisNumberingClient
{
    Task<NumberAssignment> DeriveNumberAsync(DeriveNumberRequest request, CancellationToken cancellationToken = default);
    Task<NumberingBatchResponse> RequestBatchAsync(NumberingBatchRequest request, CancellationToken cancellationToken = default);
    Task<VerifyNumberResponse> VerifyNumberAsync(VerifyNumberRequest request, CancellationToken cancellationToken = default);
    Task<ChangeNumberResponse> ChangeNumberAsync(ChangeNumberRequest request, CancellationToken cancellationToken = default);
    Task<IssueResidentCodeResponse> IssueResidentCodeAsync(IssueResidentCodeRequest request, CancellationToken cancellationToken = default);
}

/// <summary>J-LIS answered with an error. The message is J-LIS's own and carries no number.</summary>
public sealed class JlisException(HttpStatusCode status, string code, string message)
    : Exception($"J-LIS refused the request ({code}): {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;

    public static JlisException From(HttpStatusCode status, ProblemBody problem) => new(status, problem.Code, problem.Detail);
}

/// <summary>J-LIS over HTTP. For <see cref="IJlisTokenClient"/> the <see cref="HttpClient"/> must sign requests as the asking institution.</summary>
public sealed class JlisHttpClient(HttpClient http) : IJlisNumberingClient, IJlisTokenClient, IJlisPortalClient, IJlisIssuanceHolderClient
{
    public Task<IssuanceHolder> IssuanceHolderAsync(IssuanceHolderRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<IssuanceHolderRequest, IssuanceHolder>(IssuanceHolderRoutes.Holder, request, cancellationToken);

    public Task<PortalTokenResponse> PortalTokenAsync(PortalTokenRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PortalTokenRequest, PortalTokenResponse>(PortalLoginRoutes.PortalToken, request, cancellationToken);

    public Task<NumberAssignment> DeriveNumberAsync(DeriveNumberRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<DeriveNumberRequest, NumberAssignment>(JlisRoutes.DeriveNumber, request, cancellationToken);

    public Task<NumberingBatchResponse> RequestBatchAsync(NumberingBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<NumberingBatchRequest, NumberingBatchResponse>(JlisRoutes.NumberingBatch, request, cancellationToken);

    public Task<VerifyNumberResponse> VerifyNumberAsync(VerifyNumberRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<VerifyNumberRequest, VerifyNumberResponse>(JlisRoutes.VerifyNumber, request, cancellationToken);

    public Task<ChangeNumberResponse> ChangeNumberAsync(ChangeNumberRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<ChangeNumberRequest, ChangeNumberResponse>(JlisRoutes.ChangeNumber, request, cancellationToken);

    public Task<IssueResidentCodeResponse> IssueResidentCodeAsync(IssueResidentCodeRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<IssueResidentCodeRequest, IssueResidentCodeResponse>(JlisRoutes.IssueResidentCode, request, cancellationToken);

    public Task<TokenResponse> RequestTokenAsync(TokenRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<TokenRequest, TokenResponse>(JlisTokenRoutes.Request, request, cancellationToken);

    public Task<TokenBatchResponse> RequestTokenBatchAsync(TokenBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<TokenBatchRequest, TokenBatchResponse>(JlisTokenRoutes.Batches, request, cancellationToken);

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response, JlisException.From, cancellationToken);
    }
}
