using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Kinds;
using Renkei.Intermediate.Storage;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Copies;

/// <summary>
/// The intermediate server's work for one holder: validates copies at the edge (kind, schema, forbidden content),
/// stores them so that an older version never replaces a newer one, makes loads and updates idempotent by request id,
/// and answers provision requests from the copies.
/// </summary>
public sealed class CopyService
{
    private const int MaxErrorsInMessage = 10;

    private readonly TimeProvider _clock;

    public CopyService(IntermediateStore store, InformationKindCatalogue kinds, string holderCode, string holderName, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(holderName);
        Store = store;
        Kinds = kinds;
        HolderCode = holderCode;
        HolderName = holderName;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>
    /// The copies on the server's database (the module's, and batch jobs and tests in the same process as the database):
    /// loads and checks the information kinds (a broken schema file fails here, naming the file) and creates the schema.
    /// </summary>
    public static CopyService Open(Database database, IntermediateOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.HolderCode);
        var kinds = options.KindsFile is null ? InformationKindCatalogue.LoadDefault() : InformationKindCatalogue.Load(options.KindsFile);
        var store = new IntermediateStore(database);
        store.EnsureSchema();
        return new CopyService(store, kinds, options.HolderCode, options.HolderName ?? "", clock);
    }

    public IntermediateStore Store { get; }
    public InformationKindCatalogue Kinds { get; }
    public string HolderCode { get; }
    public string HolderName { get; }

    // ---------------------------------------------------------------- validation at the edge

