using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.Network.Linkage;
using Renkei.Network.Records;
using Renkei.Network.Registry;
using Renkei.Network.Storage;
using Renkei.Network.Tokens;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.Network.Http;

/// <summary>
/// The network's routes (<see cref="NetworkRoutes"/>). Every route but health takes a POST whose signature
/// (<see cref="SignedRequestHeaders"/>) verifies with the registered key of the sending institution; the body is parsed
/// strictly (a missing or malformed field is a 400 naming it, never repeating its value). Errors are
/// <see cref="ProblemBody"/> objects with stable codes.
/// </summary>
internal sealed class NetworkEndpoints(
    NetworkStore store,
    InstitutionRegistry registry,
    TokenDeriver tokens,
    TokenIssuance issuance,
    LinkageService linkage,
    BatchService batches,
    ProvisionRecords records,
    Renkei.Network.Policy.LinkagePolicy policy,
    TimeProvider clock,
    IMessageTap? tap,
    LogSigningCertificate logCertificate)
{
    private static readonly JsonSerializerOptions Strict = RequestBodies.Strict;

    private delegate Task<IResult> Handler<in T>(string sender, T request, CancellationToken cancellationToken);

    public void Map(WebApplication app)
    {
        app.Services.UseInstitutionCallers(NodeRoutes.NetworkInstitutionCode, new RegistryCallers(registry), clock);
        Post<IssueTokenRequest>(app, NetworkRoutes.IssueToken, async (sender, r, ct) =>
        {
            RequireNumberingAuthority(sender);
            return Results.Json(await issuance.IssueAsync(r, ct), JsonDefaults.Options);
        }, NumberingAuthorityOnly).Produces<IssueTokenResponse>();
        Post<IssueTokenBatchRequest>(app, NetworkRoutes.IssueTokenBatch, async (sender, r, ct) =>
        {
            RequireNumberingAuthority(sender);
            return Results.Json(await issuance.IssueBatchAsync(r, ct), JsonDefaults.Options);
        }, NumberingAuthorityOnly).Produces<IssueTokenBatchResponse>();
        Post<LinkageRequest>(app, NetworkRoutes.Linkage, async (sender, r, _) =>
        {
            RequireSelf(sender, r.Inquirer, "inquirer");
            Require(r.Affair, "affair");
            Require(r.Provider, "provider");
            Require(r.Kind, "kind");
            return Results.Json(await linkage.ImmediateAsync(r), JsonDefaults.Options);
        }).Produces<LinkageResponse>();
        Post<BatchLinkageRequest>(app, NetworkRoutes.LinkageBatch, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Inquirer, "inquirer");
            return Results.Json(await batches.SubmitAsync(r, ct), JsonDefaults.Options, statusCode: StatusCodes.Status202Accepted);
        }).Produces<BatchLinkageAccepted>(StatusCodes.Status202Accepted);
        Post<BatchStatusRequest>(app, NetworkRoutes.LinkageBatchStatus, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Inquirer, "inquirer");
            return Results.Json(await batches.StatusAsync(r, ct), JsonDefaults.Options);
        }).Produces<BatchStatusResponse>();
        Post<InstitutionLookupRequest>(app, NetworkRoutes.InstitutionLookup, (_, r, _) =>
            Task.FromResult(registry.Find(r.Code) is { } info
                ? Results.Json(info, JsonDefaults.Options)
                : ErrorResponses.Problem(StatusCodes.Status404NotFound, "institution-not-found", "no institution is registered under this code (機関が登録されていません)"))).Produces<InstitutionInfo>();
        Post<ProvisionRecordQuery>(app, NetworkRoutes.ProvisionRecords, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            var idCode = await PortalPersonAsync(sender, r.Token, ct);
            return Results.Json(new ProvisionRecordList(await records.RecordsOfAsync(idCode, r.From, r.To, ct)), JsonDefaults.Options);
        }, PortalOnly).Produces<ProvisionRecordList>();
        Post<TreeHeadRequest>(app, PortalRoutes.TreeHead, (sender, r, _) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            RequirePortal(sender);
            return Task.FromResult(Results.Json(records.Tree.Head(), JsonDefaults.Options));
        }, PortalOnly).Produces<ProvisionTreeHead>();
        Post<RecordProofRequest>(app, PortalRoutes.RecordProof, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            var idCode = await PortalPersonAsync(sender, r.Token, ct);
            // Someone else's record and a record that does not exist get the same answer.
            var proof = r.Sequence >= 1 && await records.IsAboutAsync(idCode, r.Sequence, ct) ? records.Proof(r.Sequence) : null;
            return proof is not null
                ? Results.Json(proof, JsonDefaults.Options)
                : ErrorResponses.Problem(StatusCodes.Status404NotFound, "record-not-found",
                    "no provision record with this sequence is about the person (本人の情報提供等記録にありません)");
        }, PortalOnly).Produces<RecordProof>();
        Post<SelfSourcesRequest>(app, PortalRoutes.SelfSources, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            var idCode = await PortalPersonAsync(sender, r.Token, ct);
            var today = ProvisionRecords.JapanDate(clock.GetUtcNow());
            var sources = (await store.HoldersOfAsync(idCode, ct))
                .Select(registry.Find)
                .Where(i => i is { Endpoint: not null } && i.Class is not (InstitutionClass.Portal or InstitutionClass.NumberingAuthority))
                .Select(i => new SelfSource(i!.Code, i.Name, i.Class,
                    policy.SelfDisplayKindsFrom(i.Class, today).Select(k => new SelfDisplayKind(k.Kind, k.Name)).ToList()))
                .ToList();
            return Results.Json(new SelfSourcesResponse(sources), JsonDefaults.Options);
        }, PortalOnly).Produces<SelfSourcesResponse>();
        Post<PushNoticeRequest>(app, PortalRoutes.PushNotice, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Sender, "sender");
            if (registry.Find(sender)?.Class is null or InstitutionClass.NumberingAuthority or InstitutionClass.Portal)
                throw new RefusalException(StatusCodes.Status403Forbidden, "sender-not-allowed",
                    "notices are sent by institutions that serve the person, not by J-LIS or the portal (お知らせを送信できる機関ではありません)");
            Require(r.Portal, "portal");
            if (registry.Find(r.Portal)?.Class != InstitutionClass.Portal)
                throw new RefusalException(StatusCodes.Status422UnprocessableEntity, "not-a-portal",
                    "portal: the institution named is not a registered portal (マイナポータルとして登録されていません)");
            if (r.Sealed.Canonical.Length > MaxSealedNotice)
                throw new RefusalException(StatusCodes.Status400BadRequest, "notice-too-large",
                    $"sealed: a notice is at most {MaxSealedNotice} characters sealed (お知らせが大きすぎます)");
            var idCode = tokens.IdCodeOf(r.Token, sender);
            if (!await store.IsIssuedAsync(sender, idCode, ct))
                throw new RefusalException(StatusCodes.Status404NotFound, RefusalCodes.UnknownToken, "the token was not issued to the sender (発行された符号ではありません)");
            var sealedJson = JsonSerializer.Serialize(r.Sealed, JsonDefaults.Options);
            var fingerprint = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
                sender + "\n" + idCode.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + r.Portal + "\n" + r.Sealed.Canonical)));
            var stored = await store.InsertNoticeAsync(new NetworkStore.NoticeRow(r.NoticeId, idCode, sender, r.Portal, sealedJson, fingerprint, clock.GetUtcNow(), null), ct);
            if (stored.Fingerprint != fingerprint)
                throw new RefusalException(StatusCodes.Status409Conflict, "notice-id-reused",
                    "this notice id was already used for a different notice (お知らせの識別子が別のお知らせに使われています)");
            return Results.Json(new PushNoticeAccepted(stored.NoticeId, stored.SentAt), JsonDefaults.Options);
        }).Produces<PushNoticeAccepted>();
        Post<NoticeQuery>(app, PortalRoutes.Notices, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            var idCode = await PortalPersonAsync(sender, r.Token, ct);
            var notices = (await store.NoticesOfAsync(idCode, sender, ct)).Select(n => new StoredNotice(n.NoticeId, n.Sender, registry.Find(n.Sender)?.Name ?? n.Sender,
                n.SentAt, n.ReadAt is not null, n.ReadAt, JsonSerializer.Deserialize<Renkei.Core.Crypto.SealedPayload>(n.Sealed, JsonDefaults.Options)!)).ToList();
            return Results.Json(new NoticeList(notices), JsonDefaults.Options);
        }, PortalOnly).Produces<NoticeList>();
        Post<NoticeReadRequest>(app, PortalRoutes.NoticeRead, async (sender, r, ct) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            var idCode = await PortalPersonAsync(sender, r.Token, ct);
            var row = await store.MarkNoticeReadAsync(r.NoticeId, idCode, sender, clock.GetUtcNow(), ct);
            return row is not null
                ? Results.Json(new NoticeReadAck(row.NoticeId, row.ReadAt!.Value), JsonDefaults.Options)
                : ErrorResponses.Problem(StatusCodes.Status404NotFound, "notice-not-found", "the person has no notice with this id (該当するお知らせがありません)");
        }, PortalOnly).Produces<NoticeReadAck>();
        Post<CheckpointRequest>(app, NetworkRoutes.ProvisionCheckpoint, (sender, r, _) =>
        {
            RequireSelf(sender, r.Institution, "institution");
            return Task.FromResult(records.Checkpoint() is { } checkpoint
                ? Results.Json(checkpoint, JsonDefaults.Options)
                : ErrorResponses.Problem(StatusCodes.Status404NotFound, "no-records", "the network has recorded no provision yet (情報提供等記録がありません)"));
        }).Produces<ProvisionCheckpoint>();
        Post<PolicyLinkagesRequest>(app, NetworkRoutes.PolicyLinkages, (sender, r, _) =>
        {
            RequireSelf(sender, r.Inquirer, "inquirer");
            Require(r.Affair, "affair");
            var inquirerClass = registry.Find(sender)?.Class
                ?? throw new RefusalException(StatusCodes.Status403Forbidden, "unknown-institution", "the caller is not registered (機関が登録されていません)");
            var date = r.Date ?? ProvisionRecords.JapanDate(clock.GetUtcNow());
            var rows = policy.RowsFor(inquirerClass, r.Affair, date)
                .Select(row => new PublishedPolicyRow(row.Id, row.Affair, row.ProviderClass, row.Kind, policy.KindName(row.Kind),
                    row.EffectiveFrom, row.EffectiveTo, row.Source, row.Note))
                .ToList();
            return Task.FromResult(Results.Json(new PolicyLinkagesResponse(policy.Version, inquirerClass, r.Affair, policy.AffairName(r.Affair), date, rows),
                JsonDefaults.Options));
        }).Produces<PolicyLinkagesResponse>();
        // The provision records' log, read-only for anyone: heads and consistency proofs carry no personal data.
        app.MapGet("/" + ProvisionLogRoutes.LatestHead, () => Results.Json(records.Tree.Head(), JsonDefaults.Options))
            .Produces<ProvisionTreeHead>()
            .AllowPublic("the provision records' signed tree head, published so anyone can audit the log (no personal data)");
        app.MapGet("/" + ProvisionLogRoutes.Consistency, (HttpRequest http) =>
        {
            if (!TryReadSize(http, "first", out var first) || !TryReadSize(http, "second", out var second))
                return ErrorResponses.BadRequest("invalid-request",
                    "first and second are required, whole numbers from 0 (first と second に0以上の整数を指定してください)");
            if (first > second)
                return ErrorResponses.BadRequest("invalid-request", "first must not be larger than second (first は second 以下にしてください)");
            return records.Tree.Consistency(first, second) is { } proof
                ? Results.Json(proof, JsonDefaults.Options)
                : ErrorResponses.Problem(StatusCodes.Status404NotFound, "beyond-latest-head",
                    "second is larger than the latest signed head's size (最新の署名付きツリーヘッドより大きなサイズです)");
        }).Produces<ConsistencyProof>()
            .AllowPublic("consistency proofs between the provision records' tree heads, published so anyone can audit the log (no personal data)");
        app.MapGet("/" + ProvisionLogRoutes.SigningCertificate, () => logCertificate.Pem is { } pem
                ? Results.Text(pem, "application/x-pem-file")
                : ErrorResponses.Problem(StatusCodes.Status404NotFound, "no-certificate",
                    "no certificate was issued for the log-signing key (提供記録署名鍵の証明書が発行されていません)"))
            .Produces<string>(StatusCodes.Status200OK, "application/x-pem-file")
            .AllowPublic("the network CA's certificate for the key that signs the provision records' heads, published so anyone can audit the log (no personal data)");
        var names = new PublishedNames(registry, policy, records.Tree, clock);
        app.MapGet("/" + ProvisionLogRoutes.Names, () => Results.Json(names.Current(), JsonDefaults.Options))
            .Produces<SignedNameTable>()
            .AllowPublic("the signed names of the codes in provision records (institutions, affairs, kinds), so anyone can audit the log and a page can prove the names it shows (no personal data)");
        app.MapGet("/" + NetworkRoutes.Health, async (CancellationToken ct) =>
        {
            try
            {
                return await store.Database.PingAsync(ct)
                    ? Results.Json(new HealthBody("ok", "network"), JsonDefaults.Options)
                    : ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer");
            }
            catch (System.Data.Common.DbException)
            {
                return ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "database-unavailable", "the database did not answer");
            }
        }).Produces<HealthBody>().AllowPublic("health check for operators and load balancers (no data)");
    }

    public sealed record HealthBody(string Status, string Service);

    /// <summary>A tree size from the query string: one value, digits only, at most 18 of them.</summary>
    private static bool TryReadSize(HttpRequest http, string name, out long size)
    {
        size = 0;
        var values = http.Query[name];
        return values.Count == 1 && values[0] is { Length: > 0 and <= 18 } text && text.All(char.IsAsciiDigit)
            && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size);
    }

    /// <summary>The most characters a sealed notice may have (its four base64 parts): a notice is a title and a few paragraphs.</summary>
    private const int MaxSealedNotice = 64 * 1024;

    /// <summary>Maps a signed POST for registered institutions (narrowed per route with <see cref="PortalOnly"/> / <see cref="NumberingAuthorityOnly"/>).</summary>
    private RouteHandlerBuilder Post<T>(WebApplication app, string route, Handler<T> handler, CallerDeclaration? callers = null) where T : class
    {
        var replays = app.Services.GetRequiredService<InstitutionCallers>().Replays;
        return app.MapPost("/" + route, async (HttpContext context) =>
        {
            var signed = await SignedRequestVerifier.ReadAsync(context, registry.SigningKeyOf, clock, NodeRoutes.NetworkInstitutionCode, replays);
            if (signed.Body.Length > 0) tap?.Received(route, signed.Institution, signed.Body);
            if (!signed.IsVerified) return signed.ToProblem();
            T? request;
            try
            {
                request = JsonSerializer.Deserialize<T>(signed.Body, Strict);
            }
            catch (JsonException e)
            {
                return ErrorResponses.BadRequest("invalid-request", ErrorResponses.DescribeJsonError(e));
            }
            if (request is null) return ErrorResponses.BadRequest("invalid-request", "the request body is empty (要求が空です)");
            return await handler(signed.Institution!, request, context.RequestAborted);
        }).Reads<T>("application/json").RequireInstitution(callers ?? new CallerDeclaration(CallerKind.Institution, "a registered institution, in its own name", []));
    }

    private static readonly CallerDeclaration PortalOnly = new(CallerKind.Institution, "the citizen portal, for its own person's token", [nameof(InstitutionClass.Portal)])
    {
        RefusalCode = "portal-only",
        RefusalMessage = "this is shown to the person through the portal only (マイナポータルからのみ利用できます)",
    };

    private static readonly CallerDeclaration NumberingAuthorityOnly = new(CallerKind.Institution, "J-LIS (the numbering authority)", [nameof(InstitutionClass.NumberingAuthority)])
    {
        RefusalCode = "numbering-authority-only",
        RefusalMessage = "only J-LIS (the numbering authority) asks for tokens (符号の発行を求められるのは機構のみです)",
    };

    private void RequirePortal(string sender)
    {
        if (registry.Find(sender)?.Class != InstitutionClass.Portal)
            throw new RefusalException(StatusCodes.Status403Forbidden, "portal-only",
                "this is shown to the person through the portal only (マイナポータルからのみ利用できます)");
    }

    /// <summary>The portal's person: the caller must be the portal and the token one issued to it; returns the ID code.</summary>
    private async Task<long> PortalPersonAsync(string sender, Renkei.Core.Numbers.Token token, CancellationToken cancellationToken)
    {
        RequirePortal(sender);
        var idCode = tokens.IdCodeOf(token, sender);
        if (!await store.IsIssuedAsync(sender, idCode, cancellationToken))
            throw new RefusalException(StatusCodes.Status404NotFound, "unknown-token", "the token was not issued to the caller (発行された符号ではありません)");
        return idCode;
    }

    private void RequireNumberingAuthority(string sender)
    {
        if (registry.Find(sender)?.Class != InstitutionClass.NumberingAuthority)
            throw new RefusalException(StatusCodes.Status403Forbidden, "numbering-authority-only",
                "only J-LIS (the numbering authority) asks for tokens (符号の発行を求められるのは機構のみです)");
    }

    private static void RequireSelf(string sender, string named, string field)
    {
        if (!string.Equals(sender, named, StringComparison.Ordinal))
            throw new RefusalException(StatusCodes.Status403Forbidden, "sender-mismatch",
                $"{field}: an institution acts only in its own name; the request is signed by another institution (署名した機関と要求の機関が異なります)");
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 100)
            throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", $"{field}: required, at most 100 characters (必須です)");
    }

    /// <summary>The network's registry as the caller directory of its own routes.</summary>
    private sealed class RegistryCallers(InstitutionRegistry registry) : IInstitutionResolver
    {
        public ValueTask<KnownInstitution?> FindAsync(string code, CancellationToken cancellationToken) =>
            ValueTask.FromResult(registry.Find(code) is { } info && registry.SigningKeyOf(code) is { } key
                ? new KnownInstitution(info.Code, info.Class.ToString(), key)
                : null);
    }
}
