using System.Net;
using Renkei.Core.Audit;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Records;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// The inquirer side (情報照会): a business system of 品川区 asks its own node by addressee number; the node asks the
/// (test) network with the ward's token, the network forwards to 大田区's node, and the answer comes back sealed and
/// signed, is checked and opened, and both parties record the provision.
/// </summary>
public sealed class InquiryTests
{
    private const string Affair = "child-allowance";
    private static readonly Token InquirerToken = Token.FromInt64(1_310_910_000_000_007);
    private static readonly Token ProviderToken = Token.FromInt64(1_311_130_000_000_100);

    /// <summary>Person P1 is addressee 7 at the inquirer and 100 at the provider, which holds a local-tax copy from 2026-06-01.</summary>
    private static async Task<NodePair> StartAsync(string provider)
    {
        var pair = await NodePair.StartAsync(provider);
        await pair.Provider.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), pair.Provider.Code, LocalTax(100, taxableIncome: 3_300_000), TestActors.Feed));
        await pair.Provider.BindAsync(pair.Network, "P1", 100, ProviderToken);
        await pair.Inquirer.BindAsync(pair.Network, "P1", 7, InquirerToken);
        return pair;
    }

    private static InquiryRequest Ask(long addressee = 7, string affair = Affair, string kind = InformationKindCodes.LocalTax, DateOnly? asOf = null) =>
        new(Guid.NewGuid(), NodePair.InquirerCode, addressee, affair, NodePair.ProviderCode, kind, asOf, Actor: Clerk(affair));

    /// <summary>The ward's clerk at a counter terminal, acting in <paramref name="affair"/>.</summary>
    private static Actor Clerk(string affair = Affair) => new("kodomo01", "counter-3", affair);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_query_travels_by_token_comes_back_opened_and_a_retry_is_answered_and_recorded_once(string provider)
    {
        await using var pair = await StartAsync(provider);
        var request = Ask();
        var answer = await pair.Inquirer.Client.QueryAsync(request);
        Assert.Equal((LinkageOutcome.Provided, (string?)null, NodePair.ProviderCode), (answer.Outcome, answer.RefusalCode, answer.Provider));
        Assert.Equal((true, (DateOnly?)new DateOnly(2026, 6, 1)), (answer.Information!.Held, answer.Information.AsOf));
        Assert.Equal(3_300_000, CopyBodies.FromJson<LocalTaxBody>(answer.Information.Body!.Value).TaxableIncome);
        Assert.True(answer.NetworkRecordSequence > 0 && answer.PartyRecordSequence > 0);

        var again = await pair.Inquirer.Client.QueryAsync(request);
        Assert.Equal((answer.Outcome, answer.NetworkRecordSequence, answer.PartyRecordSequence), (again.Outcome, again.NetworkRecordSequence, again.PartyRecordSequence));
        Assert.Equal(answer.Information.Body.Value.GetRawText(), again.Information!.Body!.Value.GetRawText());
        Assert.Equal(1, pair.Network.Linkages);
        var reused = await Assert.ThrowsAsync<IntermediateException>(() => pair.Inquirer.Client.QueryAsync(request with { Kind = InformationKindCodes.ChildAllowance }));
        Assert.Equal((HttpStatusCode.Conflict, "request-id-reused"), (reused.Status, reused.Code));

        var asked = Assert.Single((await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);
        Assert.Equal((PartyRole.Inquirer, request.RequestId, NodePair.InquirerCode, NodePair.ProviderCode, Affair, ProvisionResult.Provided, (long?)7, answer.PartyRecordSequence),
            (asked.Role, asked.RequestId, asked.Inquirer, asked.Provider, asked.Affair, asked.Result, asked.AddresseeNumber, asked.Sequence));
        Assert.Equal(("kodomo01", "counter-3"), (asked.Staff, asked.Terminal)); // who acted, recorded with the provision
        var provided = Assert.Single((await pair.Provider.Client.RecordsAsync(new PartyRecordQuery(NodePair.ProviderCode))).Records);
        Assert.Equal((PartyRole.Provider, request.RequestId, ProvisionResult.Provided, (long?)100), (provided.Role, provided.RequestId, provided.Result, provided.AddresseeNumber));

        // As of a date before the copy: not held, with the provider's reason, recorded as such.
        var early = await pair.Inquirer.Client.QueryAsync(Ask(asOf: new DateOnly(2026, 5, 31)));
        Assert.Equal((LinkageOutcome.NotHeld, false, "only-later-copy"), (early.Outcome, early.Information!.Held, early.Information.Reason));
        Assert.Null(early.Information.Body);
        Assert.Equal(ProvisionResult.NotHeld, (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode, AfterSequence: asked.Sequence))).Records.Single().Result);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Refusals_and_an_unavailable_provider_are_answered_and_recorded_and_without_a_token_nothing_is_asked(string provider)
    {
        await using var pair = await StartAsync(provider);
        pair.Network.AffairsWithoutPolicy.Add("pet-registration");
        var noPolicy = await pair.Inquirer.Client.QueryAsync(Ask(affair: "pet-registration"));
        Assert.Equal((LinkageOutcome.Refused, RefusalCodes.NoPolicyRow), (noPolicy.Outcome, noPolicy.RefusalCode));
        Assert.Null(noPolicy.Information);

        // P2 has a token at the inquirer only.
        await pair.Inquirer.BindAsync(pair.Network, "P2", 8, Token.FromInt64(1_310_910_000_000_008));
        var noProviderToken = await pair.Inquirer.Client.QueryAsync(Ask(addressee: 8));
        Assert.Equal((LinkageOutcome.Refused, RefusalCodes.ProviderHasNoToken), (noProviderToken.Outcome, noProviderToken.RefusalCode));

        // A provider whose node does not answer.
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        pair.Network.Register(pair.Provider.Info with { Code = "131121", Endpoint = new Uri($"http://127.0.0.1:{port}/") });
        pair.Network.Issue("P1", "131121", Token.FromInt64(1_311_210_000_000_001));
        var down = await pair.Inquirer.Client.QueryAsync(Ask() with { Provider = "131121" });
        Assert.Equal(LinkageOutcome.ProviderUnavailable, down.Outcome);

        var records = (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records;
        Assert.Equal(
            [(ProvisionResult.Refused, RefusalCodes.NoPolicyRow, 7L), (ProvisionResult.Refused, RefusalCodes.ProviderHasNoToken, 8L), (ProvisionResult.ProviderUnavailable, null, 7L)],
            records.Select(r => (r.Result, r.RefusalCode, r.AddresseeNumber!.Value)));
        Assert.Empty((await pair.Provider.Client.RecordsAsync(new PartyRecordQuery(NodePair.ProviderCode))).Records);
        Assert.Equal(2, (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode, AddresseeNumber: 7))).Records.Count);

        // An addressee without a token: refused before anything reaches the network, nothing recorded.
        var linkages = pair.Network.Linkages;
        var noToken = await Assert.ThrowsAsync<IntermediateException>(() => pair.Inquirer.Client.QueryAsync(Ask(addressee: 9)));
        Assert.Equal((HttpStatusCode.Conflict, "no-token"), (noToken.Status, noToken.Code));
        Assert.Equal(linkages, pair.Network.Linkages);
        Assert.Equal(3, (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_answer_altered_on_the_way_is_refused_and_not_recorded(string provider)
    {
        await using var pair = await StartAsync(provider);
        var forgeries = new Func<SignedSealedAnswer, SignedSealedAnswer>[]
        {
            a => a with { Sealed = a.Sealed with { Tag = Convert.ToBase64String(new byte[16]) } },   // payload changed: the signature fails
            a => a with { Held = !a.Held },                                                          // outcome flipped: disagrees with the sealed content
            a => a with { Provider = NodePair.InquirerCode },                                        // claims another provider
        };
        foreach (var forge in forgeries)
        {
            pair.Network.AlterAnswer = forge;
            var refused = await Assert.ThrowsAsync<IntermediateException>(() => pair.Inquirer.Client.QueryAsync(Ask()));
            Assert.Equal((HttpStatusCode.BadGateway, "answer-not-authentic"), (refused.Status, refused.Code));
        }
        Assert.Empty((await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records);

        pair.Network.AlterAnswer = null;
        Assert.Equal(LinkageOutcome.Provided, (await pair.Inquirer.Client.QueryAsync(Ask())).Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_query_maps_addressees_to_tokens_opens_every_result_and_records_each_once(string provider)
    {
        await using var pair = await StartAsync(provider);
        for (var i = 1; i <= 3; i++)
        {
            await pair.Provider.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), pair.Provider.Code, LocalTax(100 + i, taxableIncome: i * 1_000_000L), TestActors.Feed));
            await pair.Provider.BindAsync(pair.Network, $"Q{i}", 100 + i, Token.FromInt64(1_311_130_000_000_100 + i));
            await pair.Inquirer.BindAsync(pair.Network, $"Q{i}", 10 + i, Token.FromInt64(1_310_910_000_000_010 + i));
        }
        var batch = new InquiryBatchRequest(Guid.NewGuid(), NodePair.InquirerCode, Affair, NodePair.ProviderCode, InformationKindCodes.LocalTax, null,
            [new InquiryBatchItem("a", 11), new InquiryBatchItem("no-token", 99), new InquiryBatchItem("b", 12), new InquiryBatchItem("c", 13), new InquiryBatchItem("p1", 7)],
            Actor.System("nightly-batch", Affair));
        var accepted = await pair.Inquirer.Client.SubmitQueryBatchAsync(batch);
        Assert.Equal((4, BatchState.Queued), (accepted.Submitted, accepted.State));
        Assert.Equal(["no-token"], accepted.WithoutToken);
        var resent = await pair.Inquirer.Client.SubmitQueryBatchAsync(batch);
        Assert.Equal((accepted.Submitted, accepted.State), (resent.Submitted, resent.State));
        Assert.Equal(["no-token"], resent.WithoutToken);
        Assert.Equal(1, pair.Network.BatchSubmissions);
        var reused = await Assert.ThrowsAsync<IntermediateException>(() => pair.Inquirer.Client.SubmitQueryBatchAsync(batch with { Kind = InformationKindCodes.ChildAllowance }));
        Assert.Equal("request-id-reused", reused.Code);

        var first = await pair.Inquirer.Client.QueryBatchStatusAsync(new InquiryBatchStatusRequest(batch.BatchId, NodePair.InquirerCode, Limit: 3));
        Assert.Equal((BatchState.Completed, 4, 4), (first.State, first.Total, first.Finished));
        Assert.Equal([(0, "a", 11L), (1, "b", 12L), (2, "c", 13L)], first.Results.Select(r => (r.ItemIndex, r.ItemId, r.AddresseeNumber)));
        Assert.Equal([1_000_000L, 2_000_000L, 3_000_000L],
            first.Results.Select(r => CopyBodies.FromJson<LocalTaxBody>(r.Response.Information!.Body!.Value).TaxableIncome));
        var rest = await pair.Inquirer.Client.QueryBatchStatusAsync(new InquiryBatchStatusRequest(batch.BatchId, NodePair.InquirerCode, AfterItemIndex: 2));
        Assert.Equal(("p1", 3_300_000L), (rest.Results.Single().ItemId, CopyBodies.FromJson<LocalTaxBody>(rest.Results.Single().Response.Information!.Body!.Value).TaxableIncome));

        // Polling again returns the same results with the same record sequences, and records nothing more.
        var again = await pair.Inquirer.Client.QueryBatchStatusAsync(new InquiryBatchStatusRequest(batch.BatchId, NodePair.InquirerCode));
        Assert.Equal(first.Results.Concat(rest.Results).Select(r => r.Response.PartyRecordSequence), again.Results.Select(r => r.Response.PartyRecordSequence));
        Assert.All(again.Results, r => Assert.True(r.Response.PartyRecordSequence > 0));
        var records = (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records;
        Assert.Equal(4, records.Count);
        Assert.Equal([0, 1, 2, 3], records.Select(r => r.ItemIndex!.Value).Order());
        Assert.Equal(4, (await pair.Provider.Client.RecordsAsync(new PartyRecordQuery(NodePair.ProviderCode))).Records.Count);

        var unknown = await Assert.ThrowsAsync<IntermediateException>(() =>
            pair.Inquirer.Client.QueryBatchStatusAsync(new InquiryBatchStatusRequest(Guid.NewGuid(), NodePair.InquirerCode)));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-batch"), (unknown.Status, unknown.Code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_provision_records_are_tamper_evident_and_a_retry_after_an_interrupted_attempt_records_once(string provider)
    {
        await using var pair = await StartAsync(provider);
        for (var i = 0; i < 3; i++) await pair.Inquirer.Client.QueryAsync(Ask());

        await using (var log = pair.Inquirer.OpenRecords())
        {
            var intact = log.Verify();
            Assert.True(intact.IsIntact);
            Assert.Equal(3, intact.EntriesVerified);
            Assert.NotNull(log.Store.Checkpoint());
            Assert.True(log.Verify().IsIntact);
        }

        // An attempt that wrote its record and then died before completing its claim: the claim is left working and,
        // once its lease has passed, the retry finds the record in the log instead of writing a second one.
        var request = Ask();
        var answer = await pair.Inquirer.Client.QueryAsync(request);
        using (var c = pair.Inquirer.Database.Open())
        using (var interrupted = c.Command("UPDATE intermediate_party_claims SET state = 'working', response = NULL, claimed_at = '2000-01-01T00:00:00.0000000Z' WHERE request_id = @id"))
            Assert.Equal(1, interrupted.With("id", request.RequestId.ToString("D")).ExecuteNonQuery());
        var retried = await pair.Inquirer.Client.QueryAsync(request);
        Assert.Equal(answer.PartyRecordSequence, retried.PartyRecordSequence);
        Assert.Equal(4, (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records.Count);

        // An administrator edits a record after dropping the append-only guard: the verifier names the entry.
        using (var c = pair.Inquirer.Database.Open())
        {
            c.Execute(pair.Inquirer.Database.Provider == DatabaseProvider.Sqlite
                ? $"DROP TRIGGER {PartyRecordLog.TableName}_no_update"
                : $"DROP TRIGGER {PartyRecordLog.TableName}_append_only ON {PartyRecordLog.TableName}");
            using var edit = c.Command($"UPDATE {PartyRecordLog.TableName} SET payload = @p WHERE sequence = 2");
            edit.With("p", System.Text.Encoding.UTF8.GetBytes("{\"v\":1}")).ExecuteNonQuery();
        }
        await using (var log = pair.Inquirer.OpenRecords())
        {
            var verification = log.Verify();
            Assert.False(verification.IsIntact);
            Assert.Equal((AuditProblemKind.EditedEntry, 2L), (verification.Problem!.Kind, verification.Problem.Sequence));
        }
    }
}
