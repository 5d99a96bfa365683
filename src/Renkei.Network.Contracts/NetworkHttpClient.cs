using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Json;

namespace Renkei.Network.Contracts;

/// <summary>What an institution may ask the network: one method per <see cref="NetworkRoutes"/> route. Implemented over HTTP by <see cref="NetworkHttpClient"/>.</summary>
public interface INetworkClient
{
    /// <summary>J-LIS only (<see cref="NetworkRoutes.IssueToken"/>).</summary>
    Task<IssueTokenResponse> IssueTokenAsync(IssueTokenRequest request, CancellationToken cancellationToken = default);

    /// <summary>J-LIS only (<see cref="NetworkRoutes.IssueTokenBatch"/>).</summary>
    Task<IssueTokenBatchResponse> IssueTokenBatchAsync(IssueTokenBatchRequest request, CancellationToken cancellationToken = default);

    /// <summary>An immediate query (<see cref="NetworkRoutes.Linkage"/>). Refusals and an unavailable provider are answers (<see cref="LinkageResponse.Outcome"/>), not exceptions.</summary>
    Task<LinkageResponse> LinkageAsync(LinkageRequest request, CancellationToken cancellationToken = default);

    /// <summary>A batch query (<see cref="NetworkRoutes.LinkageBatch"/>); poll it with <see cref="BatchStatusAsync"/>.</summary>
    Task<BatchLinkageAccepted> SubmitBatchAsync(BatchLinkageRequest request, CancellationToken cancellationToken = default);

    Task<BatchStatusResponse> BatchStatusAsync(BatchStatusRequest request, CancellationToken cancellationToken = default);

    Task<InstitutionInfo> LookupInstitutionAsync(InstitutionLookupRequest request, CancellationToken cancellationToken = default);

    Task<ProvisionRecordList> ProvisionRecordsAsync(ProvisionRecordQuery request, CancellationToken cancellationToken = default);

    Task<ProvisionCheckpoint> CheckpointAsync(CheckpointRequest request, CancellationToken cancellationToken = default);

    /// <summary>The policy rows the caller's class may use in an affair on a day (<see cref="NetworkRoutes.PolicyLinkages"/>).</summary>
    Task<PolicyLinkagesResponse> PolicyLinkagesAsync(PolicyLinkagesRequest request, CancellationToken cancellationToken = default);

