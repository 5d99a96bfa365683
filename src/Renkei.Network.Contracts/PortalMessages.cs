using Renkei.Core.Crypto;
using Renkei.Core.Numbers;

namespace Renkei.Network.Contracts;

/// <summary>
/// The network's routes for the citizen portal (マイナポータル, 情報提供等記録開示システム) and for notices
/// (プッシュ型サービス). Like every network route they are signed POSTs (<see cref="SignedRequestHeaders"/>). The routes
/// marked "portal only" answer only an institution of class <see cref="InstitutionClass.Portal"/>, and only about the
/// person its own portal token denotes (the portal holds that token for the length of a login session).
/// <para>Self-information (自己情報表示) uses the ordinary <see cref="NetworkRoutes.Linkage"/> route with affair
/// <see cref="SelfDisplay.Affair"/>: the network allows the portal exactly the information kinds of the self-display list
/// (policy/network/self-display.json) and records each provision like any other.</para>
/// </summary>
public static class PortalRoutes
{
    /// <summary>The portal's code in the demo registry (a deployment may choose another).</summary>
    public const string DemoPortalCode = "PORTAL";

    /// <summary>Portal only: one provision record about the person with its inclusion proof against a signed tree head (<see cref="RecordProofRequest"/> → <see cref="RecordProof"/>).</summary>
    public const string RecordProof = "records/proof";

    /// <summary>Portal only: the current signed tree head of the provision records (<see cref="TreeHeadRequest"/> → <see cref="ProvisionTreeHead"/>).</summary>
    public const string TreeHead = "records/tree-head";

    /// <summary>Portal only: which institutions hold a token for the person and which self-display kinds each may be asked for (<see cref="SelfSourcesRequest"/> → <see cref="SelfSourcesResponse"/>).</summary>
    public const string SelfSources = "self/sources";

    /// <summary>Portal only: the notices for the person, newest first (<see cref="NoticeQuery"/> → <see cref="NoticeList"/>).</summary>
    public const string Notices = "notices/by-token";

    /// <summary>Portal only: marks one of the person's notices read (<see cref="NoticeReadRequest"/> → <see cref="NoticeReadAck"/>).</summary>
    public const string NoticeRead = "notices/read";

    /// <summary>Any registered institution but J-LIS and the portal: a notice for the person its token denotes (<see cref="PushNoticeRequest"/> → <see cref="PushNoticeAccepted"/>).</summary>
    public const string PushNotice = "notices/push";
}

/// <summary>自己情報表示: the affair under which the portal asks holders for the person's own information.</summary>
public static class SelfDisplay
{
    public const string Affair = "self-display";

    /// <summary>The affair's name in the network's signed name table (what a person reads in やりとり履歴).</summary>
    public const string AffairName = "自己情報表示（マイナポータル）";
}

// ------------------------------------------------------------------ verifiable provision records

/// <summary>
/// A signed tree head of the network's provision records: the Merkle tree (RFC 9162 §2.1 hashing: leaf =
/// SHA-256(0x00 ‖ leaf data), node = SHA-256(0x01 ‖ left ‖ right)) over the first <paramref name="TreeSize"/> records in
/// sequence order, its root <paramref name="RootHash"/> (lowercase hex), signed with the network's key (ECDSA P-256,
/// SHA-256, IEEE P1363, base64) over the UTF-8 of <see cref="SignedText"/>. <paramref name="NetworkPublicKey"/> is the
/// verifying key (SubjectPublicKeyInfo DER, base64), the same key that signs the hash-chain checkpoints.
/// </summary>
public sealed record ProvisionTreeHead(long TreeSize, string RootHash, DateTimeOffset SignedAt, string Signature, string NetworkPublicKey)
{
    public const string Label = "renkei/network/provision-records/tree-head/v1";

