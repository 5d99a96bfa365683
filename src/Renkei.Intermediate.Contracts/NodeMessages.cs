using Renkei.Network.Contracts;

namespace Renkei.Intermediate.Contracts;

/// <summary>
/// The routes an intermediate server serves as its institution's node on the network, for the holder's own systems
/// (the routes the network itself calls are <see cref="NodeRoutes"/>). Persons are named by integrated addressee number
/// (団体内統合宛名番号) only: the node maps them to the institution's tokens (符号) and never hands a token out.
/// Every route is a POST with a JSON body.
/// </summary>
public static class IntermediateNodeRoutes
{
    /// <summary>
    /// Registers one addressee before the holder asks J-LIS for the person's token (<see cref="PendingTokenRequest"/>):
    /// the network later delivers the token under the same request id (処理通番).
    /// </summary>
    public const string PendingToken = "tokens/pending";

    /// <summary>Registers a batch for bulk token acquisition (符号一斉取得) (<see cref="PendingTokenBatchRequest"/>).</summary>
    public const string PendingTokenBatch = "tokens/pending/batches";

    /// <summary>How many addressees have tokens, and whether given addressees have one (<see cref="TokenStatusRequest"/>).</summary>
    public const string TokenStatus = "tokens/status";

    /// <summary>An immediate query (即時照会) for a business system (<see cref="InquiryRequest"/> → <see cref="InquiryResponse"/>).</summary>
    public const string Query = "linkage/query";

    /// <summary>A batch query (一括照会) (<see cref="InquiryBatchRequest"/> → <see cref="InquiryBatchAccepted"/>).</summary>
    public const string QueryBatch = "linkage/batches";

    /// <summary>Polls a batch query and returns the opened answers (<see cref="InquiryBatchStatusRequest"/> → <see cref="InquiryBatchStatusResponse"/>).</summary>
    public const string QueryBatchStatus = "linkage/batches/status";

    /// <summary>
    /// The network's published policy rows for the holder's class, one affair and a day (<see cref="NodePolicyRequest"/> →
    /// <see cref="PolicyLinkagesResponse"/>), asked of the network in the holder's name: the holder's systems never read
    /// the network's files, they ask.
    /// </summary>
    public const string Policy = "linkage/policy";

    /// <summary>The holder's own provision records (情報提供等記録), as inquirer and as provider (<see cref="PartyRecordQuery"/>).</summary>
    public const string Records = "records";

    /// <summary>
    /// A notice to a person (お知らせ, プッシュ型サービス) (<see cref="SendNoticeRequest"/> → <see cref="PushNoticeAccepted"/>): the node
    /// finds the holder's token for the addressee, seals the content to the portal's sealing key from the network's
    /// registry and pushes it to the network (<see cref="PortalRoutes.PushNotice"/>) signed as the holder. Resending the
    /// same notice id is a no-op at the network.
    /// </summary>
    public const string SendNotice = "notices/send";

    /// <summary>Most addressees in one <see cref="TokenStatusRequest"/>.</summary>
    public const int MaxStatusAddressees = 10_000;

    /// <summary>Most records in one page of <see cref="Records"/>.</summary>
    public const int MaxRecordPage = 10_000;
}

// ------------------------------------------------------------------ tokens (符号)

/// <summary>
/// The holder is about to ask J-LIS for the token of addressee <paramref name="AddresseeNumber"/> under
/// <paramref name="RequestId"/>. Resending the same request is answered alike; the same id for another addressee is refused.
/// </summary>
public sealed record PendingTokenRequest(Guid RequestId, string Holder, long AddresseeNumber, Actor? Actor);

/// <param name="HasToken">The addressee already has a token (asking J-LIS again does no harm, but is not needed).</param>
public sealed record PendingTokenResponse(Guid RequestId, bool HasToken);