    /// <summary>Checks the holder is this server's.</summary>
    public void CheckHolder(string? holder)
    {
        if (string.IsNullOrEmpty(holder))
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "holder: required (提供者コードがありません)");
        if (!string.Equals(holder, HolderCode, StringComparison.Ordinal))
            throw new RefusalException(StatusCodes.Status400BadRequest, "wrong-holder",
                $"this intermediate server keeps copies for holder {HolderCode} only (この中間サーバーの情報保有機関ではありません)");
    }

    /// <summary>
    /// Validates one copy; on success <paramref name="record"/> is what the store may keep. Errors are added with paths
    /// under <paramref name="path"/> (e.g. <c>copies[3]</c>).
    /// </summary>
    public bool TryValidate(CopyUpdate? copy, string path, List<ValidationError> errors, out CopyRecord? record)
    {
        record = null;
        var before = errors.Count;
        if (copy is null)
        {
            errors.Add(new ValidationError(path, "required", "the copy is missing (副本がありません)"));
            return false;
        }
        if (copy.AddresseeNumber < 1)
            errors.Add(new ValidationError(path + ".addresseeNumber", "minimum", "must be at least 1 (団体内統合宛名番号が正しくありません)"));
        if (copy.Version < 0)
            errors.Add(new ValidationError(path + ".version", "minimum", "must be at least 0 (版が正しくありません)"));
        var kind = copy.Kind is null ? null : Kinds.Find(copy.Kind);
        if (kind is null)
            errors.Add(new ValidationError(path + ".kind", "enum", "not an information kind this server keeps (情報の種類が不明です)"));
        if (copy.Body.ValueKind == JsonValueKind.Undefined)
            errors.Add(new ValidationError(path + ".body", "required", "the body is missing (情報本体がありません)"));
        else if (kind is not null)
            kind.Validate(copy.Body, path + ".body", errors);
        if (errors.Count > before) return false;
        record = new CopyRecord(copy.AddresseeNumber, copy.Kind!, copy.AsOf, copy.Version, copy.Body.GetRawText());
        return true;
    }

    /// <summary>
    /// The staff member, terminal and affair the holder's systems act for (400 <c>invalid-request</c> naming the field when
    /// missing or malformed); <paramref name="affair"/>, when given, is the request's own affair, which the actor's must be.
    /// </summary>
    public static Actor RequireActor(Actor? actor, string? affair = null)
    {
        if (actor is null)
            throw InvalidRequest("actor: required: the staff member, terminal and affair the request is made for (操作者・端末・事務の指定がありません)");
        foreach (var (value, field) in new[] { (actor.Staff, "staff"), (actor.Terminal, "terminal"), (actor.Affair, "affair") })
            if (string.IsNullOrWhiteSpace(value) || value.Length > Actor.MaxLength || value.Any(char.IsControl)
                || ForbiddenContent.ContainsIndividualNumber(value))
                throw InvalidRequest($"actor.{field}: 1 to {Actor.MaxLength} characters, no control characters, no number (操作者の指定が正しくありません)");
        if (affair is not null && !string.Equals(actor.Affair, affair, StringComparison.Ordinal))
            throw InvalidRequest("actor.affair: must be the request's affair (操作者の事務が要求の事務と異なります)");
        return actor;
    }

    private static RefusalException InvalidRequest(string message) =>
        new(StatusCodes.Status400BadRequest, "invalid-request", message);

    internal static RefusalException Invalid(IReadOnlyList<ValidationError> errors)
    {
        var shown = string.Join("; ", errors.Take(MaxErrorsInMessage));
        var more = errors.Count > MaxErrorsInMessage ? $"; and {errors.Count - MaxErrorsInMessage} more" : "";
        return new RefusalException(StatusCodes.Status400BadRequest, "invalid-copy",
            $"{shown}{more} (副本の内容が正しくありません)");
    }

    // ---------------------------------------------------------------- loading

    /// <summary>
    /// Stores a batch in one transaction. Any invalid copy refuses the whole batch (nothing stored) with every problem
    /// named by path and rule. A resent request id returns the first answer; a request id reused for different content
    /// is refused.
    /// </summary>
    public LoadBatchResponse LoadBatch(LoadBatchRequest request, string fingerprint)
    {
        CheckHolder(request.Holder);
        var actor = RequireActor(request.Actor);
        var copies = request.Copies ?? throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "copies: required (副本がありません)");
        if (copies.Count > IntermediateRoutes.MaxBatchSize)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large",
                $"copies: at most {IntermediateRoutes.MaxBatchSize} per batch (件数が多すぎます)");
        var errors = new List<ValidationError>();
        var records = new List<CopyRecord>(copies.Count);
        for (var i = 0; i < copies.Count; i++)
            if (TryValidate(copies[i], $"copies[{i}]", errors, out var record)) records.Add(record!);
        if (errors.Count > 0) throw Invalid(errors);

        return Idempotent(request.RequestId, "load-batch", fingerprint, (c, t, now) =>
        {
            var result = Store.WriteCopies(c, t, HolderCode, records, now);
            Store.Actions.Append(c, t, request.RequestId, HolderActionLog.CopyBatch, actor, now, items: records.Count);
            var (unchanged, stale, listed) = Describe(result, i => (i, records[i]));
            return new LoadBatchResponse(request.RequestId, records.Count, result.Written, unchanged, stale, listed);
        });
    }

    /// <summary>Stores or replaces one copy; a stale version is ignored with the reason.</summary>
    public UpsertCopyResponse Upsert(UpsertCopyRequest request, string fingerprint)
    {
        CheckHolder(request.Holder);
        var actor = RequireActor(request.Actor);
        var errors = new List<ValidationError>();
        if (!TryValidate(request.Copy, "copy", errors, out var record)) throw Invalid(errors);
        return Idempotent(request.RequestId, "upsert", fingerprint, (c, t, now) =>
        {
            var held = Store.HeldVersion(c, t, HolderCode, record!.AddresseeNumber, record.Kind);
            var result = Store.WriteCopies(c, t, HolderCode, [record], now);
            Store.Actions.Append(c, t, request.RequestId, HolderActionLog.CopyUpsert, actor, now, record.AddresseeNumber, record.Kind);
            if (result.Written == 1)
                return new UpsertCopyResponse(request.RequestId, held is null ? CopyUpdateOutcome.Created : CopyUpdateOutcome.Replaced, record.Version, null);
            var ignored = result.Ignored[0];
            return ignored.SameVersion
                ? new UpsertCopyResponse(request.RequestId, CopyUpdateOutcome.Unchanged, ignored.StoredVersion, UnchangedReason(ignored))
                : new UpsertCopyResponse(request.RequestId, CopyUpdateOutcome.Stale, ignored.StoredVersion, StaleReason(record.Version, ignored));
        });
    }

    public DeleteCopyResponse Delete(DeleteCopyRequest request, string fingerprint)
    {
        CheckHolder(request.Holder);
        var actor = RequireActor(request.Actor);
        var errors = new List<ValidationError>();
        if (request.AddresseeNumber < 1)
            errors.Add(new ValidationError("addresseeNumber", "minimum", "must be at least 1 (団体内統合宛名番号が正しくありません)"));
        if (request.Kind is null || Kinds.Find(request.Kind) is null)
            errors.Add(new ValidationError("kind", "enum", "not an information kind this server keeps (情報の種類が不明です)"));
        if (string.IsNullOrWhiteSpace(request.Reason) || request.Reason.Length > 64 || ForbiddenContent.ContainsIndividualNumber(request.Reason))
            errors.Add(new ValidationError("reason", "pattern", "a short reason code such as retention-ended is required (削除理由が必要です)"));
        if (errors.Count > 0) throw Invalid(errors);
        return Idempotent(request.RequestId, "delete", fingerprint, (c, t, now) =>
        {
            Store.Actions.Append(c, t, request.RequestId, HolderActionLog.CopyDelete, actor, now, request.AddresseeNumber, request.Kind);
            return new DeleteCopyResponse(request.RequestId, Store.DeleteCopy(c, t, HolderCode, request.AddresseeNumber, request.Kind!));
        });
    }

    /// <summary>
    /// Counts the ignored copies of a write and lists the first <see cref="IgnoredCopy.MaxListed"/> with their reasons.
    /// <paramref name="locate"/> maps a batch index to (the index or line number to report, the copy).
    /// </summary>
    internal static (int Unchanged, int Stale, List<IgnoredCopy> Listed) Describe(BatchWriteResult result, Func<int, (long Position, CopyRecord Copy)> locate,
        int alreadyListed = 0)
    {
        int unchanged = 0, stale = 0;
        var listed = new List<IgnoredCopy>();
        foreach (var ignored in result.Ignored)
        {
            var (position, copy) = locate(ignored.Index);
            if (ignored.SameVersion) unchanged++;
            else stale++;
            if (alreadyListed + listed.Count >= IgnoredCopy.MaxListed) continue;
            listed.Add(ignored.SameVersion
                ? new IgnoredCopy(position, copy.AddresseeNumber, copy.Kind, "unchanged", UnchangedReason(ignored))
                : new IgnoredCopy(position, copy.AddresseeNumber, copy.Kind, "stale", StaleReason(copy.Version, ignored)));
        }
        return (unchanged, stale, listed);
    }

    private static string UnchangedReason(IgnoredWrite ignored) => ignored.WithinBatch
        ? $"version {ignored.StoredVersion} of this copy appears earlier in the same batch (同じ版が既にあります)"
        : $"version {ignored.StoredVersion} is already held (同じ版を保有済みです)";

    private static string StaleReason(long version, IgnoredWrite ignored) => ignored.WithinBatch
        ? $"version {version} is older than version {ignored.StoredVersion} in the same batch (より新しい版があります)"
        : $"version {version} is older than the held version {ignored.StoredVersion} (より新しい版を保有しています)";

    internal T Idempotent<T>(Guid requestId, string operation, string fingerprint, Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, DateTimeOffset, T> work)
    {
        if (requestId == Guid.Empty)
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "requestId: required (要求IDがありません)");
        return Store.Database.InTransaction((c, t) =>
        {
            var now = _clock.GetUtcNow();
            var seen = Store.Requests.Claim(c, t, requestId, operation, fingerprint, now);
            if (seen is not null)
            {
                if (seen.Operation != operation || seen.Fingerprint != fingerprint || seen.Response is null)
                    throw new RefusalException(StatusCodes.Status409Conflict, "request-id-reused",
                        "this request id was used for a different request (要求IDが別の要求で使用済みです)");
                return JsonSerializer.Deserialize<T>(seen.Response, JsonDefaults.Options)!;
            }
            var response = work(c, t, now);
            Store.Requests.Complete(c, t, requestId, JsonSerializer.Serialize(response, JsonDefaults.Options));
            return response;
        });
    }

    // ---------------------------------------------------------------- answering

    /// <summary>
    /// Answers a provision request (情報提供) from the copies: the body, or "not held" with a reason code. The read is kept
    /// with its actor in <see cref="HolderActionLog"/>.
    /// </summary>
    public async Task<ProvisionResponse> ProvideAsync(ProvisionRequest request, CancellationToken cancellationToken = default)
    {
        CheckHolder(request.Holder);
        var actor = RequireActor(request.Actor);
        var errors = new List<ValidationError>();
        var byNumber = request.AddresseeNumber is not null;
        var byToken = !string.IsNullOrEmpty(request.Token);
        if (byNumber == byToken)
            errors.Add(new ValidationError("addresseeNumber", "oneOf", "give exactly one of addresseeNumber and token (宛名番号か符号のどちらか一方を指定してください)"));
        if (request.AddresseeNumber is < 1)
            errors.Add(new ValidationError("addresseeNumber", "minimum", "must be at least 1 (団体内統合宛名番号が正しくありません)"));
        Token? token = null;
        if (byToken)
        {
            var parsed = Token.Parse(request.Token);
            if (parsed.IsValid) token = parsed.Value;
            else errors.Add(new ValidationError("token", "pattern", "not a token of 16 digits (符号の形式が正しくありません)"));
        }
        if (request.Kind is null || Kinds.Find(request.Kind) is null)
            errors.Add(new ValidationError("kind", "enum", "not an information kind this server keeps (情報の種類が不明です)"));
        if (errors.Count > 0)
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", string.Join("; ", errors) + " (要求の内容が正しくありません)");

        var copy = token is { } known
            ? await Store.FindByTokenAsync(HolderCode, known, request.Kind!, cancellationToken)
            : await Store.FindAsync(HolderCode, request.AddresseeNumber!.Value, request.Kind!, cancellationToken);
        await Store.Actions.AppendAsync(request.RequestId == Guid.Empty ? null : request.RequestId, HolderActionLog.Provision, actor, _clock.GetUtcNow(),
            request.AddresseeNumber ?? copy?.AddresseeNumber, request.Kind, cancellationToken: cancellationToken);
        return Answer(request.RequestId, request.Kind!, request.AsOf, copy);
    }

    /// <summary>
    /// The answer for the copy held (null: none) to a request for <paramref name="kind"/> valid on <paramref name="asOf"/>:
    /// <c>no-copy</c> when nothing is held, <c>only-later-copy</c> when the copy is valid only from a later date.
    /// </summary>
    internal static ProvisionResponse Answer(Guid requestId, string kind, DateOnly? asOf, StoredCopy? copy)
    {
        if (copy is null)
            return new ProvisionResponse(requestId, ProvisionOutcome.NotHeld, kind, null, null, null, null, "no-copy");
        if (asOf is { } date && copy.AsOf > date)
            return new ProvisionResponse(requestId, ProvisionOutcome.NotHeld, kind, copy.AsOf, null, null, null, "only-later-copy");
        using var body = JsonDocument.Parse(copy.BodyJson);
        return new ProvisionResponse(requestId, ProvisionOutcome.Provided, copy.Kind, copy.AsOf, copy.Version, copy.UpdatedAt,
            body.RootElement.Clone(), null);
    }

    public ListKindsResponse ListKinds(ListKindsRequest request)
    {
        CheckHolder(request.Holder);
        return new ListKindsResponse(HolderCode, HolderName, Kinds.Kinds.Select(k => new InformationKindInfo(k.Code, k.Name, k.SchemaJson)).ToList());
    }
}
