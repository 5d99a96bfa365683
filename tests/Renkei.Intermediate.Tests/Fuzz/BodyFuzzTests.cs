using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Tests.Node;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Intermediate.Tests.Fuzz;

[Xunit.CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console capture";
}

/// <summary>
/// Random and mutated bodies to the intermediate server's routes for its holder's systems (copies, provision, tokens,
/// linkage, notices, records) over HTTP: never a 500, no answer or log line repeating the input or carrying a stack
/// trace, nothing stored from a refused body; oversized bodies 413 while bulk routes keep their larger limit.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BodyFuzzTests
{
    private const string Holder = NodePair.InquirerCode;

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Holder_routes_refuse_mutated_bodies_cleanly(string provider)
    {
        using var console = new ConsoleCapture();
        var pair = await NodePair.StartAsync(provider);
        try
        {
            var node = pair.Inquirer;
            await node.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, IntermediateHarness.LocalTax(7), TestActors.Feed));
            await node.BindAsync(pair.Network, "person-7", 7, Token.FromInt64(4_000_000_000_000_007));
            var templates = new (string, string)[]
            {
                (IntermediateRoutes.LoadBatch, Json(new LoadBatchRequest(Guid.NewGuid(), Holder, [IntermediateHarness.LocalTax(8), IntermediateHarness.LocalTax(9)], TestActors.Feed))),
                (IntermediateRoutes.Upsert, Json(new UpsertCopyRequest(Guid.NewGuid(), Holder, IntermediateHarness.LocalTax(7, version: 2), TestActors.Feed))),
                (IntermediateRoutes.Delete, Json(new DeleteCopyRequest(Guid.NewGuid(), Holder, 7, InformationKindCodes.LocalTax, "moved-out", TestActors.Feed))),
                (IntermediateRoutes.Provide, Json(new ProvisionRequest(Guid.NewGuid(), Holder, 7, null, InformationKindCodes.LocalTax, new DateOnly(2026, 7, 1), TestActors.Feed))),
                (IntermediateRoutes.Kinds, Json(new ListKindsRequest(Holder))),
                (IntermediateNodeRoutes.PendingToken, Json(new PendingTokenRequest(Guid.NewGuid(), Holder, 11, TestActors.Feed))),
                (IntermediateNodeRoutes.PendingTokenBatch, Json(new PendingTokenBatchRequest(Guid.NewGuid(), Holder, [12, 13], TestActors.Feed))),
                (IntermediateNodeRoutes.TokenStatus, Json(new TokenStatusRequest(Holder, [7, 11]))),
                (IntermediateNodeRoutes.Query, Json(new InquiryRequest(Guid.NewGuid(), Holder, 7, "local-tax-reduction", NodePair.ProviderCode, InformationKindCodes.LocalTax))),
                (IntermediateNodeRoutes.QueryBatch, Json(new InquiryBatchRequest(Guid.NewGuid(), Holder, "local-tax-reduction", NodePair.ProviderCode,
                    InformationKindCodes.LocalTax, null, [new InquiryBatchItem("a", 7), new InquiryBatchItem("b", 8)]))),
                (IntermediateNodeRoutes.QueryBatchStatus, Json(new InquiryBatchStatusRequest(Guid.NewGuid(), Holder))),
                (IntermediateNodeRoutes.Policy, Json(new NodePolicyRequest(Holder, "local-tax-reduction"))),
                (IntermediateNodeRoutes.SendNotice, Json(new SendNoticeRequest(Guid.NewGuid(), Holder, 7, PortalRoutes.DemoPortalCode,
                    new NoticeContent("お知らせ", "本文です", null, null)))),
                (IntermediateNodeRoutes.Records, Json(new PartyRecordQuery(Holder, 7))),
            };
            var client = new RawRouteClient(node.Http);
            await BodyFuzz.CheckRoutesAsync(templates, _ => client, node.Database, iterations: 300);
        }
        finally
        {
            await pair.DisposeAsync();
        }
        BodyFuzz.AssertClean(console.Text, "the intermediate server's log");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bodies_over_the_limit_are_413_and_bulk_routes_keep_their_larger_limit(string provider)
    {
        await using var harness = await IntermediateHarness.StartAsync(provider);
        var client = new RawRouteClient(harness.Http);
        var pad = new string('Z', 1_200_000);
        var upsert = Json(new UpsertCopyRequest(Guid.NewGuid(), Holder, IntermediateHarness.LocalTax(21), TestActors.Feed));
        var large = await client.PostAsync(IntermediateRoutes.Upsert, Encoding.UTF8.GetBytes(upsert[..^1] + ",\"pad\":\"" + pad + "\"}"));
        Assert.Equal((int)HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.Equal("body-too-large", JsonDocument.Parse(large.Text).RootElement.GetProperty("code").GetString());
        BodyFuzz.AssertClean(large.Text, "the 413");
        Assert.Null((await harness.Client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, 21, null, InformationKindCodes.LocalTax, null, TestActors.Feed))).Body);

        // The server keeps answering, and a batch of copies (bulk) over 1 MiB is read.
        var batch = Json(new LoadBatchRequest(Guid.NewGuid(), Holder, [IntermediateHarness.LocalTax(22)], TestActors.Feed));
        var bulk = await client.PostAsync(IntermediateRoutes.LoadBatch, Encoding.UTF8.GetBytes(batch[..^1] + ",\"pad\":\"" + pad + "\"}"));
        Assert.True(bulk.Accepted, $"a batch of copies over 1 MiB was refused ({bulk.Status})");
        Assert.NotNull((await harness.Client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, 22, null, InformationKindCodes.LocalTax, null, TestActors.Feed))).Body);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_copy_with_a_number_in_a_property_name_is_refused_without_naming_it(string provider)
    {
        await using var harness = await IntermediateHarness.StartAsync(provider);
        var client = new RawRouteClient(harness.Http);
        var copy = IntermediateHarness.LocalTax(31) with { Body = IntermediateHarness.Json($$"""{"fiscalYear":2026,"x{{BodyFuzz.Marker}}":1}""") };
        var answer = await client.PostAsync(IntermediateRoutes.Upsert, Encoding.UTF8.GetBytes(Json(new UpsertCopyRequest(Guid.NewGuid(), Holder, copy, TestActors.Feed))));
        Assert.Equal(400, answer.Status);
        BodyFuzz.AssertRefusalIsClean(answer, IntermediateRoutes.Upsert);
    }
}
