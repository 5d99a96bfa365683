using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.ServiceDefaults.Access;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;
using Renkei.ServiceDefaults.Signing;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// Issue 12's findings at the intermediate server's doors for its holder's own systems, replayed over HTTP: an anonymous
/// caller, another institution (a valid node of the network) and the network itself are refused before anything is read,
/// asked, recorded or stored; the holder itself, signing with its institution key, is answered.
/// </summary>
public sealed class HolderDoorTests
{
    private const string Affair = "child-allowance";

    /// <summary>大田区 holds a local-tax copy of P1 (its addressee 100; 品川区's addressee 7): an open door would hand it out.</summary>
    private static async Task<NodePair> StartAsync(string provider)
    {
        var pair = await NodePair.StartAsync(provider);
        await pair.Provider.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), pair.Provider.Code, LocalTax(100, taxableIncome: 3_300_000), TestActors.Feed));
        await pair.Provider.BindAsync(pair.Network, "P1", 100, Token.FromInt64(1_311_130_000_000_100));
        await pair.Inquirer.BindAsync(pair.Network, "P1", 7, Token.FromInt64(1_310_910_000_000_007));
        return pair;
    }

    private static readonly Actor Clerk = new("kodomo01", "counter-3", Affair);

    private static InquiryRequest Ask() => new(Guid.NewGuid(), NodePair.InquirerCode, 7, Affair, NodePair.ProviderCode, InformationKindCodes.LocalTax, Actor: Clerk);

    private static SendNoticeRequest Forged() => new(Guid.NewGuid(), NodePair.InquirerCode, 7, "PORTAL01",
        new NoticeContent("児童手当の受給資格について", "至急、下記口座へ振り込んでください。", "child-allowance", null), Clerk);

    private static async Task<ProblemBody> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_anonymous_query_or_notice_as_the_ward_is_refused_and_nothing_is_asked_or_recorded(string provider)
    {
        await using var pair = await StartAsync(provider);
        using var anonymous = new HttpClient { BaseAddress = pair.Inquirer.Host.BaseAddress };

        using (var query = await anonymous.PostAsJsonAsync(IntermediateNodeRoutes.Query, Ask(), JsonDefaults.Options))
        {
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnsignedRequest), (query.StatusCode, (await ProblemAsync(query)).Code));
            Assert.DoesNotContain("3300000", await query.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var notice = await anonymous.PostAsJsonAsync(IntermediateNodeRoutes.SendNotice, Forged(), JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnsignedRequest), (notice.StatusCode, (await ProblemAsync(notice)).Code));
        using (var records = await anonymous.PostAsJsonAsync(IntermediateNodeRoutes.Records, new PartyRecordQuery(NodePair.InquirerCode), JsonDefaults.Options))
            Assert.Equal(HttpStatusCode.Unauthorized, records.StatusCode);

        Assert.Equal(0, pair.Network.Linkages);
        Assert.Empty((await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);
        Assert.Empty((await pair.Provider.Client.RecordsAsync(new PartyRecordQuery(NodePair.ProviderCode))).Records);

        // The ward itself, signing with its institution key, is answered (the door is locked, not walled up).
        var answer = await pair.Inquirer.Client.QueryAsync(Ask());
        Assert.Equal(LinkageOutcome.Provided, answer.Outcome);
        Assert.Single((await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_institution_or_the_network_cannot_use_the_holders_routes(string provider)
    {
        await using var pair = await StartAsync(provider);
        var ward = pair.Inquirer;

        // 大田区, a valid node of the network, signing well with its own key for 品川区's server: not a caller it knows.
        using (var ota = SigningHandler.CreateClient(ward.Host.BaseAddress, pair.Provider.Code, pair.Provider.SigningKey, ward.Code))
        {
            foreach (var (route, body) in HolderRoutes(ward.Code))
            {
                using var response = await ota.PostAsync(route, JsonContent.Create(body, options: JsonDefaults.Options));
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{route}: {(int)response.StatusCode}");
                Assert.Equal(SignedRequestVerifier.UnknownInstitution, (await ProblemAsync(response)).Code);
            }
        }
        // 大田区 claiming to be 品川区: its key is not the ward's.
        using (var impostor = SigningHandler.CreateClient(ward.Host.BaseAddress, ward.Code, pair.Provider.SigningKey, ward.Code))
        using (var forged = await impostor.PostAsJsonAsync(IntermediateNodeRoutes.Query, Ask(), JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), (forged.StatusCode, (await ProblemAsync(forged)).Code));
        // The network is a caller of the node's network routes, never of the holder's own.
        foreach (var (route, body) in HolderRoutes(ward.Code))
        {
            using var response = await pair.Network.ClientFor(ward.Host.BaseAddress, ward.Code).PostAsync(route, JsonContent.Create(body, options: JsonDefaults.Options));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route}: {(int)response.StatusCode}");
            Assert.Equal(RouteAccess.NotPermittedCode, (await ProblemAsync(response)).Code);
        }

        Assert.Equal(0, pair.Network.Linkages);
        Assert.Empty((await ward.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);
        Assert.Null((await ward.Store.FindAsync(ward.Code, 9, InformationKindCodes.LocalTax)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_streaming_loader_takes_the_holders_signed_headers_and_nobody_elses(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var copies = Enumerable.Range(1, 250).Select(i => LocalTax(i)).ToAsyncEnumerable();

        // Signed by someone else for this server (a key it does not know as the holder's): refused before a line is read.
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var impostor = IntermediateHttpClient.Signed(server.Host.BaseAddress, Holder, stranger))
        {
            var refused = await Assert.ThrowsAsync<IntermediateException>(() => impostor.LoadStreamAsync(Holder, TestActors.Feed, copies, batchSize: 100));
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), (refused.Status, refused.Code));
        }
        // Anonymous: refused.
        using (var anonymous = new IntermediateHttpClient(new HttpClient { BaseAddress = server.Host.BaseAddress }, ownsHttpClient: true))
        {
            var refused = await Assert.ThrowsAsync<IntermediateException>(() => anonymous.LoadStreamAsync(Holder, TestActors.Feed, copies, batchSize: 100));
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnsignedRequest), (refused.Status, refused.Code));
        }
        // A body-digest signature is not a streamed one: the route's signature covers the streamed marker only.
        using (var buffered = new StringContent(System.Text.Json.JsonSerializer.Serialize(LocalTax(1), JsonDefaults.Options) + "\n"))
        using (var digestSigned = await server.Http.PostAsync(IntermediateRoutes.LoadStream + "?holder=" + Holder, buffered))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), (digestSigned.StatusCode, (await ProblemAsync(digestSigned)).Code));
        Assert.Equal(0, server.Store.CountCopies(Holder));

        // The holder streams, and the copies are stored batch by batch.
        var loaded = await server.Client.LoadStreamAsync(Holder, TestActors.Feed, copies, batchSize: 100);
        Assert.Equal((250L, 250L, 3), (loaded.Received, loaded.Stored, loaded.Batches));
        Assert.Equal(250, server.Store.CountCopies(Holder));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Even_the_holder_is_refused_a_query_or_notice_that_names_no_staff_member_terminal_and_affair(string provider)
    {
        await using var pair = await StartAsync(provider);
        var ward = pair.Inquirer.Client;

        var nobody = await Assert.ThrowsAsync<IntermediateException>(() => ward.QueryAsync(Ask() with { Actor = null }));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (nobody.Status, nobody.Code));
        Assert.Contains("actor: required", nobody.Message, StringComparison.Ordinal);
        var otherAffair = await Assert.ThrowsAsync<IntermediateException>(() => ward.QueryAsync(Ask() with { Actor = Clerk with { Affair = "library" } }));
        Assert.Contains("actor.affair", otherAffair.Message, StringComparison.Ordinal);
        var blankTerminal = await Assert.ThrowsAsync<IntermediateException>(() => ward.QueryAsync(Ask() with { Actor = Clerk with { Terminal = " " } }));
        Assert.Contains("actor.terminal", blankTerminal.Message, StringComparison.Ordinal);
        var batch = await Assert.ThrowsAsync<IntermediateException>(() => ward.SubmitQueryBatchAsync(new InquiryBatchRequest(Guid.NewGuid(), NodePair.InquirerCode,
            Affair, NodePair.ProviderCode, InformationKindCodes.LocalTax, null, [new InquiryBatchItem("a", 7)])));
        Assert.Contains("actor: required", batch.Message, StringComparison.Ordinal);
        var notice = await Assert.ThrowsAsync<IntermediateException>(() => ward.SendNoticeAsync(Forged() with { Actor = null }));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (notice.Status, notice.Code));
        Assert.Contains("actor: required", notice.Message, StringComparison.Ordinal);

        Assert.Equal(0, pair.Network.Linkages);
        Assert.Empty((await ward.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);

        // A system job names itself as such, and the record says so.
        var job = await ward.QueryAsync(Ask() with { Actor = Actor.System("nightly-feed", Affair) });
        Assert.Equal(LinkageOutcome.Provided, job.Outcome);
        var recorded = Assert.Single((await ward.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);
        Assert.Equal(("system:nightly-feed", "system:nightly-feed"), (recorded.Staff, recorded.Terminal));
    }

    /// <summary>One request per route of the holder's own systems (the bodies need not be valid: the door answers first).</summary>
    private static IEnumerable<(string Route, object Body)> HolderRoutes(string holder)
    {
        yield return (IntermediateRoutes.Upsert, new UpsertCopyRequest(Guid.NewGuid(), holder, LocalTax(9), TestActors.Feed));
        yield return (IntermediateRoutes.Delete, new DeleteCopyRequest(Guid.NewGuid(), holder, 7, InformationKindCodes.LocalTax, "test", TestActors.Feed));
        yield return (IntermediateRoutes.LoadBatch, new LoadBatchRequest(Guid.NewGuid(), holder, [LocalTax(9)], TestActors.Feed));
        yield return (IntermediateRoutes.Provide, new ProvisionRequest(Guid.NewGuid(), holder, 7, null, InformationKindCodes.LocalTax, null, TestActors.Feed));
        yield return (IntermediateRoutes.Kinds, new ListKindsRequest(holder));
        yield return (IntermediateNodeRoutes.PendingToken, new PendingTokenRequest(Guid.NewGuid(), holder, 8, TestActors.Feed));
        yield return (IntermediateNodeRoutes.PendingTokenBatch, new PendingTokenBatchRequest(Guid.NewGuid(), holder, [8], TestActors.Feed));
        yield return (IntermediateNodeRoutes.TokenStatus, new TokenStatusRequest(holder));
        yield return (IntermediateNodeRoutes.Query, Ask());
        yield return (IntermediateNodeRoutes.QueryBatchStatus, new InquiryBatchStatusRequest(Guid.NewGuid(), holder));
        yield return (IntermediateNodeRoutes.Policy, new NodePolicyRequest(holder, Affair));
        yield return (IntermediateNodeRoutes.SendNotice, Forged());
        yield return (IntermediateNodeRoutes.Records, new PartyRecordQuery(holder));
    }
}