    /// <summary>A notice for the person a token of the caller's denotes, sealed to the portal (<see cref="PortalRoutes.PushNotice"/>; not J-LIS, not the portal). Resending the same notice id is a no-op.</summary>
    Task<PushNoticeAccepted> PushNoticeAsync(PushNoticeRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// What the portal (マイナポータル) asks the network about the person its token denotes (<see cref="PortalRoutes"/>, portal
/// only). Implemented over HTTP by <see cref="NetworkHttpClient"/>. The portal also uses <see cref="INetworkClient.LinkageAsync"/>
/// (affair <see cref="SelfDisplay.Affair"/>) and <see cref="INetworkClient.ProvisionRecordsAsync"/>.
/// </summary>
public interface IPortalNetworkClient
{
    /// <summary>The current signed tree head of the provision records (<see cref="PortalRoutes.TreeHead"/>).</summary>
    Task<ProvisionTreeHead> TreeHeadAsync(TreeHeadRequest request, CancellationToken cancellationToken = default);

    /// <summary>One of the person's records with its inclusion proof (<see cref="PortalRoutes.RecordProof"/>); 404 <c>record-not-found</c> when it is not theirs.</summary>
    Task<RecordProof> RecordProofAsync(RecordProofRequest request, CancellationToken cancellationToken = default);

    /// <summary>The institutions holding a token for the person and the self-display kinds each may be asked for (<see cref="PortalRoutes.SelfSources"/>).</summary>
    Task<SelfSourcesResponse> SelfSourcesAsync(SelfSourcesRequest request, CancellationToken cancellationToken = default);

    /// <summary>The signed names of the codes in provision records (<see cref="ProvisionLogRoutes.Names"/>, public).</summary>
    Task<SignedNameTable> NameTableAsync(CancellationToken cancellationToken = default);

    /// <summary>The consistency proof between two sizes of the provision records' tree (<see cref="ProvisionLogRoutes.Consistency"/>, public).</summary>
    Task<ConsistencyProof> ConsistencyAsync(long first, long second, CancellationToken cancellationToken = default);

    /// <summary>The person's notices, newest first, still sealed to the portal (<see cref="PortalRoutes.Notices"/>).</summary>
    Task<NoticeList> NoticesAsync(NoticeQuery request, CancellationToken cancellationToken = default);

    /// <summary>Marks one of the person's notices read (<see cref="PortalRoutes.NoticeRead"/>); marking it again keeps the first time.</summary>
    Task<NoticeReadAck> MarkNoticeReadAsync(NoticeReadRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The network answered with an error (<see cref="Renkei.Core.Json.ProblemBody"/>). The message is the network's own and carries no personal value.</summary>
public sealed class NetworkException(HttpStatusCode status, string code, string message)
    : Exception($"the network refused the request ({code}): {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// <see cref="INetworkClient"/> over HTTP. The caller builds <paramref name="http"/> with the network's base address and a
/// <see cref="SigningHandler"/> for its own institution code and signing key
/// (<c>SigningHandler.CreateClient</c>), so every request is signed.
/// </summary>
public sealed class NetworkHttpClient(HttpClient http) : INetworkClient, IPortalNetworkClient
{
    public Task<IssueTokenResponse> IssueTokenAsync(IssueTokenRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<IssueTokenRequest, IssueTokenResponse>(NetworkRoutes.IssueToken, request, cancellationToken);

    public Task<IssueTokenBatchResponse> IssueTokenBatchAsync(IssueTokenBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<IssueTokenBatchRequest, IssueTokenBatchResponse>(NetworkRoutes.IssueTokenBatch, request, cancellationToken);

    public Task<LinkageResponse> LinkageAsync(LinkageRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<LinkageRequest, LinkageResponse>(NetworkRoutes.Linkage, request, cancellationToken);

    public Task<BatchLinkageAccepted> SubmitBatchAsync(BatchLinkageRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<BatchLinkageRequest, BatchLinkageAccepted>(NetworkRoutes.LinkageBatch, request, cancellationToken);

    public Task<BatchStatusResponse> BatchStatusAsync(BatchStatusRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<BatchStatusRequest, BatchStatusResponse>(NetworkRoutes.LinkageBatchStatus, request, cancellationToken);

    public Task<InstitutionInfo> LookupInstitutionAsync(InstitutionLookupRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<InstitutionLookupRequest, InstitutionInfo>(NetworkRoutes.InstitutionLookup, request, cancellationToken);

    public Task<ProvisionRecordList> ProvisionRecordsAsync(ProvisionRecordQuery request, CancellationToken cancellationToken = default) =>
        PostAsync<ProvisionRecordQuery, ProvisionRecordList>(NetworkRoutes.ProvisionRecords, request, cancellationToken);

    public Task<ProvisionCheckpoint> CheckpointAsync(CheckpointRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<CheckpointRequest, ProvisionCheckpoint>(NetworkRoutes.ProvisionCheckpoint, request, cancellationToken);

    public Task<PolicyLinkagesResponse> PolicyLinkagesAsync(PolicyLinkagesRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PolicyLinkagesRequest, PolicyLinkagesResponse>(NetworkRoutes.PolicyLinkages, request, cancellationToken);

    public Task<PushNoticeAccepted> PushNoticeAsync(PushNoticeRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PushNoticeRequest, PushNoticeAccepted>(PortalRoutes.PushNotice, request, cancellationToken);

    public Task<ProvisionTreeHead> TreeHeadAsync(TreeHeadRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<TreeHeadRequest, ProvisionTreeHead>(PortalRoutes.TreeHead, request, cancellationToken);

    public Task<RecordProof> RecordProofAsync(RecordProofRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<RecordProofRequest, RecordProof>(PortalRoutes.RecordProof, request, cancellationToken);

    public Task<SelfSourcesResponse> SelfSourcesAsync(SelfSourcesRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<SelfSourcesRequest, SelfSourcesResponse>(PortalRoutes.SelfSources, request, cancellationToken);

    public Task<NoticeList> NoticesAsync(NoticeQuery request, CancellationToken cancellationToken = default) =>
        PostAsync<NoticeQuery, NoticeList>(PortalRoutes.Notices, request, cancellationToken);

    public Task<NoticeReadAck> MarkNoticeReadAsync(NoticeReadRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<NoticeReadRequest, NoticeReadAck>(PortalRoutes.NoticeRead, request, cancellationToken);

    public Task<SignedNameTable> NameTableAsync(CancellationToken cancellationToken = default) =>
        GetAsync<SignedNameTable>(ProvisionLogRoutes.Names, cancellationToken);

    public Task<ConsistencyProof> ConsistencyAsync(long first, long second, CancellationToken cancellationToken = default) =>
        GetAsync<ConsistencyProof>(FormattableString.Invariant($"{ProvisionLogRoutes.Consistency}?first={first}&second={second}"), cancellationToken);

    private static NetworkException Refused(HttpStatusCode status, ProblemBody problem) => new(status, problem.Code, problem.Detail);

    private async Task<TResponse> GetAsync<TResponse>(string route, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(route, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response, Refused, cancellationToken);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response, Refused, cancellationToken);
    }
}