    /// <summary><c>Label "\n" TreeSize "\n" RootHash "\n" SignedAt (Unix milliseconds)</c>.</summary>
    public static string SignedText(long treeSize, string rootHash, DateTimeOffset signedAt) =>
        Label + "\n" + treeSize.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + rootHash + "\n"
        + signedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed record TreeHeadRequest(string Institution);

/// <summary>
/// The provision records' log as anyone may read it (RFC 9162's log API in small): the latest signed tree head and
/// consistency proofs between two of its sizes. Heads and proofs hold no personal data, so these routes are public
/// GETs: a monitor or a resident checks that every head extends the one they kept.
/// </summary>
public static class ProvisionLogRoutes
{
    /// <summary>GET: the latest signed head (<see cref="ProvisionTreeHead"/>).</summary>
    public const string LatestHead = "records/log/head";

    /// <summary>GET <c>?first=m&amp;second=n</c>: the consistency proof from size m to size n, 0 ≤ m ≤ n ≤ the latest head's size (<see cref="ConsistencyProof"/>).</summary>
    public const string Consistency = "records/log/consistency";

    /// <summary>GET: the names of the codes a record holds (institutions, affairs, information kinds), signed (<see cref="SignedNameTable"/>).</summary>
    public const string Names = "records/names";

    /// <summary>GET: the network CA's certificate (PEM) for the key that signs the heads, checkpoints and name table.</summary>
    public const string SigningCertificate = "records/signing-certificate";
}

/// <summary>A code and its Japanese name.</summary>
public sealed record NamedCode(string Code, string Name);

/// <summary>
/// The names of every code a provision record can hold: registered institutions, the policy's affairs and information
/// kinds. <paramref name="Version"/> is the policy's version and a digest of the names, so a different table has a
/// different version. Lists are ordered by code (ordinal).
/// </summary>
public sealed record NameTable(string Version, DateTimeOffset IssuedAt, IReadOnlyList<NamedCode> Institutions,
    IReadOnlyList<NamedCode> Affairs, IReadOnlyList<NamedCode> Kinds);

/// <summary>
/// A <see cref="NameTable"/> as the network publishes it: <paramref name="Table"/> is the base64 of the table's canonical
/// JSON, <paramref name="Signature"/> the network's ECDSA P-256 signature (SHA-256, IEEE P1363, base64) over the UTF-8 of
/// <see cref="SignedText"/>, with the key that signs the provision records' tree heads (<paramref name="NetworkPublicKey"/>),
/// so a page that pins that key can check that the names it shows for a record are the network's.
/// </summary>
public sealed record SignedNameTable(string Table, string Signature, string NetworkPublicKey)
{
    public const string Label = "renkei/network/name-table/v1";

