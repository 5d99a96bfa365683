using System.Net;
using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Storage;
using Renkei.TestSupport;
using static Renkei.Jlis.Tests.Tokens.TokenHarness;

namespace Renkei.Jlis.Tests.Tokens;

/// <summary>
/// J-LIS's token routes end to end over loopback HTTP: a ward's signed request → J-LIS (real Kestrel, SQLite and
/// PostgreSQL) → a real HTTP peer standing in for the network that verifies J-LIS's signature.
/// </summary>
public sealed class TokenIssuanceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_signed_request_has_the_token_issued_for_the_current_code_and_a_resend_returns_the_first_answer(string provider)
    {
        await using var h = await TokenHarness.StartAsync(provider);
        var person = (await h.DesignateAsync(1, 1))[0];
        var client = h.TokenClient(Shinagawa, h.ShinagawaKeys);
        var id = Guid.NewGuid();

        var first = await client.RequestTokenAsync(new TokenRequest(id, Shinagawa, person.IndividualNumber));
        var resent = await client.RequestTokenAsync(new TokenRequest(id, Shinagawa, person.IndividualNumber));

        Assert.Equal(new TokenResponse(id, true), first);
        Assert.Equal(first, resent);
        var issued = Assert.Single(h.Network.Issued); // the resend was answered from J-LIS's record
        Assert.Equal(id, issued.RequestId);
        Assert.Equal(Shinagawa, issued.Institution);
        Assert.Equal(person.ResidentCode, issued.ResidentCode);
        Assert.Equal(h.Network.TokenOf(person.ResidentCode, Shinagawa), h.Network.Kept[(Shinagawa, id, 0)]);
        AssertNoNumber(h.Network.Received.Select(r => r.Body), person.IndividualNumber);
    }

    [Fact]
    public async Task Unsigned_unknown_wrongly_signed_and_mismatched_requests_are_refused_and_reach_nothing()
    {
        await using var h = await TokenHarness.StartAsync("sqlite");
        var person = (await h.DesignateAsync(1, 2))[0];
        var body = new TokenRequest(Guid.NewGuid(), Shinagawa, person.IndividualNumber);

        await AssertRefused(h.PlainHttp(), body, HttpStatusCode.Unauthorized, "unsigned-request", person.IndividualNumber);
        await AssertRefused(h.SignedHttp("999999", h.NewKeys("stranger")), body with { Institution = "999999" },
            HttpStatusCode.Unauthorized, "unknown-institution", person.IndividualNumber);
        await AssertRefused(h.SignedHttp(Shinagawa, h.NewKeys("impostor")), body, HttpStatusCode.Unauthorized, "bad-signature", person.IndividualNumber);
        await AssertRefused(h.SignedHttp(Shinagawa, h.ShinagawaKeys), body with { Institution = Ota },
            HttpStatusCode.Forbidden, "institution-mismatch", person.IndividualNumber);
        await AssertRefused(h.SignedHttp(JlisTokenRoutes.JlisInstitutionCode, h.JlisKeys()), body with { Institution = JlisTokenRoutes.JlisInstitutionCode },
            HttpStatusCode.Forbidden, "not-a-token-holder", person.IndividualNumber);

        // A malformed number is named by its field, never repeated.
        var wrongCheckDigit = person.IndividualNumber.Digits[..11] + (char)('0' + (person.IndividualNumber.Digits[11] - '0' + 1) % 10);
        using var malformed = await h.SignedHttp(Shinagawa, h.ShinagawaKeys).PostAsync(JlisTokenRoutes.Request, new StringContent(
            $$"""{"requestId":"{{Guid.NewGuid()}}","institution":"{{Shinagawa}}","individualNumber":"{{wrongCheckDigit}}"}""", Encoding.UTF8, "application/json"));
        var text = await malformed.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("individualNumber", text);
        Assert.DoesNotContain(wrongCheckDigit, text);

        Assert.Empty(h.Network.Issued);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Superseded_undesignated_and_retired_numbers_are_refused_with_clear_codes_and_without_the_number(string provider)
    {
        await using var h = await TokenHarness.StartAsync(provider);
        var people = await h.DesignateAsync(3, 3);
        var changed = await h.Numbering.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), LocalGovernmentCode.ParseOrThrow(Shinagawa),
            people[0].ResidentCode, NumberChangeReason.HolderRequest));
        new JlisStore(h.Database).RetireResidentCode(people[1].ResidentCode, "test");
        var undesignated = Enumerable.Range(1, 1000).Select(b => IndividualNumber.FromBody(98_765_000_000L + b))
            .First(n => people.All(p => p.IndividualNumber != n) && n != changed.NewNumber);
        var client = h.TokenClient(Shinagawa, h.ShinagawaKeys);

        async Task Refused(IndividualNumber number, string code)
        {
            var error = await Assert.ThrowsAsync<JlisException>(() => client.RequestTokenAsync(new TokenRequest(Guid.NewGuid(), Shinagawa, number)));
            Assert.Equal(HttpStatusCode.Conflict, error.Status);
            Assert.Equal(code, error.Code);
            Assert.DoesNotContain(number.Digits, error.Message);
        }

        await Refused(people[0].IndividualNumber, TokenRefusalCodes.NumberSuperseded);
        await Refused(people[1].IndividualNumber, TokenRefusalCodes.ResidentCodeRetired);
        await Refused(undesignated, TokenRefusalCodes.NumberNotDesignated);
        Assert.Empty(h.Network.Issued);

        Assert.True((await client.RequestTokenAsync(new TokenRequest(Guid.NewGuid(), Shinagawa, changed.NewNumber))).Delivered);
        Assert.Equal(people[0].ResidentCode, Assert.Single(h.Network.Issued).ResidentCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_passes_accepted_items_by_index_and_refuses_the_rest_by_index_only(string provider)
    {
        await using var h = await TokenHarness.StartAsync(provider);
        var people = await h.DesignateAsync(6, 4);
        var municipality = LocalGovernmentCode.ParseOrThrow(Shinagawa);
        await h.Numbering.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), municipality, people[5].ResidentCode, NumberChangeReason.ExOfficio));
        var undesignated = Enumerable.Range(1, 1000).Select(b => IndividualNumber.FromBody(12_345_000_000L + b))
            .First(n => people.All(p => p.IndividualNumber != n));
        var batch = new TokenBatchRequest(Guid.NewGuid(), Shinagawa,
        [
            new IndexedNumber(10, people[0].IndividualNumber),
            new IndexedNumber(11, people[1].IndividualNumber),
            new IndexedNumber(12, people[2].IndividualNumber),
            new IndexedNumber(13, people[2].IndividualNumber),
            new IndexedNumber(14, people[5].IndividualNumber),
            new IndexedNumber(15, undesignated),
            new IndexedNumber(16, people[3].IndividualNumber),
            new IndexedNumber(16, people[4].IndividualNumber),
        ]);
        var http = h.SignedHttp(Shinagawa, h.ShinagawaKeys);

        using var reply = await http.PostAsJsonAsync(JlisTokenRoutes.Batches, batch, JsonDefaults.Options);
        var text = await reply.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        AssertNoNumber([text], [.. people.Select(p => p.IndividualNumber), undesignated]);
        var answer = System.Text.Json.JsonSerializer.Deserialize<TokenBatchResponse>(text, JsonDefaults.Options)!;

        Assert.Equal(batch.BatchId, answer.BatchId);
        Assert.Equal(2, answer.Accepted);
        Assert.Equal(2, answer.Delivered);
        Assert.Equal(
            [(12, TokenRefusalCodes.DuplicateNumber), (13, TokenRefusalCodes.DuplicateNumber), (14, TokenRefusalCodes.NumberSuperseded),
             (15, TokenRefusalCodes.NumberNotDesignated), (16, TokenRefusalCodes.DuplicateIndex), (16, TokenRefusalCodes.DuplicateIndex)],
            answer.Refused.Select(r => (r.Index, r.Code)).ToArray());
        var sent = Assert.Single(h.Network.BatchesIssued);
        Assert.Equal([(10, people[0].ResidentCode), (11, people[1].ResidentCode)], sent.Items.Select(i => (i.Index, i.ResidentCode)).ToArray());
        Assert.Equal(h.Network.TokenOf(people[1].ResidentCode, Shinagawa), h.Network.Kept[(Shinagawa, batch.BatchId, 11)]);

        var resent = await h.TokenClient(Shinagawa, h.ShinagawaKeys).RequestTokenBatchAsync(batch);
        Assert.Equal(answer.Refused, resent.Refused);
        Assert.Equal((answer.Accepted, answer.Delivered), (resent.Accepted, resent.Delivered));
        Assert.Single(h.Network.BatchesIssued);
        AssertNoNumber(h.Network.Received.Select(r => r.Body), [.. people.Select(p => p.IndividualNumber)]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_network_outage_or_partial_delivery_is_not_remembered_and_a_resend_completes(string provider)
    {
        await using var h = await TokenHarness.StartAsync(provider);
        var people = await h.DesignateAsync(3, 5);
        var client = h.TokenClient(Shinagawa, h.ShinagawaKeys);
        var single = new TokenRequest(Guid.NewGuid(), Shinagawa, people[0].IndividualNumber);

        h.Network.Available = false;
        var down = await Assert.ThrowsAsync<JlisException>(() => client.RequestTokenAsync(single));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.Equal("network-unavailable", down.Code);
        h.Network.Available = true;
        Assert.True((await client.RequestTokenAsync(single)).Delivered);

        var batch = new TokenBatchRequest(Guid.NewGuid(), Shinagawa, [new IndexedNumber(0, people[1].IndividualNumber), new IndexedNumber(1, people[2].IndividualNumber)]);
        h.Network.DeliverOnlyNext = 1;
        var partial = await client.RequestTokenBatchAsync(batch);
        Assert.Equal((2, 1), (partial.Accepted, partial.Delivered));
        var complete = await client.RequestTokenBatchAsync(batch);
        Assert.Equal((2, 2), (complete.Accepted, complete.Delivered));
        Assert.Equal(2, h.Network.BatchesIssued.Count);
        Assert.Equal(2, h.Network.BatchesIssued.Last().Items.Count);
        await client.RequestTokenBatchAsync(batch);
        Assert.Equal(2, h.Network.BatchesIssued.Count); // complete now: answered from J-LIS's record
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Request_ids_belong_to_their_institution_and_a_reused_id_with_other_content_is_refused(string provider)
    {
        await using var h = await TokenHarness.StartAsync(provider);
        var people = await h.DesignateAsync(2, 6);
        var id = Guid.NewGuid();
        var shinagawa = h.TokenClient(Shinagawa, h.ShinagawaKeys);

        Assert.True((await shinagawa.RequestTokenAsync(new TokenRequest(id, Shinagawa, people[0].IndividualNumber))).Delivered);
        Assert.True((await h.TokenClient(Ota, h.OtaKeys).RequestTokenAsync(new TokenRequest(id, Ota, people[1].IndividualNumber))).Delivered);
        var reused = await Assert.ThrowsAsync<JlisException>(() => shinagawa.RequestTokenAsync(new TokenRequest(id, Shinagawa, people[1].IndividualNumber)));

        Assert.Equal(HttpStatusCode.Conflict, reused.Status);
        Assert.Equal("request-id-reused", reused.Code);
        Assert.Equal([(Shinagawa, people[0].ResidentCode), (Ota, people[1].ResidentCode)],
            h.Network.Issued.Select(i => (i.Institution, i.ResidentCode)).ToArray());
    }

    private static async Task AssertRefused(HttpClient http, TokenRequest body, HttpStatusCode status, string code, IndividualNumber number)
    {
        using var response = await http.PostAsJsonAsync(JlisTokenRoutes.Request, body, JsonDefaults.Options);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, System.Text.Json.JsonSerializer.Deserialize<ProblemBody>(text, JsonDefaults.Options)!.Code);
        Assert.DoesNotContain(number.Digits, text);
    }

    private static void AssertNoNumber(IEnumerable<string> texts, params IndividualNumber[] numbers)
    {
        foreach (var text in texts)
            foreach (var number in numbers)
                Assert.DoesNotContain(number.Digits, text);
    }
}
