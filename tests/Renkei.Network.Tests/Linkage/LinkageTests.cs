using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Linkage;

public sealed class LinkageTests
{
    private static LinkageRequest Query(NetworkHarness h, Token token, string affair, string provider, string kind, Guid? id = null, DateOnly? policyDate = null) =>
        new(id ?? Guid.NewGuid(), NetworkHarness.WardA, token, affair, provider, kind, null, policyDate);

    private static List<ProvisionPayload> Records(NetworkHarness h) =>
        h.Network.Records.Log.ReadEntries().Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_lawful_query_is_converted_forwarded_sealed_for_the_inquirer_and_recorded(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var held = NetworkHarness.Person(1);
        var notHeld = NetworkHarness.Person(2);
        var heldAtA = await h.IssueAsync(h.A, held);
        var heldAtB = await h.IssueAsync(h.B, held);
        var notHeldAtA = await h.IssueAsync(h.A, notHeld);
        await h.IssueAsync(h.B, notHeld);
        Assert.NotEqual(heldAtA, heldAtB);
        h.B.Holdings[heldAtB] = """{"taxYear":2025,"income":3200000}""";

        var client = h.ClientOf(h.A);
        var provided = await client.LinkageAsync(Query(h, heldAtA, row.Affair, NetworkHarness.WardB, row.Kind));
        Assert.Equal(LinkageOutcome.Provided, provided.Outcome);
        Assert.Null(provided.RefusalCode);
        // B was asked with its own token for the person (converted by the network), and only A can open the answer.
        var asked = Assert.Single(h.B.Queries);
        Assert.Equal(heldAtB, asked.ProviderToken);
        Assert.Equal(h.A.Keys.SealingPublicKey, asked.InquirerSealingKey);
        var information = TestInstitutionNode.Open(h.A.Keys, provided.RequestId, provided.Answer!);
        Assert.True(information.Held);
        Assert.Equal(3200000, information.Body!.Value.GetProperty("income").GetInt32());
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => TestInstitutionNode.Open(h.B.Keys, provided.RequestId, provided.Answer!));

        var none = await client.LinkageAsync(Query(h, notHeldAtA, row.Affair, NetworkHarness.WardB, row.Kind));
        Assert.Equal(LinkageOutcome.NotHeld, none.Outcome);
        Assert.False(TestInstitutionNode.Open(h.A.Keys, none.RequestId, none.Answer!).Held);

        var records = Records(h);
        Assert.Equal(2, records.Count);
        // The log holds a commitment to the tokens; the salt and tokens behind it are in the side table.
        var subject = h.Network.Records.SubjectOf(provided.RecordSequence)!;
        Assert.Equal((ProvisionResult.Provided, heldAtA, (Token?)heldAtB), (records[0].Result, subject.InquirerToken, subject.ProviderToken));
        Assert.True(subject.Matches(records[0].Subject));
        Assert.Equal(ProvisionResult.NotHeld, records[1].Result);
        Assert.Equal(provided.RecordSequence, h.Network.Records.Log.ReadEntries().First().Sequence);
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_refusal_reason_is_answered_and_recorded(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var policy = h.Network.Policy;
        var row = PolicyChoice.Allowed(policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var (late, before) = PolicyChoice.NotInForce(policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(10);
        var onlyAtA = NetworkHarness.Person(11);
        var token = await h.IssueAsync(h.A, person);
        var tokenAtB = await h.IssueAsync(h.B, person);
        var lonely = await h.IssueAsync(h.A, onlyAtA);
        var client = h.ClientOf(h.A);

        var cases = new (LinkageRequest Request, string Code)[]
        {
            (Query(h, tokenAtB, row.Affair, NetworkHarness.WardB, row.Kind), RefusalCodes.UnknownToken), // B's token, not A's
            (Query(h, token, row.Affair, "999999", row.Kind), RefusalCodes.ProviderNotRegistered),
            (Query(h, token, row.Affair, NetworkHarness.PortalCode, row.Kind), RefusalCodes.ProviderNotRegistered), // provides nothing
            (Query(h, token, row.Affair, NetworkHarness.WardB, PolicyChoice.KindWithoutRow(policy, row)), RefusalCodes.NoPolicyRow),
            (Query(h, token, late.Affair, NetworkHarness.WardB, late.Kind, policyDate: before), RefusalCodes.NotInForce),
            (Query(h, lonely, row.Affair, NetworkHarness.WardB, row.Kind), RefusalCodes.ProviderHasNoToken),
        };
        foreach (var (request, code) in cases)
        {
            var response = await client.LinkageAsync(request);
            Assert.Equal(LinkageOutcome.Refused, response.Outcome);
            Assert.Equal(code, response.RefusalCode);
            Assert.False(string.IsNullOrWhiteSpace(response.Message));
            Assert.Null(response.Answer);
        }
        Assert.Empty(h.B.Queries); // nothing refused reached the provider

        var records = Records(h);
        Assert.Equal(cases.Select(c => c.Code), records.Select(r => r.RefusalCode));
        Assert.All(records, r => Assert.Equal(ProvisionResult.Refused, r.Result));
        Assert.Equal(cases.Select(c => c.Request.RequestId), records.Select(r => r.RequestId));
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_resent_request_id_returns_the_first_answer_and_writes_one_record(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(20);
        var token = await h.IssueAsync(h.A, person);
        h.B.Holdings[await h.IssueAsync(h.B, person)] = """{"a":1}""";
        var client = h.ClientOf(h.A);
        var request = Query(h, token, row.Affair, NetworkHarness.WardB, row.Kind);

        var first = await client.LinkageAsync(request);
        var again = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.LinkageAsync(request)));
        Assert.All(again, r => Assert.Equal(first.RecordSequence, r.RecordSequence));
        Assert.All(again, r => Assert.Equal(first.Answer!.Signature, r.Answer!.Signature));
        // Concurrent first sends of one id are answered once too.
        var concurrent = Query(h, token, row.Affair, NetworkHarness.WardB, row.Kind);
        var together = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.LinkageAsync(concurrent)));
        Assert.Single(together.Select(r => r.RecordSequence).Distinct());

