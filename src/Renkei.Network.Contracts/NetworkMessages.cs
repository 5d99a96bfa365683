using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;

namespace Renkei.Network.Contracts;

/// <summary>
/// The published HTTP contract of the information provision network (情報提供ネットワークシステム, コアシステム).
/// Every route except <see cref="Health"/> is a POST with a JSON body, signed by the sending institution
/// (<see cref="SignedRequestHeaders"/>); persons travel only as tokens (符号) in bodies — never an individual number,
/// never name, address, birth date or sex, and nothing personal in a URL. The one exception is
/// <see cref="IssueToken"/>, on which J-LIS alone hands over resident-record codes.
/// </summary>
public static class NetworkRoutes
{
    /// <summary>J-LIS only: one resident-record code → the institution's token, delivered to the institution's intermediate server (<see cref="IssueTokenRequest"/>).</summary>
    public const string IssueToken = "tokens/issue";

    /// <summary>J-LIS only: bulk token issuance (符号一斉取得) for up to <see cref="MaxTokenBatch"/> codes (<see cref="IssueTokenBatchRequest"/>).</summary>
    public const string IssueTokenBatch = "tokens/batches";

    /// <summary>An inquirer's immediate query (即時照会) (<see cref="LinkageRequest"/> → <see cref="LinkageResponse"/>).</summary>
    public const string Linkage = "linkage/immediate";

    /// <summary>A batch query (一括照会) of up to <see cref="MaxLinkageBatch"/> people, answered asynchronously (<see cref="BatchLinkageRequest"/>).</summary>
    public const string LinkageBatch = "linkage/batches";

    /// <summary>Polls a batch query (<see cref="BatchStatusRequest"/> → <see cref="BatchStatusResponse"/>).</summary>
    public const string LinkageBatchStatus = "linkage/batches/status";

    /// <summary>Public facts of a registered institution: name, class, public keys (<see cref="InstitutionLookupRequest"/>).</summary>
    public const string InstitutionLookup = "institutions/lookup";

    /// <summary>Provision records about the person a token denotes, for that token's holder (the portal) (<see cref="ProvisionRecordQuery"/>).</summary>
    public const string ProvisionRecords = "records/by-token";

    /// <summary>The latest signed checkpoint of the network's provision records (<see cref="CheckpointRequest"/>).</summary>
    public const string ProvisionCheckpoint = "records/checkpoint";

    /// <summary>
    /// The policy rows (別表第二 and ordinance rows) the calling institution's class may use in one affair on one day: which
    /// information kind from which class of provider, and the legal text (<see cref="PolicyLinkagesRequest"/> →
    /// <see cref="PolicyLinkagesResponse"/>). What a staff console offers is exactly these rows; the network still checks
    /// every query itself.
    /// </summary>
    public const string PolicyLinkages = "policy/linkages";

    /// <summary>GET: liveness and database reachability.</summary>
    public const string Health = "health";

    public const int MaxTokenBatch = 50_000;
    public const int MaxLinkageBatch = 10_000;
}

/// <summary>
/// Headers that authenticate an institution's request (and the network's own requests to intermediate servers).
/// The signature is ECDSA P-256 with SHA-256 (IEEE P1363 format, base64) over the UTF-8 bytes of
/// <c>METHOD "\n" PATH "\n" TIMESTAMP "\n" lowercase-hex(SHA-256(body))</c>, where PATH is the request path without
/// query (e.g. <c>/linkage/immediate</c>) and TIMESTAMP the value of <see cref="Timestamp"/> (Unix seconds). A receiver
/// refuses (401) an unknown institution, a bad signature or a timestamp more than <see cref="MaxClockSkewSeconds"/>
/// away from its clock. With mutual TLS the client certificate's subject must name the same institution.
/// </summary>
public static class SignedRequestHeaders
{
    // The names live in Core (SigningHandler and the receivers' verifier use them); these refer to them.
    public const string Institution = Renkei.Core.Crypto.SignatureHeaders.Institution;
    public const string Timestamp = Renkei.Core.Crypto.SignatureHeaders.Timestamp;
    public const string Signature = Renkei.Core.Crypto.SignatureHeaders.Signature;
    public const int MaxClockSkewSeconds = Renkei.Core.Crypto.SignatureHeaders.MaxClockSkewSeconds;
}

