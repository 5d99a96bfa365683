using System.Text.Json;
using CsCheck;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Fuzz;

[Xunit.CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console capture";
}

/// <summary>
/// Random and mutated bodies, correctly signed by a registered institution, to every route of the network over HTTP:
/// never a 500, no answer or log line repeating the input or carrying a stack trace, nothing stored from a refused body.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BodyFuzzTests
{
    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Signed_routes_refuse_mutated_bodies_cleanly(string provider)
    {
        using var console = new ConsoleCapture();
        var h = await NetworkHarness.StartAsync(provider);
        var clients = new List<HttpClient>();
        try
        {
            var person = NetworkHarness.Person(1);
            var token = await h.IssueAsync(h.A, person);
            var portalToken = await h.IssueAsync(h.Portal, person);
            RawRouteClient SignedBy(string code, InstitutionKeys keys)
            {
                var http = SigningHandler.CreateClient(h.Network.BaseAddress, code, keys.Signing, NodeRoutes.NetworkInstitutionCode);
                clients.Add(http);
                return new RawRouteClient(http);
            }
            var jlis = SignedBy(NetworkHarness.JlisCode, h.Jlis);
            var ward = SignedBy(h.A.Code, h.A.Keys);
            var portal = SignedBy(h.Portal.Code, h.Portal.Keys);
            var sealedNotice = new SealedPayload("AAAA", "AAAA", "AAAA", "AAAA");
            var templates = new (string Route, string Json)[]
            {
                (NetworkRoutes.IssueToken, Json(new IssueTokenRequest(Guid.NewGuid(), h.B.Code, NetworkHarness.Person(2)))),
                (NetworkRoutes.IssueTokenBatch, Json(new IssueTokenBatchRequest(Guid.NewGuid(), h.B.Code,
                    [new IndexedResidentCode(0, NetworkHarness.Person(3)), new IndexedResidentCode(1, NetworkHarness.Person(4))]))),
                (NetworkRoutes.Linkage, Json(new LinkageRequest(Guid.NewGuid(), h.A.Code, token, "local-tax-reduction", h.B.Code, "local-tax", null, null))),
                (NetworkRoutes.LinkageBatchStatus, Json(new BatchStatusRequest(Guid.NewGuid(), h.A.Code))),
                (NetworkRoutes.InstitutionLookup, Json(new InstitutionLookupRequest(h.B.Code))),
                (NetworkRoutes.ProvisionRecords, Json(new ProvisionRecordQuery(h.A.Code, token, null, null))),
                (NetworkRoutes.ProvisionCheckpoint, Json(new CheckpointRequest(h.A.Code))),
                (NetworkRoutes.PolicyLinkages, Json(new PolicyLinkagesRequest(h.A.Code, "local-tax-reduction"))),
                (PortalRoutes.PushNotice, Json(new PushNoticeRequest(Guid.NewGuid(), h.A.Code, token, h.Portal.Code, sealedNotice))),
                (PortalRoutes.TreeHead, Json(new TreeHeadRequest(h.Portal.Code))),
                (PortalRoutes.RecordProof, Json(new RecordProofRequest(h.Portal.Code, portalToken, 1))),
                (PortalRoutes.SelfSources, Json(new SelfSourcesRequest(h.Portal.Code, portalToken))),
                (PortalRoutes.Notices, Json(new NoticeQuery(h.Portal.Code, portalToken))),
                (PortalRoutes.NoticeRead, Json(new NoticeReadRequest(h.Portal.Code, portalToken, Guid.NewGuid()))),
            };
            string[] portalRoutes = [PortalRoutes.TreeHead, PortalRoutes.RecordProof, PortalRoutes.SelfSources, PortalRoutes.Notices, PortalRoutes.NoticeRead];
            RawRouteClient ClientFor(string route) =>
                route.StartsWith("tokens/", StringComparison.Ordinal) ? jlis : portalRoutes.Contains(route) ? portal : ward;
            // The provision records' checkpoints are signed by a timer (every 2 s while records arrive, after an accepted
            // linkage), not by the request: they may land during any later request, so that table is left out.
            await BodyFuzz.CheckRoutesAsync(templates, ClientFor, h.Database.Database, iterations: 250, "net_provision_records_checkpoints");

            // A batch runs in the background: an accepted one goes on writing its items and provision records while later
            // requests are refused, so those tables are left out here.
            var batches = new (string Route, string Json)[]
            {
                (NetworkRoutes.LinkageBatch, Json(new BatchLinkageRequest(Guid.NewGuid(), h.A.Code, "local-tax-reduction", h.B.Code, "local-tax", null,
                    [new BatchLinkageItem("a", token, null)]))),
            };
            await BodyFuzz.CheckRoutesAsync(batches, ClientFor, h.Database.Database, iterations: 60,
                "net_batches", "net_batch_items", "net_provision_records", "net_provision_records_checkpoints", "net_record_index", "net_record_subjects");
        }
        finally
        {
            foreach (var http in clients) http.Dispose();
            await h.DisposeAsync();
        }
        BodyFuzz.AssertClean(console.Text, "the network's log");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_null_element_in_a_list_is_a_400_naming_the_list(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        using var http = SigningHandler.CreateClient(h.Network.BaseAddress, NetworkHarness.JlisCode, h.Jlis.Signing, NodeRoutes.NetworkInstitutionCode);
        var body = Json(new IssueTokenBatchRequest(Guid.NewGuid(), h.B.Code, [new IndexedResidentCode(0, NetworkHarness.Person(5))]))
            .Replace("[{", "[null,{", StringComparison.Ordinal);
        var answer = await new RawRouteClient(http).PostAsync(NetworkRoutes.IssueTokenBatch, System.Text.Encoding.UTF8.GetBytes(body));
        Assert.Equal(400, answer.Status);
        BodyFuzz.AssertRefusalIsClean(answer, NetworkRoutes.IssueTokenBatch);
        Assert.StartsWith("items", JsonDocument.Parse(answer.Text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(h.B.DeliveredBatches.Keys, _ => true);
    }
}