        Assert.Equal(2, Records(h).Count);
        Assert.Equal(2, h.B.Queries.Count);

        var changed = request with { Kind = PolicyChoice.KindWithoutRow(h.Network.Policy, row) };
        var conflict = await Assert.ThrowsAsync<NetworkException>(() => client.LinkageAsync(changed));
        Assert.Equal((HttpStatusCode.Conflict, "request-id-reused"), (conflict.Status, conflict.Code));

        // After a restart the first answer still comes from the database.
        await h.RestartNetworkAsync();
        var afterRestart = await h.ClientOf(h.A).LinkageAsync(request);
        Assert.Equal(first.RecordSequence, afterRestart.RecordSequence);
        Assert.Equal(2, Records(h).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_instances_on_one_database_answer_a_request_id_once_whichever_receives_it(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        await using var second = await h.StartNetworkNodeAsync();
        using var secondHttp = SigningHandler.CreateClient(second.BaseAddress, h.A.Code, h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode);
        var viaSecond = new NetworkHttpClient(secondHttp);
        var viaFirst = h.ClientOf(h.A);
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(21);
        var token = await h.IssueAsync(h.A, person);
        h.B.Holdings[await h.IssueAsync(h.B, person)] = """{"a":1}""";

        // Ten request ids, each sent to both instances at once (a client retrying on the other instance behind a balancer).
        var requests = Enumerable.Range(0, 10).Select(_ => Query(h, token, row.Affair, NetworkHarness.WardB, row.Kind)).ToList();
        var answers = await Task.WhenAll(requests.Select(async r =>
        {
            var both = await Task.WhenAll(viaFirst.LinkageAsync(r), viaSecond.LinkageAsync(r), viaSecond.LinkageAsync(r));
            return both.Select(a => a.RecordSequence).Distinct().ToList();
        }));

        Assert.All(answers, sequences => Assert.Single(sequences));
        var records = Records(h);
        Assert.Equal(requests.Select(r => r.RequestId).Order(), records.Select(r => r.RequestId).Order());
        Assert.True(h.Network.VerifyRecords().IsIntact);
        Assert.True(second.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_institution_registered_through_one_instance_is_known_to_the_other_and_a_replaced_entry_after_a_reload(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        await using var second = await h.StartNetworkNodeAsync();
        using var directory = new TempDirectory();
        using var keys = InstitutionKeys.LoadOrCreate(directory.Path);
        var itabashi = new InstitutionInfo("131199", "板橋区", InstitutionClass.Municipality, null, keys.SigningPublicKey, keys.SealingPublicKey);

        h.Network.Registry.Upsert(itabashi);

        // Not in the second instance's memory: looked up in the database, and its signed requests verify there.
        Assert.Equal("板橋区", second.Registry.Find("131199")?.Name);
        using var http = SigningHandler.CreateClient(second.BaseAddress, "131199", keys.Signing, NodeRoutes.NetworkInstitutionCode);
        var token = await h.IssueAsync(h.A, NetworkHarness.Person(22));
        var answered = await new NetworkHttpClient(http).LinkageAsync(
            new LinkageRequest(Guid.NewGuid(), "131199", token, "child-allowance", NetworkHarness.WardB, "local-tax", null, null));
        // The signature was accepted; the linkage itself is refused on its merits (the token was issued to another ward).
        Assert.Equal((LinkageOutcome.Refused, RefusalCodes.UnknownToken), (answered.Outcome, answered.RefusalCode));

        // A replaced entry reaches the other instance when its cache is reloaded (in the background once older than RefreshAfter).
        h.Network.Registry.Upsert(itabashi with { Name = "板橋区役所" });
        second.Registry.Reload();
        Assert.Equal("板橋区役所", second.Registry.Find("131199")?.Name);
        Assert.Null(second.Registry.Find("131229"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task With_the_provider_stopped_an_immediate_query_fails_fast_and_is_recorded(string provider)
    {
        // A long provider timeout: "fast" means the network does not wait for it (connection refused is answered at once, no retry).
        await using var h = await NetworkHarness.StartAsync(provider, o => o.ProviderTimeout = TimeSpan.FromSeconds(60));
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(30);
        var token = await h.IssueAsync(h.A, person);
        await h.IssueAsync(h.B, person);
        await h.B.StopAsync();

        var watch = Stopwatch.StartNew();
        var response = await h.ClientOf(h.A).LinkageAsync(Query(h, token, row.Affair, NetworkHarness.WardB, row.Kind));
        watch.Stop();
        Assert.Equal(LinkageOutcome.ProviderUnavailable, response.Outcome);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), "the query waited for the provider's timeout");
        Assert.Equal(ProvisionResult.ProviderUnavailable, Assert.Single(Records(h)).Result);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_provider_slower_than_the_timeout_is_unavailable(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.ProviderTimeout = TimeSpan.FromMilliseconds(300));
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(31);
        var token = await h.IssueAsync(h.A, person);
        await h.IssueAsync(h.B, person);
        h.B.AnswerDelay = TimeSpan.FromSeconds(1.5);
        var request = Query(h, token, row.Affair, NetworkHarness.WardB, row.Kind);
        var response = await h.ClientOf(h.A).LinkageAsync(request);
        Assert.Equal(LinkageOutcome.ProviderUnavailable, response.Outcome);
        Assert.Contains("within", response.Message);
        Assert.Equal(ProvisionResult.ProviderUnavailable, Assert.Single(Records(h)).Result);

        // The provider's late answer changes nothing: still one record, not "provided", and a retry gets the first answer.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(h.B.Queries);
        Assert.Equal(ProvisionResult.ProviderUnavailable, Assert.Single(Records(h)).Result);
        var retried = await h.ClientOf(h.A).LinkageAsync(request);
        Assert.Equal((LinkageOutcome.ProviderUnavailable, response.RecordSequence), (retried.Outcome, retried.RecordSequence));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_portal_finds_a_persons_records_by_its_own_token_and_checkpoints_verify(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(40);
        var other = NetworkHarness.Person(41);
        var atA = await h.IssueAsync(h.A, person);
        h.B.Holdings[await h.IssueAsync(h.B, person)] = """{"x":1}""";
        var atPortal = await h.IssueAsync(h.Portal, person);
        var otherAtA = await h.IssueAsync(h.A, other);
        var otherAtPortal = await h.IssueAsync(h.Portal, other);
        var client = h.ClientOf(h.A);
        var request = Query(h, atA, row.Affair, NetworkHarness.WardB, row.Kind);
        await client.LinkageAsync(request);
        await client.LinkageAsync(Query(h, otherAtA, row.Affair, NetworkHarness.WardB, row.Kind)); // provider-has-no-token

        var portal = h.ClientOf(h.Portal);
        var mine = await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, atPortal, null, null));
        var record = Assert.Single(mine.Records);
        Assert.Equal((request.RequestId, NetworkHarness.WardA, NetworkHarness.WardB, row.Affair, row.Kind, ProvisionResult.Provided),
            (record.RequestId, record.Inquirer, record.Provider, record.Affair, record.Kind, record.Result));
        var theirs = await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, otherAtPortal, null, null));
        Assert.Equal(RefusalCodes.ProviderHasNoToken, Assert.Single(theirs.Records).RefusalCode);
        var today = ProvisionRecords.JapanDate(DateTimeOffset.UtcNow);
        Assert.Empty((await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, atPortal, today.AddDays(1), null))).Records);
        Assert.Single((await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, atPortal, today.AddDays(-1), today.AddDays(1)))).Records);

        var notPortal = await Assert.ThrowsAsync<NetworkException>(() => client.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.WardA, atA, null, null)));
        Assert.Equal("portal-only", notPortal.Code);
        var unknown = await Assert.ThrowsAsync<NetworkException>(() => portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, atA, null, null)));
        Assert.Equal("unknown-token", unknown.Code);

        var checkpoint = await client.CheckpointAsync(new CheckpointRequest(NetworkHarness.WardA));
        Assert.Equal(2, checkpoint.Sequence);
        Assert.Equal(h.Network.LogPublicKey, checkpoint.NetworkPublicKey);
        using var key = Renkei.Core.Crypto.RequestSignature.ImportPublicKey(checkpoint.NetworkPublicKey);
        var verifier = new AuditCheckpointVerifier(ProvisionCheckpoint.LogIdentity, key);
        var stored = new AuditCheckpoint(checkpoint.Sequence, AuditHash.FromHex(checkpoint.HeadHash), AuditTime.ToMicros(checkpoint.SignedAt),
            Convert.FromBase64String(checkpoint.Signature));
        Assert.True(verifier.HasValidSignature(stored));
        Assert.True(h.Network.VerifyRecords(stored.Head).IsIntact);
        // What 'renkei records verify --role network' runs: the auditor's own opening of the log, with the published key.
        var audited = ProvisionRecordAudit.Verify(h.Database.Database, key.ExportSubjectPublicKeyInfoPem(), stored.Head);
        Assert.True(audited.IsIntact, audited.Problem?.Message);
        Assert.Equal((2L, 0L), (audited.EntriesVerified, audited.UnprotectedEntries));
    }
}