/// <summary>The kinds of institution the network knows. Linkage policy rows name classes, not single institutions.</summary>
public enum InstitutionClass
{
    /// <summary>市区町村</summary>
    Municipality,
    /// <summary>都道府県</summary>
    Prefecture,
    /// <summary>国の行政機関</summary>
    NationalAgency,
    /// <summary>日本年金機構</summary>
    PensionOrganisation,
    /// <summary>健康保険組合 and other medical insurers</summary>
    HealthInsurer,
    /// <summary>J-LIS (地方公共団体情報システム機構): asks for tokens, never inquires or provides.</summary>
    NumberingAuthority,
    /// <summary>マイナポータル: holds a token per person for their own records, never provides.</summary>
    Portal,
}

/// <summary>
/// An institution in the network's registry. <see cref="Code"/>: 6–8 of 0-9 and A-Z (a municipality's local government
/// code such as 131091, an insurer number, …). <see cref="Endpoint"/> is its intermediate server's base address (null for
/// J-LIS and the portal, which provide nothing). Public keys are SubjectPublicKeyInfo DER in base64: the signing key
/// (ECDSA P-256) verifies its requests and signed provisions; the sealing key (ECDH P-256) is what providers seal answers to.
/// </summary>
public sealed record InstitutionInfo(
    string Code,
    string Name,
    InstitutionClass Class,
    Uri? Endpoint,
    string SigningPublicKey,
    string SealingPublicKey);

public sealed record InstitutionLookupRequest(string Code);

// ------------------------------------------------------------------ tokens (符号取得)

/// <summary>J-LIS → network: a token for <paramref name="Institution"/>'s person with this resident-record code. <paramref name="RequestId"/> is the institution's own (処理通番): the network delivers the token under it.</summary>
public sealed record IssueTokenRequest(Guid RequestId, string Institution, ResidentCode ResidentCode);

/// <param name="Delivered">True once the institution's intermediate server has accepted the token (the token itself never goes back through J-LIS).</param>
/// <param name="SealedToken">
/// Only when the institution is the portal (which has no intermediate server): the token's 16 digits (UTF-8) sealed to the
/// portal's sealing key (<see cref="MessageSealing"/>, associated data = UTF-8 of <see cref="PortalTokenContext"/>), for
/// J-LIS to hand on unread; <paramref name="Delivered"/> is then false.
/// </param>
public sealed record IssueTokenResponse(Guid RequestId, bool Delivered, SealedPayload? SealedToken = null)
{
    public static string PortalTokenContext(Guid requestId, string portal) => "renkei/portal-token/v1\n" + requestId.ToString("D") + "\n" + portal;
}

/// <summary>
/// J-LIS → network: codes for the institution's pending batch <paramref name="BatchId"/>, each at the position
/// (<see cref="IndexedResidentCode.Index"/>) the institution gave the person; positions J-LIS refused are absent.
/// </summary>
public sealed record IssueTokenBatchRequest(Guid BatchId, string Institution, IReadOnlyList<IndexedResidentCode> Items);

public sealed record IndexedResidentCode(int Index, ResidentCode ResidentCode);

public sealed record IssueTokenBatchResponse(Guid BatchId, int Delivered);

// ------------------------------------------------------------------ linkage (情報連携)

/// <summary>
/// An immediate query: <paramref name="Inquirer"/>, acting in <paramref name="Affair"/> for the person its
/// <paramref name="InquirerToken"/> denotes, asks <paramref name="Provider"/> for information kind <paramref name="Kind"/>
/// valid on <paramref name="AsOf"/> (null: current). The policy is checked for <paramref name="PolicyDate"/> (null: today).
/// Resending the same <paramref name="RequestId"/> returns the first answer and writes no second record.
/// </summary>
public sealed record LinkageRequest(
    Guid RequestId,
    string Inquirer,
    Token InquirerToken,
    string Affair,
    string Provider,
    string Kind,
    DateOnly? AsOf,
    DateOnly? PolicyDate);

public enum LinkageOutcome
{
    /// <summary>The provider answered with the information (sealed for the inquirer).</summary>
    Provided,
    /// <summary>The provider holds nothing for this person and kind (on that date).</summary>
    NotHeld,
    /// <summary>The network refused: see <see cref="LinkageResponse.RefusalCode"/> (<see cref="RefusalCodes"/>).</summary>
    Refused,
    /// <summary>The provider did not answer (down or timed out); nothing was provided. Immediate queries fail fast.</summary>
    ProviderUnavailable,
}

