using System.Text.Json;

namespace Renkei.Intermediate.Contracts;

/// <summary>
/// The published HTTP contract of an intermediate server (中間サーバー): one instance per information holder
/// (a municipality, the pension organisation, a health insurer). It keeps copies (副本) of the information the holder
/// must provide, keyed by integrated addressee number (団体内統合宛名番号) and, once the network issue lands, by token
/// (符号) — never by individual number and never with name, address, birth date or sex (基本4情報).
/// Every route except <see cref="Health"/> is a POST with a JSON body; personal keys never travel in URLs.
/// </summary>
public static class IntermediateRoutes
{
    /// <summary>A batch of copies in one JSON request (<see cref="LoadBatchRequest"/>), stored in one transaction.</summary>
    public const string LoadBatch = "copies/batches";

    /// <summary>
    /// Bulk load as NDJSON: one <see cref="CopyUpdate"/> object per line, content type <see cref="NdjsonMediaType"/>,
    /// query <c>?holder=&lt;code&gt;&amp;batchSize=&lt;n&gt;</c>. The server commits every <c>batchSize</c> lines in one
    /// transaction and answers <see cref="LoadStreamResponse"/>. The query also names the actor of the whole stream
    /// (<c>&amp;staff=…&amp;terminal=…&amp;affair=…</c>, see <see cref="Actor"/>), kept with every batch it commits.
    /// </summary>
    public const string LoadStream = "copies/stream";

    /// <summary>One copy, idempotent by request id (<see cref="UpsertCopyRequest"/>).</summary>
    public const string Upsert = "copies/upsert";

    /// <summary>Removes one copy (retention end, consent withdrawn …) (<see cref="DeleteCopyRequest"/>).</summary>
    public const string Delete = "copies/delete";

    /// <summary>Answers a provision request from the copies (<see cref="ProvisionRequest"/>).</summary>
    public const string Provide = "provision";

    /// <summary>The information kinds this server accepts (<see cref="ListKindsRequest"/>).</summary>
    public const string Kinds = "kinds";

    /// <summary>GET: liveness and database reachability.</summary>
    public const string Health = "health";

    public const string NdjsonMediaType = "application/x-ndjson";

    /// <summary>The query parameters of <see cref="LoadStream"/> naming its actor's staff id, terminal and affair.</summary>
    public const string StreamActorStaff = "staff", StreamActorTerminal = "terminal", StreamActorAffair = "affair";

    /// <summary>Lines per transaction of <see cref="LoadStream"/> when the query does not say.</summary>
    public const int DefaultStreamBatchSize = 10_000;

    /// <summary>Largest <see cref="LoadBatchRequest"/> and largest stream batch.</summary>
    public const int MaxBatchSize = 50_000;
}

/// <summary>
/// One copy as a business system sends it. <see cref="Version"/> is the sender's sequence for this
/// (addressee number, kind): a copy is replaced only by a higher version, so an update that arrives late never
/// overwrites a newer one. <see cref="AsOf"/> is the date the information is valid from (時点).
/// <see cref="Body"/> must validate against the kind's JSON schema; it may not carry a number or the four basic facts.
/// </summary>
public sealed record CopyUpdate(long AddresseeNumber, string Kind, DateOnly AsOf, long Version, JsonElement Body);

/// <summary>A batch of copies for <paramref name="Holder"/>. Resending the same <paramref name="RequestId"/> returns the first answer.</summary>
/// <paramref name="Actor"/> is who loads the batch (a feed: <see cref="Actor.System"/>), kept with the change.
public sealed record LoadBatchRequest(Guid RequestId, string Holder, IReadOnlyList<CopyUpdate> Copies, Actor? Actor);

/// <summary>
/// The result of a batch: how many copies were stored (new or replaced), how many were already stored with the same
/// version (a replay), and how many were stale (a newer version is held). <see cref="Ignored"/> lists the first
/// <see cref="IgnoredCopy.MaxListed"/> ignored copies with the reason.
/// </summary>
public sealed record LoadBatchResponse(Guid RequestId, int Received, int Stored, int Unchanged, int Stale, IReadOnlyList<IgnoredCopy> Ignored);