/// <summary>
/// A batch for bulk acquisition: the position of each addressee number in <paramref name="AddresseeNumbers"/> is the index
/// under which J-LIS and the network refer to that person (at most <see cref="NetworkRoutes.MaxTokenBatch"/>).
/// Resending the same batch (same id, same list) is answered alike.
/// </summary>
public sealed record PendingTokenBatchRequest(Guid BatchId, string Holder, IReadOnlyList<long> AddresseeNumbers, Actor? Actor);

/// <param name="Registered">Positions registered.</param>
/// <param name="WithToken">Positions whose addressee already has a token (they need not be sent to J-LIS).</param>
public sealed record PendingTokenBatchResponse(Guid BatchId, int Registered, IReadOnlyList<int> WithToken);

/// <summary>Token counts for the holder, and for each of <paramref name="AddresseeNumbers"/> (optional, at most <see cref="IntermediateNodeRoutes.MaxStatusAddressees"/>) whether it has a token.</summary>
public sealed record TokenStatusRequest(string Holder, IReadOnlyList<long>? AddresseeNumbers = null);

/// <param name="WithToken">Addressees with a token.</param>
/// <param name="Pending">Registered positions not yet delivered.</param>
/// <param name="Conflicts">Deliveries refused because the token or the addressee was already bound otherwise (two addressee numbers for one person, or the reverse: to be cleared up in the integrated addressee system).</param>
public sealed record TokenStatusResponse(string Holder, long WithToken, long Pending, long Conflicts, IReadOnlyList<AddresseeTokenState> Addressees);

public sealed record AddresseeTokenState(long AddresseeNumber, bool HasToken, bool Pending);

// ------------------------------------------------------------------ linkage (情報連携), inquirer side

/// <summary>
/// A business system of the holder, acting in <paramref name="Affair"/> for addressee <paramref name="AddresseeNumber"/>,
/// asks <paramref name="Provider"/> for information kind <paramref name="Kind"/> valid on <paramref name="AsOf"/> (null:
/// current), under the policy of <paramref name="PolicyDate"/> (null: today). Resending the same
/// <paramref name="RequestId"/> returns the first answer and records nothing twice.
/// </summary>
public sealed record InquiryRequest(
    Guid RequestId,
    string Holder,
    long AddresseeNumber,
    string Affair,
    string Provider,
    string Kind,
    DateOnly? AsOf = null,
    DateOnly? PolicyDate = null,
    Actor? Actor = null);

/// <summary>
/// Who acted, on whose behalf the holder's own systems ask (a query, a notice): the staff member, the terminal and the
/// affair the holder's operation log records for it. The intermediate server requires it (400 <c>invalid-request</c>
/// naming <c>actor</c>) and writes staff and terminal into its provision record. A batch feed or job with no person at a
/// terminal names itself with <see cref="System"/>.
/// </summary>
public sealed record Actor(string Staff, string Terminal, string Affair)
{
    /// <summary>The longest staff id or terminal (as the ward's operation log takes them).</summary>
    public const int MaxLength = 64;

    /// <summary>The prefix of a system actor's staff id and terminal.</summary>
    public const string SystemPrefix = "system:";

    /// <summary>A job of the holder's business systems acting on its own (a batch feed, the demo's seeding), named as such.</summary>
    public static Actor System(string job, string affair) => new(SystemPrefix + job, SystemPrefix + job, affair);
}

/// <summary>
/// The answer: <paramref name="Information"/> (opened, its provider's signature checked) for
/// <see cref="LinkageOutcome.Provided"/> and <see cref="LinkageOutcome.NotHeld"/>; the refusal code
/// (<see cref="RefusalCodes"/>) and message for <see cref="LinkageOutcome.Refused"/>.
/// <paramref name="NetworkRecordSequence"/> is the network's provision record, <paramref name="PartyRecordSequence"/> this
/// node's own.
/// </summary>
public sealed record InquiryResponse(
    Guid RequestId,
    LinkageOutcome Outcome,
    string? RefusalCode,
    string? Message,
    string Provider,
    ProvidedInformation? Information,
    long NetworkRecordSequence,
    long PartyRecordSequence);