/// <summary>The reason codes of a refusal, each recorded in the provision records.</summary>
public static class RefusalCodes
{
    /// <summary>No 別表第二 / ordinance row for (inquirer class, affair, provider class, kind).</summary>
    public const string NoPolicyRow = "no-policy-row";
    /// <summary>A row exists but is not in force on the policy date.</summary>
    public const string NotInForce = "not-in-force";
    /// <summary>The token was not issued to the inquirer.</summary>
    public const string UnknownToken = "unknown-token";
    /// <summary>The provider is not in the registry (or provides nothing).</summary>
    public const string ProviderNotRegistered = "provider-not-registered";
    /// <summary>The provider holds no token for the person (never asked for one).</summary>
    public const string ProviderHasNoToken = "provider-has-no-token";
}

/// <summary>
/// The answer to an immediate query (and one item of a batch). <paramref name="Answer"/> is present for
/// <see cref="LinkageOutcome.Provided"/> and <see cref="LinkageOutcome.NotHeld"/>: the provider's signed, sealed reply,
/// which the network cannot read. <paramref name="RecordSequence"/> is the network's provision-record entry.
/// </summary>
public sealed record LinkageResponse(
    Guid RequestId,
    LinkageOutcome Outcome,
    string? RefusalCode,
    string? Message,
    SignedSealedAnswer? Answer,
    long RecordSequence);

/// <summary>
/// What a provider returns, unreadable to the network: <paramref name="Sealed"/> is ECDH P-256 (the provider's windowed
/// ephemeral key, docs/linkage-crypto.md) + HKDF-SHA256 + AES-256-GCM to the inquirer's sealing key, and
/// <paramref name="Signature"/> is the provider's ECDSA P-256 batch signature (<c>BatchSignature</c>; a plain P1363 base64
/// signature is accepted too) over <c>RequestId "\n" Provider "\n" Inquirer "\n" Kind "\n" SealedPayload.Canonical</c>.
/// The plaintext is a UTF-8 JSON <see cref="ProvidedInformation"/>.
/// <paramref name="Held"/> is the one thing the network reads: whether the provider held the information (true) or answers
/// "not held" (false), so it can record 提供 or 該当なし without opening the payload; it must agree with
/// <see cref="ProvidedInformation.Held"/> inside (an inquirer treats a disagreement as a forged answer). It is not part of
/// the signed text (added to the contract after the signature's definition); a missing value reads as true.
/// </summary>
public sealed record SignedSealedAnswer(string Provider, SealedPayload Sealed, string Signature, bool Held = true)
{
    /// <summary>The text <see cref="Signature"/> covers: <c>RequestId "\n" Provider "\n" Inquirer "\n" Kind "\n" Sealed.Canonical</c> (the request id in the 36-character "D" form, lower case).</summary>
    public static string SignedText(Guid requestId, string provider, string inquirer, string kind, SealedPayload sealedPayload) =>
        requestId.ToString("D") + "\n" + provider + "\n" + inquirer + "\n" + kind + "\n" + sealedPayload.Canonical;
}

/// <summary>The plaintext inside a sealed answer: provided (with the copy) or not held (with the provider's reason).</summary>
public sealed record ProvidedInformation(
    bool Held,
    string Kind,
    DateOnly? AsOf,
    long? Version,
    DateTimeOffset? UpdatedAt,
    JsonElement? Body,
    string? Reason);

/// <summary>One person of a batch query. <paramref name="ItemId"/> is the inquirer's, unique in the batch.</summary>
public sealed record BatchLinkageItem(string ItemId, Token InquirerToken, DateOnly? AsOf);

/// <summary>A batch query: one affair, provider and kind for up to <see cref="NetworkRoutes.MaxLinkageBatch"/> people. Resending the same <paramref name="BatchId"/> is a no-op.</summary>
public sealed record BatchLinkageRequest(
    Guid BatchId,
    string Inquirer,
    string Affair,
    string Provider,
    string Kind,
    DateOnly? PolicyDate,
    IReadOnlyList<BatchLinkageItem> Items);

public enum BatchState { Queued, Running, Completed }

/// <summary>Accepted (HTTP 202): the network works through the batch in the background and keeps it across restarts.</summary>
public sealed record BatchLinkageAccepted(Guid BatchId, int Items, BatchState State);

/// <summary>Status of a batch; results are paged (<paramref name="AfterItemIndex"/>, <paramref name="Limit"/> ≤ 1,000).</summary>
public sealed record BatchStatusRequest(Guid BatchId, string Inquirer, int AfterItemIndex = -1, int Limit = 1000);

