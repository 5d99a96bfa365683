using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Crypto;

namespace Renkei.Intermediate.Contracts;

/// <summary>What a business system (loading copies) and the network (asking for provision) may ask an intermediate server.</summary>
public interface IIntermediateClient
{
    Task<LoadBatchResponse> LoadBatchAsync(LoadBatchRequest request, CancellationToken cancellationToken = default);
    Task<LoadStreamResponse> LoadStreamAsync(string holder, Actor actor, IAsyncEnumerable<CopyUpdate> copies, int batchSize = IntermediateRoutes.DefaultStreamBatchSize, CancellationToken cancellationToken = default);
    Task<UpsertCopyResponse> UpsertAsync(UpsertCopyRequest request, CancellationToken cancellationToken = default);
    Task<DeleteCopyResponse> DeleteAsync(DeleteCopyRequest request, CancellationToken cancellationToken = default);
    Task<ProvisionResponse> ProvideAsync(ProvisionRequest request, CancellationToken cancellationToken = default);
    Task<ListKindsResponse> ListKindsAsync(ListKindsRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// What the holder's own systems ask its intermediate server about tokens (符号): register a pending acquisition before
/// asking J-LIS, and see which addressees have one. Tokens themselves never leave the intermediate server.
/// </summary>
public interface IIntermediateTokenClient
{
    Task<PendingTokenResponse> RegisterPendingTokenAsync(PendingTokenRequest request, CancellationToken cancellationToken = default);
    Task<PendingTokenBatchResponse> RegisterPendingTokenBatchAsync(PendingTokenBatchRequest request, CancellationToken cancellationToken = default);
    Task<TokenStatusResponse> TokenStatusAsync(TokenStatusRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What the holder's business systems ask its intermediate server as inquirer (情報照会), and its provision records.</summary>
public interface IIntermediateLinkageClient
{
    Task<InquiryResponse> QueryAsync(InquiryRequest request, CancellationToken cancellationToken = default);
    Task<InquiryBatchAccepted> SubmitQueryBatchAsync(InquiryBatchRequest request, CancellationToken cancellationToken = default);
    Task<InquiryBatchStatusResponse> QueryBatchStatusAsync(InquiryBatchStatusRequest request, CancellationToken cancellationToken = default);
    Task<PartyRecordList> RecordsAsync(PartyRecordQuery request, CancellationToken cancellationToken = default);

    /// <summary>The network's policy rows for the holder's class and an affair (<see cref="IntermediateNodeRoutes.Policy"/>).</summary>
    Task<Renkei.Network.Contracts.PolicyLinkagesResponse> PolicyAsync(NodePolicyRequest request, CancellationToken cancellationToken = default);
}

/// <summary>Notices the holder's systems send through their intermediate server (<see cref="IntermediateNodeRoutes.SendNotice"/>).</summary>
public interface IIntermediateNoticeClient
{
    Task<Renkei.Network.Contracts.PushNoticeAccepted> SendNoticeAsync(SendNoticeRequest request, CancellationToken cancellationToken = default);
}

/// <summary>The intermediate server answered with an error. The message is the server's own and carries no personal data.</summary>
public sealed class IntermediateException(HttpStatusCode status, string code, string message)
    : Exception($"the intermediate server refused the request ({code}): {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;
}

/// <summary>
/// The intermediate server's client over HTTP. Only the holder itself may call its intermediate server: build it with
/// <see cref="Signed"/> (requests signed with the holder's institution key, for the holder's own server; a mutual-TLS
/// handler as <c>inner</c> when deployed). The constructor takes an <see cref="HttpClient"/> that already identifies the
/// holder; its <see cref="HttpClient.BaseAddress"/> is the service's address.
/// </summary>
public sealed class IntermediateHttpClient(HttpClient http, bool ownsHttpClient = false)
    : IIntermediateClient, IIntermediateTokenClient, IIntermediateLinkageClient, IIntermediateNoticeClient, IDisposable
{
    /// <summary>
    /// The holder <paramref name="holderCode"/>'s client of its own intermediate server at <paramref name="baseAddress"/>:
    /// every request is signed with <paramref name="signingKey"/> (the holder's institution signing key; it stays the
    /// caller's) for that server, and sent through <paramref name="inner"/> (e.g. a mutual-TLS handler; default plain sockets).
    /// The client owns its <see cref="HttpClient"/>: dispose it when done.
    /// </summary>
    public static IntermediateHttpClient Signed(Uri baseAddress, string holderCode, ECDsa signingKey, HttpMessageHandler? inner = null,
        TimeSpan? timeout = null, TimeProvider? clock = null) =>
        new(SigningHandler.CreateClient(baseAddress, holderCode, signingKey, holderCode, inner, timeout ?? TimeSpan.FromMinutes(5), clock), ownsHttpClient: true);

    public void Dispose()
    {
        if (ownsHttpClient) http.Dispose();
    }

    public Task<LoadBatchResponse> LoadBatchAsync(LoadBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<LoadBatchRequest, LoadBatchResponse>(IntermediateRoutes.LoadBatch, request, cancellationToken);

    public Task<UpsertCopyResponse> UpsertAsync(UpsertCopyRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<UpsertCopyRequest, UpsertCopyResponse>(IntermediateRoutes.Upsert, request, cancellationToken);

    public Task<DeleteCopyResponse> DeleteAsync(DeleteCopyRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<DeleteCopyRequest, DeleteCopyResponse>(IntermediateRoutes.Delete, request, cancellationToken);

    public Task<ProvisionResponse> ProvideAsync(ProvisionRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<ProvisionRequest, ProvisionResponse>(IntermediateRoutes.Provide, request, cancellationToken);

    public Task<ListKindsResponse> ListKindsAsync(ListKindsRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<ListKindsRequest, ListKindsResponse>(IntermediateRoutes.Kinds, request, cancellationToken);

    public Task<PendingTokenResponse> RegisterPendingTokenAsync(PendingTokenRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PendingTokenRequest, PendingTokenResponse>(IntermediateNodeRoutes.PendingToken, request, cancellationToken);

    public Task<PendingTokenBatchResponse> RegisterPendingTokenBatchAsync(PendingTokenBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<PendingTokenBatchRequest, PendingTokenBatchResponse>(IntermediateNodeRoutes.PendingTokenBatch, request, cancellationToken);

    public Task<TokenStatusResponse> TokenStatusAsync(TokenStatusRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<TokenStatusRequest, TokenStatusResponse>(IntermediateNodeRoutes.TokenStatus, request, cancellationToken);

    public Task<InquiryResponse> QueryAsync(InquiryRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<InquiryRequest, InquiryResponse>(IntermediateNodeRoutes.Query, request, cancellationToken);

    public Task<InquiryBatchAccepted> SubmitQueryBatchAsync(InquiryBatchRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<InquiryBatchRequest, InquiryBatchAccepted>(IntermediateNodeRoutes.QueryBatch, request, cancellationToken);

    public Task<InquiryBatchStatusResponse> QueryBatchStatusAsync(InquiryBatchStatusRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<InquiryBatchStatusRequest, InquiryBatchStatusResponse>(IntermediateNodeRoutes.QueryBatchStatus, request, cancellationToken);

    public Task<PartyRecordList> RecordsAsync(PartyRecordQuery request, CancellationToken cancellationToken = default) =>
        PostAsync<PartyRecordQuery, PartyRecordList>(IntermediateNodeRoutes.Records, request, cancellationToken);

    public Task<Renkei.Network.Contracts.PushNoticeAccepted> SendNoticeAsync(SendNoticeRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<SendNoticeRequest, Renkei.Network.Contracts.PushNoticeAccepted>(IntermediateNodeRoutes.SendNotice, request, cancellationToken);

    public Task<Renkei.Network.Contracts.PolicyLinkagesResponse> PolicyAsync(NodePolicyRequest request, CancellationToken cancellationToken = default) =>
        PostAsync<NodePolicyRequest, Renkei.Network.Contracts.PolicyLinkagesResponse>(IntermediateNodeRoutes.Policy, request, cancellationToken);

    /// <summary>
    /// Streams <paramref name="copies"/> as NDJSON; the server commits every <paramref name="batchSize"/> lines.
    /// An invalid line stops the load: the answer's <see cref="LoadStreamResponse.Failure"/> names the line
    /// (no exception, so the caller sees what was committed before it). <paramref name="actor"/> is who loads the whole
    /// stream (a feed: <see cref="Actor.System"/>), kept with every batch committed.
    /// </summary>
    public async Task<LoadStreamResponse> LoadStreamAsync(string holder, Actor actor, IAsyncEnumerable<CopyUpdate> copies,
        int batchSize = IntermediateRoutes.DefaultStreamBatchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(copies);
        var route = IntermediateRoutes.LoadStream + "?holder=" + Uri.EscapeDataString(holder)
            + "&batchSize=" + batchSize.ToString(CultureInfo.InvariantCulture)
            + "&" + IntermediateRoutes.StreamActorStaff + "=" + Uri.EscapeDataString(actor.Staff)
            + "&" + IntermediateRoutes.StreamActorTerminal + "=" + Uri.EscapeDataString(actor.Terminal)
            + "&" + IntermediateRoutes.StreamActorAffair + "=" + Uri.EscapeDataString(actor.Affair);
        using var content = new NdjsonContent(copies);
        using var message = new HttpRequestMessage(HttpMethod.Post, route) { Content = content };
        // The route streams: a signature covers the request's headers, and the body goes out as it is written.
        message.Options.Set(SigningHandler.StreamedBodyOption, true);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity || response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadFromJsonAsync<LoadStreamResponse>(JsonDefaults.Options, cancellationToken);
            if (body is not null) return body;
        }
        throw await FailureAsync(response, cancellationToken);
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string route, TRequest request, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(route, request, JsonDefaults.Options, cancellationToken);
        return await ServiceResponses.ReadAsync<TResponse>(response, Refused, cancellationToken);
    }

    private static IntermediateException Refused(HttpStatusCode status, ProblemBody problem) => new(status, problem.Code, problem.Detail);

    private static async Task<IntermediateException> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        Refused(response.StatusCode, await ServiceResponses.ProblemOfAsync(response, cancellationToken));

    /// <summary>Writes one JSON object per line as the copies are enumerated (nothing is buffered whole).</summary>
    private sealed class NdjsonContent : HttpContent
    {
        private readonly IAsyncEnumerable<CopyUpdate> _copies;

        public NdjsonContent(IAsyncEnumerable<CopyUpdate> copies)
        {
            _copies = copies;
            Headers.ContentType = new MediaTypeHeaderValue(IntermediateRoutes.NdjsonMediaType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var buffer = new ArrayBufferWriter<byte>(1 << 16);
            await using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonDefaults.Options.Encoder, SkipValidation = true });
            await foreach (var copy in _copies.WithCancellation(cancellationToken))
            {
                JsonSerializer.Serialize(writer, copy, JsonDefaults.Options);
                writer.Flush();
                buffer.Write("\n"u8);
                writer.Reset(buffer);
                if (buffer.WrittenCount >= 1 << 16)
                {
                    await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                    buffer.ResetWrittenCount();
                }
            }
            if (buffer.WrittenCount > 0) await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