/// <summary>One person of a batch query. <paramref name="ItemId"/> is the business system's own, unique in the batch.</summary>
public sealed record InquiryBatchItem(string ItemId, long AddresseeNumber, DateOnly? AsOf = null);

/// <summary>A batch query of up to <see cref="NetworkRoutes.MaxLinkageBatch"/> people. Resending the same batch is answered alike.</summary>
public sealed record InquiryBatchRequest(
    Guid BatchId,
    string Holder,
    string Affair,
    string Provider,
    string Kind,
    DateOnly? PolicyDate,
    IReadOnlyList<InquiryBatchItem> Items,
    Actor? Actor = null);

/// <param name="Submitted">Items sent to the network.</param>
/// <param name="WithoutToken">Item ids not sent because their addressee has no token yet.</param>
public sealed record InquiryBatchAccepted(Guid BatchId, int Submitted, IReadOnlyList<string> WithoutToken, BatchState State);

/// <summary>Polls a batch; results are paged by the network's item index (<paramref name="Limit"/> ≤ 1,000).</summary>
public sealed record InquiryBatchStatusRequest(Guid BatchId, string Holder, int AfterItemIndex = -1, int Limit = 1000);

public sealed record InquiryBatchStatusResponse(
    Guid BatchId,
    BatchState State,
    int Total,
    int Finished,
    int Pending,
    IReadOnlyList<InquiryBatchItemResult> Results);

/// <param name="ItemIndex">Position among the submitted items (the network's index).</param>
public sealed record InquiryBatchItemResult(int ItemIndex, string ItemId, long AddresseeNumber, InquiryResponse Response);

/// <summary>Which policy rows may the holder use working <paramref name="Affair"/> on <paramref name="Date"/> (null: today)?</summary>
public sealed record NodePolicyRequest(string Holder, string Affair, DateOnly? Date = null);

// ------------------------------------------------------------------ the holder's own provision records (情報提供等記録)

public enum PartyRole
{
    /// <summary>情報照会者: this holder asked.</summary>
    Inquirer,
    /// <summary>情報提供者: this holder answered.</summary>
    Provider,
}

/// <summary>
/// Records by addressee (null: all), recorded in [<paramref name="From"/>, <paramref name="To"/>) (null: unbounded),
/// after sequence <paramref name="AfterSequence"/>, at most <paramref name="Limit"/>.
/// </summary>
public sealed record PartyRecordQuery(
    string Holder,
    long? AddresseeNumber = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    long AfterSequence = 0,
    int Limit = 1000);

/// <summary>
/// One provision record as the holder keeps it: its role, the request, who asked whom in which affair for which kind, the
/// result. The log itself keeps the holder's token; the answer names the addressee it is bound to.
/// <paramref name="ItemIndex"/> is the item of a batch query (null for an immediate one).
/// </summary>
public sealed record PartyRecord(
    long Sequence,
    DateTimeOffset RecordedAt,
    PartyRole Role,
    Guid RequestId,
    int? ItemIndex,
    string Inquirer,
    string Provider,
    string Affair,
    string Kind,
    ProvisionResult Result,
    string? RefusalCode,
    long? AddresseeNumber,
    string? Staff = null,
    string? Terminal = null);

/// <param name="NextAfterSequence">Pass as <see cref="PartyRecordQuery.AfterSequence"/> for the next page; null at the end.</param>
public sealed record PartyRecordList(IReadOnlyList<PartyRecord> Records, long? NextAfterSequence);

// ------------------------------------------------------------------ notices (お知らせ, プッシュ型サービス)

/// <summary>
/// A notice from the holder to addressee <paramref name="AddresseeNumber"/>, for reading in portal <paramref name="Portal"/>
/// (e.g. <see cref="PortalRoutes.DemoPortalCode"/>). <paramref name="Content"/> holds no number and no name: the person reads
/// it in their own portal session. The node never sends it in clear: only the portal can open it.
/// </summary>
public sealed record SendNoticeRequest(Guid NoticeId, string Holder, long AddresseeNumber, string Portal, NoticeContent Content, Actor? Actor = null);
