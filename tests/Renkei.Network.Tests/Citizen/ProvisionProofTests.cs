using System.Net;
using System.Text;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.Network.Tests.Linkage;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>Provision records a person can verify: leaf data without tokens, inclusion proofs against signed tree heads.</summary>
public sealed class ProvisionProofTests
{
    /// <summary>Two people with tokens at both wards and the portal, and records about each (provided, not held, refused).</summary>
    private sealed record Scene(NetworkHarness H, Token XAtPortal, Token YAtPortal, List<Token> AllTokens);

    private static async Task<Scene> SceneAsync(NetworkHarness h)
    {
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var x = NetworkHarness.Person(60);
        var y = NetworkHarness.Person(61);
        var xA = await h.IssueAsync(h.A, x);
        var xB = await h.IssueAsync(h.B, x);
        var yA = await h.IssueAsync(h.A, y);
        var yB = await h.IssueAsync(h.B, y);
        var xP = await h.IssueAsync(h.Portal, x);
        var yP = await h.IssueAsync(h.Portal, y);
        h.B.Holdings[xB] = """{"income":1}""";
        var a = h.ClientOf(h.A);
        Task<LinkageResponse> Ask(Token token, string kind) =>
            a.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, token, row.Affair, NetworkHarness.WardB, kind, null, null));
        Assert.Equal(LinkageOutcome.Provided, (await Ask(xA, row.Kind)).Outcome);
        Assert.Equal(LinkageOutcome.NotHeld, (await Ask(yA, row.Kind)).Outcome);
        Assert.Equal(LinkageOutcome.Refused, (await Ask(xA, PolicyChoice.KindWithoutRow(h.Network.Policy, row))).Outcome);
        Assert.Equal(LinkageOutcome.Provided, (await Ask(xA, row.Kind)).Outcome);
        return new Scene(h, xP, yP, [xA, xB, yA, yB, xP, yP]);
    }

    private static void AssertSignedHead(ProvisionTreeHead head, NetworkHarness h)
    {
        Assert.Equal(h.Network.LogPublicKey, head.NetworkPublicKey);
        Assert.NotEqual(h.Network.SigningPublicKey, head.NetworkPublicKey); // the log's own key, not the request key
        using var key = RequestSignature.ImportPublicKey(head.NetworkPublicKey);
        Assert.True(RequestSignature.VerifyText(key, ProvisionTreeHead.SignedText(head.TreeSize, head.RootHash, head.SignedAt), head.Signature));
        Assert.False(RequestSignature.VerifyText(key, ProvisionTreeHead.SignedText(head.TreeSize + 1, head.RootHash, head.SignedAt), head.Signature));
    }

    private static bool Verifies(byte[] leafData, long index, RecordProof proof) =>
        MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(leafData), index, proof.TreeHead.TreeSize,
            proof.AuditPath.Select(Convert.FromHexString).ToList(), Convert.FromHexString(proof.TreeHead.RootHash));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_record_of_the_person_has_a_proof_against_the_signed_tree_head_and_an_edit_fails(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var scene = await SceneAsync(h);
        var portal = h.ClientOf(h.Portal);

        var head = await portal.TreeHeadAsync(new TreeHeadRequest(NetworkHarness.PortalCode));
        AssertSignedHead(head, h);
        Assert.Equal(4, head.TreeSize);

        var mine = (await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, scene.XAtPortal, null, null))).Records;
        Assert.Equal(3, mine.Count);
        foreach (var record in mine)
        {
            var proof = await portal.RecordProofAsync(new RecordProofRequest(NetworkHarness.PortalCode, scene.XAtPortal, record.Sequence));
            Assert.Equal(record, proof.Record);
            Assert.Equal(record.Sequence - 1, proof.LeafIndex);
            Assert.Equal(head, proof.TreeHead);
            AssertSignedHead(proof.TreeHead, h);
            var leafData = Convert.FromBase64String(proof.LeafData);
            Assert.True(Verifies(leafData, proof.LeafIndex, proof));

            // The leaf data is exactly the record's public fields in canonical form plus the commitment, which the
            // network's side table (salt and tokens) reproduces.
            var leaf = JsonSerializer.Deserialize<ProvisionLeaf>(leafData, JsonDefaults.Options)!;
            Assert.Equal(CanonicalJson.Serialize(leaf), leafData);
            Assert.Equal((record.Sequence, record.RecordedAt, record.RequestId, record.Inquirer, record.Provider, record.Affair, record.Kind, record.Result, record.RefusalCode),
                (leaf.Sequence, leaf.RecordedAt, leaf.RequestId, leaf.Inquirer, leaf.Provider, leaf.Affair, leaf.Kind, leaf.Result, leaf.RefusalCode));
            var subject = h.Network.Records.SubjectOf(record.Sequence)!;
            Assert.True(subject.Matches(leaf.Subject));
            Assert.Equal(ProvisionSubjects.Commit(subject.Salt, subject.InquirerToken, subject.ProviderToken), leaf.Subject);

            // An edited record (another kind, result or time) or the wrong position no longer verifies.
            foreach (var edited in new[] { leaf with { Kind = leaf.Kind + "x" }, leaf with { Result = ProvisionResult.NotHeld }, leaf with { RecordedAt = leaf.RecordedAt.AddSeconds(1) } })
                Assert.False(Verifies(CanonicalJson.Serialize(edited), proof.LeafIndex, proof));
            Assert.False(Verifies(leafData, (proof.LeafIndex + 1) % head.TreeSize, proof));
        }

        // The tree is the log's: its root is the root over every entry's leaf data.
        var tree = new MerkleTree(h.Network.Records.Log.ReadEntries().Select(e => MerkleTree.HashLeaf(ProvisionRecords.LeafData(e))));
        Assert.Equal(head.RootHash, Convert.ToHexStringLower(tree.Root()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_portal_gets_no_proof_of_someone_elses_record_and_other_callers_none_at_all(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var scene = await SceneAsync(h);
        var portal = h.ClientOf(h.Portal);
        var theirs = Assert.Single((await portal.ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, scene.YAtPortal, null, null))).Records);

        var notMine = await Assert.ThrowsAsync<NetworkException>(() =>
            portal.RecordProofAsync(new RecordProofRequest(NetworkHarness.PortalCode, scene.XAtPortal, theirs.Sequence)));
        var missing = await Assert.ThrowsAsync<NetworkException>(() =>
            portal.RecordProofAsync(new RecordProofRequest(NetworkHarness.PortalCode, scene.XAtPortal, 999)));
        // Someone else's record and no record at all are the same answer: nothing says whose it is.
        Assert.Equal((HttpStatusCode.NotFound, "record-not-found"), (notMine.Status, notMine.Code));
        Assert.Equal((missing.Status, missing.Code, missing.Message), (notMine.Status, notMine.Code, notMine.Message));

        var wardToken = scene.AllTokens[0];
        var unknown = await Assert.ThrowsAsync<NetworkException>(() =>
            portal.RecordProofAsync(new RecordProofRequest(NetworkHarness.PortalCode, wardToken, 1)));
        Assert.Equal("unknown-token", unknown.Code);

        var ward = h.ClientOf(h.A);
        var headRefused = await Assert.ThrowsAsync<NetworkException>(() => ward.TreeHeadAsync(new TreeHeadRequest(NetworkHarness.WardA)));
        var proofRefused = await Assert.ThrowsAsync<NetworkException>(() =>
            ward.RecordProofAsync(new RecordProofRequest(NetworkHarness.WardA, wardToken, 1)));
        Assert.All(new[] { headRefused, proofRefused }, e => Assert.Equal((HttpStatusCode.Forbidden, "portal-only"), (e.Status, e.Code)));
        var inAnotherName = await Assert.ThrowsAsync<NetworkException>(() => ward.TreeHeadAsync(new TreeHeadRequest(NetworkHarness.PortalCode)));
        // The door refuses a ward before its body is read, whatever name the body gives.
        Assert.Equal((HttpStatusCode.Forbidden, "portal-only"), (inAnotherName.Status, inAnotherName.Code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Neither_the_log_nor_the_leaf_data_nor_the_proof_responses_contain_a_token(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var scene = await SceneAsync(h);
        var digits = scene.AllTokens.Select(t => t.Digits).ToList();

        foreach (var entry in h.Network.Records.Log.ReadEntries())
        {
            var logged = Encoding.UTF8.GetString(entry.Payload) + Encoding.UTF8.GetString(ProvisionRecords.LeafData(entry));
            Assert.All(digits, d => Assert.DoesNotContain(d, logged));
        }
        var texts = new List<string>();
        for (var sequence = 1; sequence <= 4; sequence++)
        {
            foreach (var who in new[] { scene.XAtPortal, scene.YAtPortal })
            {
                var (status, body) = await h.RawPostAsync(h.Portal, PortalRoutes.RecordProof, new RecordProofRequest(NetworkHarness.PortalCode, who, sequence));
                if (status == HttpStatusCode.OK) texts.Add(body + Encoding.UTF8.GetString(Convert.FromBase64String(JsonDocument.Parse(body).RootElement.GetProperty("leafData").GetString()!)));
                else Assert.Equal(HttpStatusCode.NotFound, status);
            }
        }
        Assert.Equal(4, texts.Count); // each record is someone's
        texts.Add((await h.RawPostAsync(h.Portal, PortalRoutes.TreeHead, new TreeHeadRequest(NetworkHarness.PortalCode))).Body);
        Assert.All(texts, text => Assert.All(digits, d => Assert.DoesNotContain(d, text)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_head_is_signed_anew_only_when_due_or_when_a_proof_needs_a_newer_record(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.TreeHeadInterval = TimeSpan.FromHours(1));
        var portal = h.ClientOf(h.Portal);
        var empty = await portal.TreeHeadAsync(new TreeHeadRequest(NetworkHarness.PortalCode));
        Assert.Equal((0L, Convert.ToHexStringLower(MerkleTree.EmptyRoot())), (empty.TreeSize, empty.RootHash));
        AssertSignedHead(empty, h);

        var scene = await SceneAsync(h);
        // Within the interval the head stays, though the log grew …
        Assert.Equal(empty, await portal.TreeHeadAsync(new TreeHeadRequest(NetworkHarness.PortalCode)));
        // … until a proof needs a record it does not cover: then a head over the whole log is signed at once.
        var proof = await portal.RecordProofAsync(new RecordProofRequest(NetworkHarness.PortalCode, scene.XAtPortal, 4));
        Assert.Equal(4, proof.TreeHead.TreeSize);
        AssertSignedHead(proof.TreeHead, h);
        Assert.True(Verifies(Convert.FromBase64String(proof.LeafData), 3, proof));
        Assert.Equal(proof.TreeHead, await portal.TreeHeadAsync(new TreeHeadRequest(NetworkHarness.PortalCode)));

        // After a restart the tree is computed again from the log: the same root for the same size.
        await h.RestartNetworkAsync();
        var again = await h.ClientOf(h.Portal).TreeHeadAsync(new TreeHeadRequest(NetworkHarness.PortalCode));
        Assert.Equal((proof.TreeHead.TreeSize, proof.TreeHead.RootHash), (again.TreeSize, again.RootHash));
    }
}
