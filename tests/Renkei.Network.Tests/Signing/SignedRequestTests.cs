using System.Net;
using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults.Signing;

namespace Renkei.Network.Tests.Signing;

/// <summary>Every route wants a request signed by a registered institution, in its own name.</summary>
public sealed class SignedRequestTests
{
    private static LinkageRequest AnyQuery(string inquirer) =>
        new(Guid.NewGuid(), inquirer, Renkei.Core.Numbers.Token.FromInt64(42), "affair", NetworkHarness.WardB, "kind", null, null);

    private static async Task<(HttpStatusCode Status, string Code)> PostAsync(HttpClient http, string route, object body)
    {
        using var response = await http.PostAsJsonAsync(route, body, JsonDefaults.Options);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options);
        return (response.StatusCode, problem!.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Unsigned_wrongly_signed_stale_tampered_and_foreign_requests_are_refused(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var address = h.Network.BaseAddress;

        using (var plain = new HttpClient { BaseAddress = address })
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnsignedRequest), await PostAsync(plain, NetworkRoutes.Linkage, AnyQuery(NetworkHarness.WardA)));

        // A's code, B's key.
        using (var wrongKey = SigningHandler.CreateClient(address, NetworkHarness.WardA, h.B.Keys.Signing, NodeRoutes.NetworkInstitutionCode))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), await PostAsync(wrongKey, NetworkRoutes.Linkage, AnyQuery(NetworkHarness.WardA)));

        using (var stranger = SigningHandler.CreateClient(address, "999999", h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnknownInstitution), await PostAsync(stranger, NetworkRoutes.Linkage, AnyQuery("999999")));

        var past = new OffsetClock(TimeSpan.FromSeconds(-(SignedRequestHeaders.MaxClockSkewSeconds + 60)));
        using (var stale = SigningHandler.CreateClient(address, NetworkHarness.WardA, h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode, clock: past))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.StaleTimestamp), await PostAsync(stale, NetworkRoutes.Linkage, AnyQuery(NetworkHarness.WardA)));

        // The body changed after signing (a handler below the signer swaps one character).
        using (var tampered = new HttpClient(new SigningHandler(NetworkHarness.WardA, h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode) { InnerHandler = new Tamperer { InnerHandler = new SocketsHttpHandler() } }) { BaseAddress = address })
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), await PostAsync(tampered, NetworkRoutes.Linkage, AnyQuery(NetworkHarness.WardA)));

        // Signed by A in B's name.
        using (var a = SigningHandler.CreateClient(address, NetworkHarness.WardA, h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode))
        {
            Assert.Equal((HttpStatusCode.Forbidden, "sender-mismatch"), await PostAsync(a, NetworkRoutes.Linkage, AnyQuery(NetworkHarness.WardB)));
            // Only J-LIS asks for tokens.
            Assert.Equal((HttpStatusCode.Forbidden, "numbering-authority-only"), await PostAsync(a, NetworkRoutes.IssueToken,
                new IssueTokenRequest(Guid.NewGuid(), NetworkHarness.WardA, NetworkHarness.Person(1))));
            // A malformed body names the field, not the value.
            using var response = await a.PostAsync(NetworkRoutes.Linkage, new StringContent(
                """{"requestId":"5e0f0c46-8c4c-4b2a-9a59-1d0c1f0b7a11","inquirer":"131091","inquirerToken":"12345","affair":"a","provider":"b","kind":"k"}""",
                Encoding.UTF8, "application/json"));
            var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options);
            Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (response.StatusCode, problem!.Code));
            Assert.Contains("inquirerToken", problem.Detail);
            Assert.DoesNotContain("12345", problem.Detail);
        }
        Assert.Empty(h.Network.Records.Log.ReadEntries());
    }

    [Fact]
    public async Task The_network_refuses_to_start_with_another_master_key()
    {
        await using var h = await NetworkHarness.StartAsync("sqlite");
        await h.Network.DisposeAsync();
        var keyFile = Path.Combine(h.KeyDirectory, NetworkService.MasterKeyFileName);
        File.Delete(keyFile);
        File.WriteAllBytes(keyFile, Enumerable.Repeat((byte)7, 32).ToArray());
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(h.StartNetworkNodeAsync);
        Assert.Contains(NetworkService.MasterKeyFileName, failure.Message);
    }

    [Fact]
    public void Institution_keys_are_created_once_private_and_reloaded()
    {
        using var directory = new TempDirectory();
        string signing, sealing;
        using (var keys = InstitutionKeys.LoadOrCreate(directory.Path))
        {
            signing = keys.SigningPublicKey;
            sealing = keys.SealingPublicKey;
            Assert.NotEqual(signing, sealing);
        }
        foreach (var name in new[] { InstitutionKeys.SigningKeyFileName, InstitutionKeys.SealingKeyFileName })
        {
            var path = directory.File(name);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        using (var again = InstitutionKeys.LoadOrCreate(directory.Path))
            Assert.Equal((signing, sealing), (again.SigningPublicKey, again.SealingPublicKey));

        File.WriteAllText(directory.File(InstitutionKeys.SealingKeyFileName), "not a key");
        var broken = Assert.Throws<InvalidDataException>(() => InstitutionKeys.LoadOrCreate(directory.Path));
        Assert.Contains(InstitutionKeys.SealingKeyFileName, broken.Message);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Token_batches_reach_the_node_by_position_and_match_single_issuance(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var jlis = h.Client(NetworkHarness.JlisCode, h.Jlis);
        var items = Enumerable.Range(0, 2_000).Select(i => new IndexedResidentCode(i * 3 + 1, NetworkHarness.Person(1_000 + i))).ToList();
        var batchId = Guid.NewGuid();
        var response = await jlis.IssueTokenBatchAsync(new IssueTokenBatchRequest(batchId, NetworkHarness.WardA, items));
        Assert.Equal(items.Count, response.Delivered);
        var delivered = h.A.DeliveredBatches[batchId];
        Assert.Equal(items.Select(i => i.Index), delivered.Select(t => t.Index));
        Assert.Equal(items.Count, delivered.Select(t => t.Token).Distinct().Count());
        // The same person asked for singly gets the same token.
        Assert.Equal(delivered[17].Token, await h.IssueAsync(h.A, items[17].ResidentCode));

        var twice = await Assert.ThrowsAsync<NetworkException>(() => jlis.IssueTokenBatchAsync(
            new IssueTokenBatchRequest(Guid.NewGuid(), NetworkHarness.WardA, [items[0], items[0]])));
        Assert.Equal("invalid-request", twice.Code);
        var unknown = await Assert.ThrowsAsync<NetworkException>(() => jlis.IssueTokenAsync(new IssueTokenRequest(Guid.NewGuid(), "999999", items[0].ResidentCode)));
        Assert.Equal((HttpStatusCode.NotFound, "institution-not-registered"), (unknown.Status, unknown.Code));

        await h.A.StopAsync();
        var down = await Assert.ThrowsAsync<NetworkException>(() => jlis.IssueTokenAsync(new IssueTokenRequest(Guid.NewGuid(), NetworkHarness.WardA, items[0].ResidentCode)));
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "institution-unavailable"), (down.Status, down.Code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Batch_signed_requests_verify_one_by_one_and_a_replayed_or_moved_batch_signature_is_refused(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var capture = new Capturer();
        using var a = new HttpClient(new SigningHandler(NetworkHarness.WardA, h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode) { InnerHandler = capture })
        {
            BaseAddress = h.Network.BaseAddress,
        };
        // The key is busy while six requests are signed: the first waits for it, the other five queue and share a batch.
        var queries = Enumerable.Range(0, 6).Select(_ => AnyQuery(NetworkHarness.WardA)).ToList();
        List<Task<HttpResponseMessage>> sends;
        var signer = BatchSigner.For(h.A.Keys.Signing);
        var batchesBefore = signer.Batches;
        lock (h.A.Keys.Signing)
        {
            sends = queries.Select(q => Task.Run(() => a.PostAsJsonAsync(NetworkRoutes.Linkage, q, JsonDefaults.Options))).ToList();
            Assert.True(SpinWait.SpinUntil(() => signer.Unsigned >= 6, TimeSpan.FromSeconds(30)));
        }
        foreach (var response in await Task.WhenAll(sends))
            using (response)
                Assert.Equal(HttpStatusCode.OK, response.StatusCode); // each verified on its own (refused by policy, not by signature)
        Assert.True(signer.Batches - batchesBefore < 6, "six requests, fewer signatures");
        var shared = capture.Sent.Where(s => BatchSignature.TryParse(s.Signature)!.TreeSize > 1).ToList();
        Assert.True(shared.Count >= 2, "requests that shared a batch");

        using var raw = new HttpClient { BaseAddress = h.Network.BaseAddress };
        // The very same request again: refused as a replay.
        var first = shared[0];
        using (var replayed = await raw.SendAsync(first.Copy()))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.ReplayedRequest), await ProblemOf(replayed));
        // A batch sibling's signature (same root, already verified) on this request, with the sibling's nonce or its own: refused.
        var sibling = shared[1];
        using (var moved = await raw.SendAsync(first.Copy(signature: sibling.Signature)))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), await ProblemOf(moved));
        using (var movedWithNonce = await raw.SendAsync(first.Copy(signature: sibling.Signature, nonce: sibling.Nonce)))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), await ProblemOf(movedWithNonce));
        // The batch signature on a fresh request (new nonce, new body): refused.
        using (var grafted = await raw.SendAsync(first.Copy(nonce: RequestSignature.NewNonce())))
            Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.BadSignature), await ProblemOf(grafted));
    }

    private static async Task<(HttpStatusCode, string)> ProblemOf(HttpResponseMessage response) =>
        (response.StatusCode, (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!.Code);

    private sealed record SentRequest(Uri Uri, string Body, Dictionary<string, string> Headers)
    {
        public string Signature => Headers[SignatureHeaders.Signature];
        public string Nonce => Headers[SignatureHeaders.Nonce];

        public HttpRequestMessage Copy(string? signature = null, string? nonce = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Uri) { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in Headers) request.Headers.TryAddWithoutValidation(name, value);
            if (signature is not null) Replace(request, SignatureHeaders.Signature, signature);
            if (nonce is not null) Replace(request, SignatureHeaders.Nonce, nonce);
            return request;
        }

        private static void Replace(HttpRequestMessage request, string name, string value)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>Keeps every request's signed headers and body as sent.</summary>
    private sealed class Capturer : DelegatingHandler
    {
        public Capturer() => InnerHandler = new SocketsHttpHandler();

        public System.Collections.Concurrent.ConcurrentQueue<SentRequest> Sent { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            Sent.Enqueue(new SentRequest(request.RequestUri!, body,
                request.Headers.Where(h => h.Key.StartsWith("X-Renkei-", StringComparison.Ordinal)).ToDictionary(h => h.Key, h => string.Join(",", h.Value))));
            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class OffsetClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + offset;
    }

    private sealed class Tamperer : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            request.Content = new StringContent(body.Replace("affair", "affaiR"), Encoding.UTF8, "application/json");
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