/// <summary>A copy that was not stored, and why (<c>stale</c> or <c>unchanged</c>).</summary>
/// <param name="Index">Position in the batch (0-based), or the line number (1-based) in a stream.</param>
public sealed record IgnoredCopy(long Index, long AddresseeNumber, string Kind, string Code, string Reason)
{
    public const int MaxListed = 100;
}

/// <summary>
/// The result of an NDJSON stream. When a line is invalid, the batch holding it is not stored, loading stops and
/// <see cref="Failure"/> says which line and why; the batches before it stay committed (resending the whole stream
/// is safe: copies already stored come back as <see cref="Unchanged"/>).
/// </summary>
public sealed record LoadStreamResponse(long Received, long Stored, long Unchanged, long Stale, int Batches, IReadOnlyList<IgnoredCopy> Ignored, StreamFailure? Failure);

/// <param name="Line">1-based line number in the stream.</param>
public sealed record StreamFailure(long Line, string Code, string Message);

/// <summary>One copy, new or replacing an older version, changed by <paramref name="Actor"/> (kept with the change).</summary>
public sealed record UpsertCopyRequest(Guid RequestId, string Holder, CopyUpdate Copy, Actor? Actor);

public enum CopyUpdateOutcome
{
    /// <summary>No copy was held for the key; this one is now.</summary>
    Created,
    /// <summary>An older version was held and has been replaced.</summary>
    Replaced,
    /// <summary>The same version is already held (a replay); nothing changed.</summary>
    Unchanged,
    /// <summary>A newer version is held; this update was ignored.</summary>
    Stale,
}

/// <param name="StoredVersion">The version held after the request.</param>
/// <param name="Reason">Why nothing changed (<see cref="CopyUpdateOutcome.Unchanged"/>, <see cref="CopyUpdateOutcome.Stale"/>).</param>
public sealed record UpsertCopyResponse(Guid RequestId, CopyUpdateOutcome Outcome, long StoredVersion, string? Reason);

/// <summary>
/// Removes the copy of one kind for one addressee. <paramref name="Reason"/> is a short code such as <c>retention-ended</c>;
/// <paramref name="Actor"/> is who removes it (kept with the change).
/// </summary>
public sealed record DeleteCopyRequest(Guid RequestId, string Holder, long AddresseeNumber, string Kind, string Reason, Actor? Actor);

/// <param name="Deleted">False when no copy was held (deleting again is not an error).</param>
public sealed record DeleteCopyResponse(Guid RequestId, bool Deleted);

/// <summary>
/// A provision request (情報提供の求め) for one person and one information kind: by integrated addressee number
/// (inside the holder) or by the holder's token for the person (from the network) — exactly one of the two.
/// <paramref name="AsOf"/> null asks for the current copy; a date asks for the information valid on that date.
/// <paramref name="Actor"/> is who reads it (kept in the server's record of the holder's actions).
/// </summary>
public sealed record ProvisionRequest(Guid RequestId, string Holder, long? AddresseeNumber, string? Token, string Kind, DateOnly? AsOf, Actor? Actor);

public enum ProvisionOutcome
{
    /// <summary>The copy is in <see cref="ProvisionResponse.Body"/>.</summary>
    Provided,
    /// <summary>The holder has no copy for this person and kind (on that date); see <see cref="ProvisionResponse.Reason"/>.</summary>
    NotHeld,
}

/// <summary>
/// The answer: the copy's body with its as-of date, version and update time, or <see cref="ProvisionOutcome.NotHeld"/>
/// with a reason code: <c>no-copy</c> (nothing held for the person and kind) or <c>only-later-copy</c> (the copy held
/// is valid only from a date after the one asked for).
/// </summary>
public sealed record ProvisionResponse(
    Guid RequestId,
    ProvisionOutcome Outcome,
    string Kind,
    DateOnly? AsOf,
    long? Version,
    DateTimeOffset? UpdatedAt,
    JsonElement? Body,
    string? Reason);

public sealed record ListKindsRequest(string Holder);

/// <summary>An information kind (情報の種類) and its JSON schema.</summary>
public sealed record InformationKindInfo(string Code, string Name, JsonElement Schema);

public sealed record ListKindsResponse(string Holder, string HolderName, IReadOnlyList<InformationKindInfo> Kinds);
