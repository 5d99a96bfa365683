using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Node;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// The provider side (情報提供): the network forwards a query by the provider's token; the node answers from its copies,
/// sealed so that only the inquirer can read it and signed so that the inquirer can tell it is the provider's, and
/// records the provision once.
/// </summary>
public sealed class ProvideTests
{
    private static readonly Token Person = Token.FromInt64(7_300_000_000_000_100);

    private static async Task<SignedSealedAnswer> ProvideAsync(NodePair pair, ProvideRequest request)
    {
        using var response = await pair.Network.ClientFor(pair.Provider.Host.BaseAddress, pair.Provider.Code).PostAsJsonAsync(NodeRoutes.Provide, request, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SignedSealedAnswer>(JsonDefaults.Options))!;
    }

    private static ProvidedInformation Open(SignedSealedAnswer answer, Guid requestId, ECDiffieHellman key,
        string inquirer = NodePair.InquirerCode, string kind = InformationKindCodes.LocalTax) =>
        JsonSerializer.Deserialize<ProvidedInformation>(SignedAnswers.Open(answer, requestId, inquirer, kind, key), JsonDefaults.Options)!;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_answer_is_sealed_to_the_inquirer_signed_by_the_provider_and_recorded_once(string provider)
    {
        await using var pair = await NodePair.StartAsync(provider);
        var node = pair.Provider;
        await node.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), node.Code, LocalTax(100, taxableIncome: 4_400_000), TestActors.Feed));
        await node.BindAsync(pair.Network, "P1", 100, Person);

        using var inquirerKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var request = new ProvideRequest(Guid.NewGuid(), NodePair.InquirerCode, "child-allowance", node.Code, Person, InformationKindCodes.LocalTax, null,
            Convert.ToBase64String(inquirerKey.ExportSubjectPublicKeyInfo()));
        var answer = await ProvideAsync(pair, request);

        Assert.Equal((node.Code, true), (answer.Provider, answer.Held));
        Assert.DoesNotContain("4400000", JsonSerializer.Serialize(answer, JsonDefaults.Options)); // the network sees ciphertext only
        var information = Open(answer, request.RequestId, inquirerKey);
        Assert.Equal((true, InformationKindCodes.LocalTax, (DateOnly?)new DateOnly(2026, 6, 1), (long?)1), (information.Held, information.Kind, information.AsOf, information.Version));
        Assert.Equal(4_400_000, CopyBodies.FromJson<LocalTaxBody>(information.Body!.Value).TaxableIncome);

        // Only the inquirer's key opens it, and only for this request.
        using var otherKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        Assert.ThrowsAny<CryptographicException>(() => Open(answer, request.RequestId, otherKey));
        Assert.ThrowsAny<CryptographicException>(() => Open(answer, Guid.NewGuid(), inquirerKey));
        // The answer's own key (the provider's window, this request, provider, inquirer and kind) opens nothing else.
        Assert.Equal(SealingWindows.Scheme, answer.Sealed.Scheme);
        Assert.ThrowsAny<CryptographicException>(() => Open(answer, request.RequestId, inquirerKey, inquirer: "131121"));
        Assert.ThrowsAny<CryptographicException>(() => Open(answer, request.RequestId, inquirerKey, kind: InformationKindCodes.ChildAllowance));

        // The provider's signature verifies with its published key, and fails for anything altered.
        using var providerKey = RequestSignature.ImportPublicKey(node.Info.SigningPublicKey);
        Assert.True(BatchSignature.IsBatch(answer.Signature)); // a batch signature that verifies on its own, with a fresh key object
        Assert.True(SignedAnswers.Verify(answer, request.RequestId, NodePair.InquirerCode, InformationKindCodes.LocalTax, providerKey));
        var flipped = answer with { Sealed = answer.Sealed with { Ciphertext = Flip(answer.Sealed.Ciphertext) } };
        Assert.False(SignedAnswers.Verify(flipped, request.RequestId, NodePair.InquirerCode, InformationKindCodes.LocalTax, providerKey));
        Assert.False(SignedAnswers.Verify(answer, request.RequestId, "131121", InformationKindCodes.LocalTax, providerKey));
        Assert.False(SignedAnswers.Verify(answer, request.RequestId, NodePair.InquirerCode, InformationKindCodes.ChildAllowance, providerKey));
        using (var inquirerSigning = RequestSignature.ImportPublicKey(pair.Inquirer.Info.SigningPublicKey))
            Assert.False(SignedAnswers.Verify(answer, request.RequestId, NodePair.InquirerCode, InformationKindCodes.LocalTax, inquirerSigning));

        // The network resends: the very same answer, one record.
        var again = await ProvideAsync(pair, request);
        Assert.Equal((answer.Signature, answer.Sealed), (again.Signature, again.Sealed));
        var records = await node.Client.RecordsAsync(new PartyRecordQuery(node.Code));
        var record = Assert.Single(records.Records);
        Assert.Equal((PartyRole.Provider, request.RequestId, (int?)null, NodePair.InquirerCode, node.Code, "child-allowance", InformationKindCodes.LocalTax, ProvisionResult.Provided, (string?)null, (long?)100),
            (record.Role, record.RequestId, record.ItemIndex, record.Inquirer, record.Provider, record.Affair, record.Kind, record.Result, record.RefusalCode, record.AddresseeNumber));
        await using (var log = node.OpenRecords())
        {
            var stored = Assert.Single(log.Read());
            Assert.Equal(Person, stored.Entry.Token); // the log keeps the holder's own token, no addressee number, no number
            Assert.True(log.Verify().IsIntact);
        }

        // The same request id with other content is refused.
        using var reused = await pair.Network.ClientFor(node.Host.BaseAddress, node.Code).PostAsJsonAsync(NodeRoutes.Provide, request with { Affair = "public-assistance" }, JsonDefaults.Options);
        Assert.Equal((HttpStatusCode.Conflict, "request-id-reused"), (reused.StatusCode, (await reused.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code));
        using var elsewhere = await pair.Network.ClientFor(node.Host.BaseAddress, node.Code).PostAsJsonAsync(NodeRoutes.Provide, request with { RequestId = Guid.NewGuid(), Provider = "131121" }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        using var badKey = await pair.Network.ClientFor(node.Host.BaseAddress, node.Code).PostAsJsonAsync(NodeRoutes.Provide, request with { RequestId = Guid.NewGuid(), InquirerSealingKey = "bm90IGEga2V5" }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Single((await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Not_held_answers_say_why_and_are_recorded_as_not_held(string provider)
    {
        await using var pair = await NodePair.StartAsync(provider);
        var node = pair.Provider;
        await node.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), node.Code, LocalTax(100), TestActors.Feed));
        await node.BindAsync(pair.Network, "P1", 100, Person);
        using var inquirerKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var sealingKey = Convert.ToBase64String(inquirerKey.ExportSubjectPublicKeyInfo());

        var cases = new (Token Token, string Kind, DateOnly? AsOf, string Reason)[]
        {
            (Person, InformationKindCodes.LocalTax, new DateOnly(2026, 5, 31), "only-later-copy"),
            (Person, InformationKindCodes.ChildAllowance, null, "no-copy"),
            (Token.FromInt64(7_300_000_000_000_999), InformationKindCodes.LocalTax, null, "unknown-token"),
            (Person, "no-such-kind", null, "kind-not-kept"),
        };
        foreach (var (token, kind, asOf, reason) in cases)
        {
            var request = new ProvideRequest(Guid.NewGuid(), NodePair.InquirerCode, "child-allowance", node.Code, token, kind, asOf, sealingKey);
            var answer = await ProvideAsync(pair, request);
            Assert.False(answer.Held);
            var information = Open(answer, request.RequestId, inquirerKey, kind: kind);
            Assert.Equal((false, kind, reason), (information.Held, information.Kind, information.Reason));
            Assert.Null(information.Body);
        }
        var records = (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records;
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal(ProvisionResult.NotHeld, r.Result));
        Assert.Equal([100L, 100L, null, 100L], records.Select(r => r.AddresseeNumber));
        Assert.Equal(3, (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code, AddresseeNumber: 100))).Records.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_chunk_forwarded_in_one_request_is_answered_under_one_batch_signature_and_recorded_once_per_item(string provider)
    {
        await using var pair = await NodePair.StartAsync(provider);
        var node = pair.Provider;
        await node.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), node.Code, LocalTax(100, taxableIncome: 4_400_000), TestActors.Feed));
        await node.BindAsync(pair.Network, "P1", 100, Person);
        using var inquirerKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var unknown = Token.FromInt64(7_300_000_000_000_999);
        var bulk = new BulkProvideRequest(Guid.NewGuid(), NodePair.InquirerCode, "child-allowance", node.Code, InformationKindCodes.LocalTax,
            Convert.ToBase64String(inquirerKey.ExportSubjectPublicKeyInfo()),
            [new BulkProvideItem(Guid.NewGuid(), Person, null), new BulkProvideItem(Guid.NewGuid(), unknown, null), new BulkProvideItem(Guid.NewGuid(), Person, new DateOnly(2026, 5, 31))]);
        // One item was asked alone before: it keeps its answer and its one record.
        var earlier = await ProvideAsync(pair, bulk.ItemRequest(bulk.Items[0]));

        async Task<BulkProvideResponse> Bulk()
        {
            using var response = await pair.Network.ClientFor(node.Host.BaseAddress, node.Code).PostAsJsonAsync(NodeRoutes.ProvideBulk, bulk, JsonDefaults.Options);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<BulkProvideResponse>(JsonDefaults.Options))!;
        }
        var answered = await Bulk();
        Assert.Equal(bulk.ChunkId, answered.ChunkId);
        Assert.Equal(bulk.Items.Select(i => i.RequestId), answered.Results.Select(r => r.RequestId));
        Assert.All(answered.Results, r => Assert.Null(r.Code));
        Assert.DoesNotContain("4400000", JsonSerializer.Serialize(answered, JsonDefaults.Options));
        Assert.Equal((earlier.Signature, earlier.Sealed), (answered.Results[0].Answer!.Signature, answered.Results[0].Answer!.Sealed));

        // The fresh answers share one root signature, and each verifies alone with a fresh key object and opens for its own request only.
        var fresh = answered.Results.Skip(1).Select(r => BatchSignature.TryParse(r.Answer!.Signature)!).ToList();
        Assert.Single(fresh.Select(x => Convert.ToBase64String(x.RootSignature)).Distinct());
        using var providerKey = RequestSignature.ImportPublicKey(node.Info.SigningPublicKey);
        var expected = new[] { (true, (string?)null), (false, "unknown-token"), (false, "only-later-copy") };
        for (var i = 0; i < bulk.Items.Count; i++)
        {
            var (requestId, answer) = (bulk.Items[i].RequestId, answered.Results[i].Answer!);
            Assert.True(SignedAnswers.Verify(answer, requestId, NodePair.InquirerCode, InformationKindCodes.LocalTax, providerKey));
            Assert.False(SignedAnswers.Verify(answer, bulk.Items[(i + 1) % bulk.Items.Count].RequestId, NodePair.InquirerCode, InformationKindCodes.LocalTax, providerKey));
            var information = Open(answer, requestId, inquirerKey);
            Assert.Equal(expected[i], (information.Held, information.Reason));
            Assert.Equal(information.Held, answer.Held);
        }

        // The network resends the chunk (its answer was lost): the very same answers, still one record per item.
        var again = await Bulk();
        Assert.Equal(answered.Results.Select(r => (r.Answer!.Signature, r.Answer.Sealed)), again.Results.Select(r => (r.Answer!.Signature, r.Answer.Sealed)));
        var records = (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records;
        Assert.Equal(bulk.Items.Select(i => i.RequestId).Order(), records.Select(r => r.RequestId).Order());
        Assert.Equal([ProvisionResult.Provided, ProvisionResult.NotHeld, ProvisionResult.NotHeld],
            bulk.Items.Select(i => records.Single(r => r.RequestId == i.RequestId).Result));
        await using (var log = node.OpenRecords())
            Assert.True(log.Verify().IsIntact);

        // A chunk for another institution, or with a request id twice, is refused whole.
        using var elsewhere = await pair.Network.ClientFor(node.Host.BaseAddress, node.Code).PostAsJsonAsync(NodeRoutes.ProvideBulk,
            bulk with { ChunkId = Guid.NewGuid(), Provider = "131121" }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        using var twice = await pair.Network.ClientFor(node.Host.BaseAddress, node.Code).PostAsJsonAsync(NodeRoutes.ProvideBulk,
            bulk with { ChunkId = Guid.NewGuid(), Items = [bulk.Items[0], bulk.Items[0]] }, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal(3, (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records.Count);
    }

    /// <summary>A node pair whose provider holds a local-tax copy for addressee 100, bound to <see cref="Person"/>.</summary>
    private static async Task<NodePair> StartWithPersonAsync(string provider)
    {
        var pair = await NodePair.StartAsync(provider);
        await pair.Provider.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), pair.Provider.Code, LocalTax(100, taxableIncome: 4_400_000), TestActors.Feed));
        await pair.Provider.BindAsync(pair.Network, "P1", 100, Person);
        return pair;
    }

    private static async Task<BulkProvideResponse> ProvideBulkAsync(NodePair pair, BulkProvideRequest bulk)
    {
        using var response = await pair.Network.ClientFor(pair.Provider.Host.BaseAddress, pair.Provider.Code).PostAsJsonAsync(NodeRoutes.ProvideBulk, bulk, JsonDefaults.Options);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<BulkProvideResponse>(JsonDefaults.Options))!;
    }

    /// <summary>What an opened answer says, the body as its text.</summary>
    private static (bool, string, DateOnly?, long?, DateTimeOffset?, string?, string?) Said(ProvidedInformation i) =>
        (i.Held, i.Kind, i.AsOf, i.Version, i.UpdatedAt, i.Body?.GetRawText(), i.Reason);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_chunk_answers_each_person_as_the_single_route_does_held_not_held_and_as_of(string provider)
    {
        await using var pair = await StartWithPersonAsync(provider);
        var node = pair.Provider;
        var withoutCopy = Token.FromInt64(7_300_000_000_000_200);
        await node.BindAsync(pair.Network, "P2", 200, withoutCopy);
        using var inquirerKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var sealingKey = Convert.ToBase64String(inquirerKey.ExportSubjectPublicKeyInfo());
        var people = new (Token Token, DateOnly? AsOf)[]
        {
            (Person, null), (Person, new DateOnly(2026, 7, 1)), (Person, new DateOnly(2026, 6, 1)), (Person, new DateOnly(2026, 5, 31)),
            (withoutCopy, null), (Token.FromInt64(7_300_000_000_000_999), null), (Person, null),
        };

        foreach (var kind in new[] { InformationKindCodes.LocalTax, "no-such-kind" })
        {
            var bulk = new BulkProvideRequest(Guid.NewGuid(), NodePair.InquirerCode, "child-allowance", node.Code, kind, sealingKey,
                people.Select(p => new BulkProvideItem(Guid.NewGuid(), p.Token, p.AsOf)).ToList());
            var chunk = await ProvideBulkAsync(pair, bulk);
            for (var i = 0; i < people.Length; i++)
            {
                var alone = new ProvideRequest(Guid.NewGuid(), NodePair.InquirerCode, "child-allowance", node.Code, people[i].Token, kind, people[i].AsOf, sealingKey);
                var single = await ProvideAsync(pair, alone);
                var inChunk = chunk.Results[i].Answer!;
                Assert.Equal(single.Held, inChunk.Held);
                Assert.Equal(Said(Open(single, alone.RequestId, inquirerKey, kind: kind)), Said(Open(inChunk, bulk.Items[i].RequestId, inquirerKey, kind: kind)));
            }
        }
        var records = (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records;
        Assert.Equal(2 * 2 * people.Length, records.Count); // every chunk item and every single request once
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_chunk_of_new_resent_and_reused_request_ids_answers_the_new_returns_the_stored_and_refuses_only_the_reused(string provider)
    {
        await using var pair = await StartWithPersonAsync(provider);
        var node = pair.Provider;
        using var inquirerKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var bulk = new BulkProvideRequest(Guid.NewGuid(), NodePair.InquirerCode, "child-allowance", node.Code, InformationKindCodes.LocalTax,
            Convert.ToBase64String(inquirerKey.ExportSubjectPublicKeyInfo()),
            Enumerable.Range(0, 5).Select(_ => new BulkProvideItem(Guid.NewGuid(), Person, null)).ToList());
        // Before the chunk: item 1 asked alone as it stands, item 3's request id used alone for another request.
        var earlier = await ProvideAsync(pair, bulk.ItemRequest(bulk.Items[1]));
        await ProvideAsync(pair, bulk.ItemRequest(bulk.Items[3]) with { Affair = "public-assistance" });

        var answered = await ProvideBulkAsync(pair, bulk);
        Assert.Equal([null, null, null, "request-id-reused", null], answered.Results.Select(r => r.Code));
        Assert.Null(answered.Results[3].Answer);
        Assert.Equal(JsonSerializer.Serialize(earlier, JsonDefaults.Options), JsonSerializer.Serialize(answered.Results[1].Answer, JsonDefaults.Options));
        foreach (var i in new[] { 0, 2, 4 })
            Assert.True(Open(answered.Results[i].Answer!, bulk.Items[i].RequestId, inquirerKey).Held);
        var records = (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records;
        Assert.Equal(bulk.Items.Select(i => i.RequestId).Order(), records.Select(r => r.RequestId).Order()); // one each, item 3's from before
        Assert.Equal("public-assistance", records.Single(r => r.RequestId == bulk.Items[3].RequestId).Affair);

        // Resent whole: the same bytes per item, the same refusal, no new record.
        var again = await ProvideBulkAsync(pair, bulk);
        Assert.Equal(JsonSerializer.Serialize(answered, JsonDefaults.Options), JsonSerializer.Serialize(again, JsonDefaults.Options));
        Assert.Equal(5, (await node.Client.RecordsAsync(new PartyRecordQuery(node.Code))).Records.Count);
        await using (var log = node.OpenRecords())
            Assert.True(log.Verify().IsIntact);
    }

    private static string Flip(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[0] ^= 1;
        return Convert.ToBase64String(bytes);
    }
}