/// <summary>
/// <paramref name="Pending"/> counts items still waiting (e.g. the provider is down: they are retried until it returns).
/// <paramref name="Results"/> holds the finished items after <see cref="BatchStatusRequest.AfterItemIndex"/> in item order,
/// up to the first item still pending: items finish in any order, and a reader that pages on from the last index it got
/// never passes over one that finishes later.
/// </summary>
public sealed record BatchStatusResponse(Guid BatchId, BatchState State, int Total, int Finished, int Pending, IReadOnlyList<BatchItemResult> Results);

public sealed record BatchItemResult(int ItemIndex, string ItemId, LinkageResponse Response);

// ------------------------------------------------------------------ the published policy (別表第二)

/// <summary>
/// The rows <paramref name="Inquirer"/> (the caller) may use working <paramref name="Affair"/> on <paramref name="Date"/>
/// (null: today in Japan). The rows are those of the caller's institution class.
/// </summary>
public sealed record PolicyLinkagesRequest(string Inquirer, string Affair, DateOnly? Date = null);

/// <summary>
/// One published policy row: an inquirer of the caller's class working <paramref name="Affair"/> may obtain
/// <paramref name="Kind"/> (<paramref name="KindName"/>, e.g. 地方税関係情報) from a provider of <paramref name="ProviderClass"/>
/// between <paramref name="EffectiveFrom"/> and <paramref name="EffectiveTo"/> (inclusive; null: open), under
/// <paramref name="Source"/> (the legal text).
/// </summary>
public sealed record PublishedPolicyRow(
    string RowId,
    string Affair,
    InstitutionClass ProviderClass,
    string Kind,
    string? KindName,
    DateOnly EffectiveFrom,
    DateOnly? EffectiveTo,
    string Source,
    string? Note);

/// <summary>The rows in force for the caller's class, the affair and the day; empty when the affair has none (or is unknown).</summary>
public sealed record PolicyLinkagesResponse(
    string PolicyVersion,
    InstitutionClass InquirerClass,
    string Affair,
    string? AffairName,
    DateOnly Date,
    IReadOnlyList<PublishedPolicyRow> Rows);

// ------------------------------------------------------------------ provision records (情報提供等記録)

public enum ProvisionResult
{
    /// <summary>提供: the information was provided.</summary>
    Provided,
    /// <summary>該当なし: the provider holds nothing for the person.</summary>
    NotHeld,
    /// <summary>拒否: the network refused (a refusal code says why).</summary>
    Refused,
    /// <summary>提供者応答なし: the provider was unavailable.</summary>
    ProviderUnavailable,
}

/// <summary>
/// One provision record as the network keeps it: who asked whom, in which affair, for which kind, when, and the result.
/// Persons appear only as tokens (the network additionally keys records by ID code internally).
/// </summary>
public sealed record ProvisionRecord(
    long Sequence,
    DateTimeOffset RecordedAt,
    Guid RequestId,
    string Inquirer,
    string Provider,
    string Affair,
    string Kind,
    ProvisionResult Result,
    string? RefusalCode);

/// <summary>The provision records about the person <paramref name="Token"/> denotes at <paramref name="Institution"/> (the caller).</summary>
public sealed record ProvisionRecordQuery(string Institution, Token Token, DateOnly? From, DateOnly? To);

public sealed record ProvisionRecordList(IReadOnlyList<ProvisionRecord> Records);

public sealed record CheckpointRequest(string Institution);

/// <summary>A signed checkpoint of the network's provision records: the head after <paramref name="Sequence"/> entries, signed with the network's key (ECDSA P-256, SPKI of the verifying key given).</summary>
/// <remarks><paramref name="HeadHash"/> is lowercase hex, <paramref name="Signature"/> base64 (IEEE P1363) over Core
/// <c>AuditCheckpoint.SignedBytes(LogIdentity, Sequence, head hash, SignedAt in µs)</c>.</remarks>
public sealed record ProvisionCheckpoint(long Sequence, string HeadHash, DateTimeOffset SignedAt, string Signature, string NetworkPublicKey)
{
    /// <summary>The log identity the network's provision-record checkpoints are signed under.</summary>
    public const string LogIdentity = "renkei/network/provision-records";
}

// ------------------------------------------------------------------ what the network asks of an institution's node