    /// <summary><c>Label "\n" Table</c> (the base64 text).</summary>
    public static string SignedText(string table) => Label + "\n" + table;
}

/// <summary>
/// RFC 9162 §2.1.4 consistency proof that the tree of <paramref name="FirstSize"/> records is a prefix of the tree of
/// <paramref name="SecondSize"/> records: <paramref name="Path"/> in lowercase hex (empty when the sizes are equal or the
/// first is 0). Verify it against the roots of two signed heads you kept (<c>MerkleTree.VerifyConsistency</c>).
/// </summary>
public sealed record ConsistencyProof(long FirstSize, long SecondSize, IReadOnlyList<string> Path);

/// <summary>The record with <paramref name="Sequence"/>, if it is about the person <paramref name="Token"/> (the caller's token) denotes.</summary>
public sealed record RecordProofRequest(string Institution, Token Token, long Sequence);

/// <summary>
/// One record and the proof that it is leaf <paramref name="LeafIndex"/> (= sequence − 1) of the tree under
/// <paramref name="TreeHead"/>. <paramref name="LeafData"/> (base64) is exactly the bytes hashed into the leaf: a
/// canonical JSON object holding the record's public fields (sequence, time, request id, inquirer, provider, affair,
/// kind, result, refusal code) and a salted commitment to the persons' tokens — so a person can recompute the leaf from
/// what the page shows without ever seeing a token. <paramref name="AuditPath"/> is the RFC 9162 inclusion proof
/// (lowercase hex, leaf to root).
/// </summary>
public sealed record RecordProof(ProvisionRecord Record, string LeafData, long LeafIndex, IReadOnlyList<string> AuditPath, ProvisionTreeHead TreeHead);

/// <summary>
/// What a provision record's leaf data (<see cref="RecordProof.LeafData"/>) holds: <c>Renkei.Core.Audit.CanonicalJson</c>
/// of this record (camelCase keys in ordinal order, no whitespace, enums as camelCase strings, <paramref name="RecordedAt"/>
/// as System.Text.Json writes a UTC <see cref="DateTimeOffset"/>, null written as null). Every field but
/// <paramref name="Subject"/> equals the <see cref="ProvisionRecord"/>'s field of the same name. <paramref name="Subject"/> is
/// the salted commitment to the persons' tokens: lowercase hex SHA-256 of the UTF-8 of
/// <c>"renkei/provision-subject/v1" "\n" base64(16-byte salt) "\n" inquirer's token "\n" provider's token (or empty)</c>;
/// the network keeps the salt and tokens for auditors and gives them to nobody through these routes (null on records
/// logged before commitments existed).
/// </summary>
public sealed record ProvisionLeaf(
    long Sequence,
    DateTimeOffset RecordedAt,
    Guid RequestId,
    string Inquirer,
    string Provider,
    string Affair,
    string Kind,
    ProvisionResult Result,
    string? RefusalCode,
    string? Subject);

// ------------------------------------------------------------------ self-information (自己情報表示)

public sealed record SelfSourcesRequest(string Institution, Token Token);

/// <summary>An institution that holds a token for the person and the self-display kinds it may be asked for.</summary>
public sealed record SelfSource(string Institution, string Name, InstitutionClass Class, IReadOnlyList<SelfDisplayKind> Kinds);

/// <summary>A self-displayable information kind, e.g. local-tax / 地方税関係情報.</summary>
public sealed record SelfDisplayKind(string Kind, string Name);

public sealed record SelfSourcesResponse(IReadOnlyList<SelfSource> Sources);

// ------------------------------------------------------------------ notices (お知らせ, プッシュ型サービス)

/// <summary>
/// An institution's notice for the person its <paramref name="Token"/> denotes. <paramref name="Sealed"/> is a
/// <see cref="NoticeContent"/> (UTF-8 JSON) sealed to the portal's sealing key (<see cref="MessageSealing"/>, associated
/// data = UTF-8 of <see cref="SealingContext"/>), so the network stores and routes it unread. Resending the same
/// <paramref name="NoticeId"/> is a no-op.
/// </summary>
public sealed record PushNoticeRequest(Guid NoticeId, string Sender, Token Token, string Portal, SealedPayload Sealed)
{
    public static string SealingContext(Guid noticeId, string sender) => "renkei/notice/v1\n" + noticeId.ToString("D") + "\n" + sender;
}

/// <summary>What a notice says. No number, no name: the person reads it in their own portal session.</summary>
public sealed record NoticeContent(string Title, string Body, string? Category, DateOnly? RespondBy);

/// <summary>Stored at the network under the person (found from any of their tokens); it shows at their next portal login.</summary>
public sealed record PushNoticeAccepted(Guid NoticeId, DateTimeOffset StoredAt);

public sealed record NoticeQuery(string Institution, Token Token);

/// <summary>A notice as the portal receives it: still sealed to the portal.</summary>
public sealed record StoredNotice(Guid NoticeId, string Sender, string SenderName, DateTimeOffset SentAt, bool Read, DateTimeOffset? ReadAt, SealedPayload Sealed);

public sealed record NoticeList(IReadOnlyList<StoredNotice> Notices);

public sealed record NoticeReadRequest(string Institution, Token Token, Guid NoticeId);

public sealed record NoticeReadAck(Guid NoticeId, DateTimeOffset ReadAt);