/// <summary>
/// Routes every information holder's node (its intermediate server) serves for the network. Requests on them are
/// signed by the network (<see cref="SignedRequestHeaders"/>, institution <see cref="NetworkInstitutionCode"/>); the
/// node refuses anything else.
/// </summary>
public static class NodeRoutes
{
    /// <summary>The network forwards a query (<see cref="ProvideRequest"/> → <see cref="SignedSealedAnswer"/>).</summary>
    public const string Provide = "network/provide";

    /// <summary>
    /// The network forwards a chunk of a batch query's items under one signed request (<see cref="BulkProvideRequest"/> →
    /// <see cref="BulkProvideResponse"/>, per item the same answer <see cref="Provide"/> would give).
    /// </summary>
    public const string ProvideBulk = "network/provide/bulk";

    /// <summary>The network delivers one token under the institution's request id (<see cref="TokenDelivery"/>).</summary>
    public const string DeliverToken = "network/tokens/deliver";

    /// <summary>The network delivers a batch of tokens (<see cref="TokenBatchDelivery"/>).</summary>
    public const string DeliverTokenBatch = "network/tokens/batches/deliver";

    /// <summary>The code the network signs its own requests with.</summary>
    public const string NetworkInstitutionCode = "NETWORK";
}

/// <summary>
/// Network → provider: answer <paramref name="Kind"/> for the person <paramref name="ProviderToken"/> denotes (the
/// provider's own token, converted by the network), sealed to <paramref name="InquirerSealingKey"/> (SPKI, base64) and
/// signed. The provider records the provision on its side under <paramref name="RequestId"/>.
/// </summary>
public sealed record ProvideRequest(
    Guid RequestId,
    string Inquirer,
    string Affair,
    string Provider,
    Token ProviderToken,
    string Kind,
    DateOnly? AsOf,
    string InquirerSealingKey);

/// <summary>One person of a <see cref="BulkProvideRequest"/>: the request id the provider records under, its own token for the person, the as-of date.</summary>
public sealed record BulkProvideItem(Guid RequestId, Token ProviderToken, DateOnly? AsOf);

/// <summary>
/// Network → provider: a chunk of one batch query's items (one inquirer, affair, provider and kind), at most
/// <see cref="MaxItems"/>, under one signed request. Each item is answered and recorded exactly as the
/// <see cref="ProvideRequest"/> <see cref="ItemRequest"/> makes of it would be on <see cref="NodeRoutes.Provide"/>: a resent
/// item (the same request id and content) gets the very same answer and no second record.
/// </summary>
public sealed record BulkProvideRequest(
    Guid ChunkId,
    string Inquirer,
    string Affair,
    string Provider,
    string Kind,
    string InquirerSealingKey,
    IReadOnlyList<BulkProvideItem> Items)
{
    public const int MaxItems = 1000;

    /// <summary>The single query <paramref name="item"/> stands for.</summary>
    public ProvideRequest ItemRequest(BulkProvideItem item) =>
        new(item.RequestId, Inquirer, Affair, Provider, item.ProviderToken, Kind, item.AsOf, InquirerSealingKey);
}

/// <summary>
/// One item's outcome in a <see cref="BulkProvideResponse"/>: the signed, sealed answer, or (answer null) the refusal
/// code the single route would have answered with (e.g. <c>request-in-progress</c>); the network retries such an item later.
/// </summary>
public sealed record BulkProvideResult(Guid RequestId, SignedSealedAnswer? Answer, string? Code = null);

/// <summary>
/// Provider → network: per item of the chunk, in the request's order. The answers first given in this response share one
/// batch signature (each carries its own leaf index and audit path, so it still verifies alone); an answer given before
/// (a resent item) is returned as stored, with its own signature.
/// </summary>
public sealed record BulkProvideResponse(Guid ChunkId, IReadOnlyList<BulkProvideResult> Results);

/// <summary>Network → institution's node: the token for the person the institution registered under <paramref name="RequestId"/>.</summary>
public sealed record TokenDelivery(Guid RequestId, string Institution, Token Token);

public sealed record TokenDeliveryAck(Guid RequestId, bool Bound);

/// <summary>Network → institution's node: tokens for positions of the pending batch <paramref name="BatchId"/>.</summary>
public sealed record TokenBatchDelivery(Guid BatchId, string Institution, IReadOnlyList<IndexedToken> Tokens);

public sealed record IndexedToken(int Index, Token Token);

public sealed record TokenBatchDeliveryAck(Guid BatchId, int Bound);
