using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests;

/// <summary>The intermediate server end to end: real Kestrel on loopback, real SQLite and PostgreSQL.</summary>
public sealed class IntermediateServiceTests
{
    private static ProvisionRequest Ask(long addressee, string kind = InformationKindCodes.LocalTax, DateOnly? asOf = null) =>
        new(Guid.NewGuid(), Holder, addressee, null, kind, asOf, TestActors.Feed);

    private static async IAsyncEnumerable<CopyUpdate> AsAsync(IEnumerable<CopyUpdate> copies)
    {
        foreach (var copy in copies)
        {
            yield return copy;
            await Task.CompletedTask;
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_loaded_batch_is_provided_and_an_unknown_person_is_not_held(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var copies = Enumerable.Range(1, 2_000).Select(i => LocalTax(i, taxableIncome: i * 1_000L)).ToList();
        var loaded = await server.Client.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Holder, copies, TestActors.Feed));
        Assert.Equal((2_000, 2_000, 0, 0), (loaded.Received, loaded.Stored, loaded.Unchanged, loaded.Stale));

        var answer = await server.Client.ProvideAsync(Ask(1234));
        Assert.Equal(ProvisionOutcome.Provided, answer.Outcome);
        Assert.Equal((new DateOnly(2026, 6, 1), 1L), (answer.AsOf, answer.Version));
        Assert.NotNull(answer.UpdatedAt);
        var body = CopyBodies.FromJson<LocalTaxBody>(answer.Body!.Value);
        Assert.Equal((2026, 1_234_000L, 123_400L), (body.FiscalYear, body.TaxableIncome, body.IncomeBasedTaxAmount));

        var unknown = await server.Client.ProvideAsync(Ask(999_999));
        Assert.Equal((ProvisionOutcome.NotHeld, "no-copy"), (unknown.Outcome, unknown.Reason));
        Assert.Null(unknown.Body);
        var otherKind = await server.Client.ProvideAsync(Ask(1234, InformationKindCodes.ChildAllowance));
        Assert.Equal((ProvisionOutcome.NotHeld, "no-copy"), (otherKind.Outcome, otherKind.Reason));

        // The copy is valid from 2026-06-01: asked for a date before that, the holder has nothing to say.
        var before = await server.Client.ProvideAsync(Ask(1234, asOf: new DateOnly(2026, 5, 31)));
        Assert.Equal((ProvisionOutcome.NotHeld, "only-later-copy", (DateOnly?)new DateOnly(2026, 6, 1)), (before.Outcome, before.Reason, before.AsOf));
        Assert.Null(before.Body);
        var onTheDay = await server.Client.ProvideAsync(Ask(1234, asOf: new DateOnly(2026, 6, 1)));
        Assert.Equal(ProvisionOutcome.Provided, onTheDay.Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_retried_request_returns_the_first_answer_and_a_reused_id_is_refused(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var upsert = new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(42, version: 1), TestActors.Feed);
        var first = await server.Client.UpsertAsync(upsert);
        var retry = await server.Client.UpsertAsync(upsert);
        Assert.Equal(CopyUpdateOutcome.Created, first.Outcome);
        Assert.Equal(first, retry);

        var batch = new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(1), LocalTax(2)], TestActors.Feed);
        var batchFirst = await server.Client.LoadBatchAsync(batch);
        var batchRetry = await server.Client.LoadBatchAsync(batch);
        Assert.Equal(2, batchFirst.Stored);
        Assert.Equal(batchFirst.Stored, batchRetry.Stored);
        Assert.Equal(batchFirst.Unchanged, batchRetry.Unchanged);
        Assert.Equal(3, server.Store.CountCopies(Holder));
        Assert.Equal(2, server.Store.CountRequests());

        var reused = await Assert.ThrowsAsync<IntermediateException>(() =>
            server.Client.UpsertAsync(upsert with { Copy = LocalTax(42, version: 2, taxableIncome: 1) }));
        Assert.Equal((HttpStatusCode.Conflict, "request-id-reused"), (reused.Status, reused.Code));
        Assert.Equal(1, (await server.Store.FindAsync(Holder, 42, "local-tax"))!.Version);

        var delete = new DeleteCopyRequest(Guid.NewGuid(), Holder, 42, InformationKindCodes.LocalTax, "retention-ended", TestActors.Feed);
        Assert.True((await server.Client.DeleteAsync(delete)).Deleted);
        Assert.True((await server.Client.DeleteAsync(delete)).Deleted); // the retry gets the first answer
        Assert.False((await server.Client.DeleteAsync(delete with { RequestId = Guid.NewGuid() })).Deleted);
        var gone = await server.Client.ProvideAsync(Ask(42));
        Assert.Equal(ProvisionOutcome.NotHeld, gone.Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_stale_update_is_ignored_with_the_reason_and_a_newer_one_replaces(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        await server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(7, version: 3, taxableIncome: 3_000), TestActors.Feed));

        var stale = await server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(7, version: 2, taxableIncome: 2_000), TestActors.Feed));
        Assert.Equal((CopyUpdateOutcome.Stale, 3L), (stale.Outcome, stale.StoredVersion));
        Assert.Contains("version 2 is older than the held version 3", stale.Reason);

        var same = await server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(7, version: 3, taxableIncome: 3_000), TestActors.Feed));
        Assert.Equal(CopyUpdateOutcome.Unchanged, same.Outcome);

        var newer = await server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(7, version: 4, taxableIncome: 4_000), TestActors.Feed));
        Assert.Equal((CopyUpdateOutcome.Replaced, 4L), (newer.Outcome, newer.StoredVersion));
        var answer = await server.Client.ProvideAsync(Ask(7));
        Assert.Equal(4_000, CopyBodies.FromJson<LocalTaxBody>(answer.Body!.Value).TaxableIncome);

        var batch = await server.Client.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(7, version: 1), LocalTax(8, version: 1)], TestActors.Feed));
        Assert.Equal((1, 0, 1), (batch.Stored, batch.Unchanged, batch.Stale));
        var ignored = Assert.Single(batch.Ignored);
        Assert.Equal((0L, 7L, "local-tax", "stale"), (ignored.Index, ignored.AddresseeNumber, ignored.Kind, ignored.Code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_with_an_invalid_copy_stores_nothing_and_names_each_problem(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var number = IndividualNumber.FromBody(27_182_818_284);
        var withNumber = new CopyUpdate(3, InformationKindCodes.ResidentRecord, new DateOnly(2026, 4, 1), 1,
            Json($$"""{"householdNumber":"{{number.Digits}}","relationshipCode":1,"householdMemberAddresseeNumbers":[3],"status":"resident"}"""));
        var withName = new CopyUpdate(4, InformationKindCodes.ChildAllowance, new DateOnly(2026, 4, 1), 1,
            Json("""{"eligible":true,"childrenCount":1,"monthlyAmount":10000,"periodFrom":"2026-04-01","familyName":"山田"}"""));
        var badType = LocalTax(5) with { Kind = "pension" };
        var request = new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(1), LocalTax(2), withNumber, withName, badType], TestActors.Feed);

        var error = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.LoadBatchAsync(request));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid-copy"), (error.Status, error.Code));
        Assert.Contains("copies[2].body.householdNumber: individual-number", error.Message);
        Assert.Contains("copies[3].body.familyName: forbidden-property", error.Message);
        Assert.Contains("copies[3].body.familyName: additionalProperties", error.Message);
        Assert.Contains("copies[4].kind: enum", error.Message);
        Assert.DoesNotContain(number.Digits, error.Message);
        Assert.DoesNotContain("山田", error.Message);
        Assert.Equal(0, server.Store.CountCopies(Holder));
        Assert.Equal(0, server.Store.CountRequests());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_copy_holding_a_twelve_digit_json_number_is_refused_without_echoing_it(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        const string value = "683950747692";
        var copy = new CopyUpdate(9, InformationKindCodes.LocalTax, new DateOnly(2026, 6, 1), 1, Json($$"""
            {"fiscalYear":2026,"taxable":true,"totalIncome":{{value}},"totalDeductions":0,"taxableIncome":0,
             "incomeBasedTaxAmount":0,"perCapitaLevy":0,"dependantsCount":0}
            """));

        var upsert = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, copy, TestActors.Feed)));
        var batch = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(1), copy], TestActors.Feed)));

        Assert.Equal((HttpStatusCode.BadRequest, "invalid-copy"), (upsert.Status, upsert.Code));
        Assert.Contains("body.totalIncome: individual-number", upsert.Message);
        Assert.Contains("body.totalIncome: individual-number: 個人番号は保有できません", upsert.Message); // the field, the rule and the Japanese reason
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-copy"), (batch.Status, batch.Code));
        Assert.Contains("copies[1].body.totalIncome: individual-number", batch.Message);
        Assert.DoesNotContain(value, upsert.Message + batch.Message);
        Assert.Equal(0, server.Store.CountCopies(Holder));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_streamed_load_commits_in_batches_and_a_resent_stream_changes_nothing(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var copies = Enumerable.Range(1, 25_000).Select(i => LocalTax(i, taxableIncome: i)).ToList();

        var loaded = await server.Client.LoadStreamAsync(Holder, TestActors.Feed, AsAsync(copies), batchSize: 10_000);
        Assert.Null(loaded.Failure);
        Assert.Equal((25_000L, 25_000L, 0L, 0L, 3), (loaded.Received, loaded.Stored, loaded.Unchanged, loaded.Stale, loaded.Batches));
        Assert.Equal(25_000, server.Store.CountCopies(Holder));
        Assert.Equal(24_999, CopyBodies.FromJson<LocalTaxBody>((await server.Client.ProvideAsync(Ask(24_999))).Body!.Value).TaxableIncome);

        var again = await server.Client.LoadStreamAsync(Holder, TestActors.Feed, AsAsync(copies.Take(150).Append(LocalTax(30_000))), batchSize: 100);
        Assert.Equal((151L, 1L, 150L, 0L, 2), (again.Received, again.Stored, again.Unchanged, again.Stale, again.Batches));
        Assert.Equal(IgnoredCopy.MaxListed, again.Ignored.Count);
        Assert.Equal((1L, "unchanged"), (again.Ignored[0].Index, again.Ignored[0].Code)); // line numbers are 1-based
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_bad_line_stops_the_stream_naming_the_line_and_keeps_the_batches_before_it(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var lines = new StringBuilder();
        foreach (var i in Enumerable.Range(1, 250))
        {
            if (i == 230) lines.Append("""{"addresseeNumber":230,"kind":"local-tax","asOf":"2026-06-01","version":1,"body":{"fiscalYear":2026}}""").Append('\n');
            else lines.Append(JsonSerializer.Serialize(LocalTax(i), Renkei.Core.Json.JsonDefaults.Options)).Append('\n');
        }
        using var content = new StringContent(lines.ToString(), Encoding.UTF8, IntermediateRoutes.NdjsonMediaType);
        using var response = await server.PostStreamAsync(IntermediateRoutes.LoadStream + "?holder=" + Holder + "&batchSize=100" + TestActors.FeedStreamQuery, content);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<LoadStreamResponse>(Renkei.Core.Json.JsonDefaults.Options))!;
        Assert.Equal(230, result.Failure!.Line);
        Assert.Equal("invalid-copy", result.Failure.Code);
        Assert.Contains("line 230.body.taxable: required", result.Failure.Message);
        Assert.Equal((200L, 2), (result.Stored, result.Batches));
        Assert.Equal(200, server.Store.CountCopies(Holder));
        Assert.Null((await server.Store.FindAsync(Holder, 201, "local-tax"))); // the failing line's batch is not stored

        using var garbage = new StringContent("{\"addresseeNumber\":1,\n", Encoding.UTF8, IntermediateRoutes.NdjsonMediaType);
        using var garbageResponse = await server.PostStreamAsync(IntermediateRoutes.LoadStream + "?holder=" + Holder + TestActors.FeedStreamQuery, garbage);
        var garbageResult = (await garbageResponse.Content.ReadFromJsonAsync<LoadStreamResponse>(Renkei.Core.Json.JsonDefaults.Options))!;
        Assert.Equal((1L, "invalid-json"), (garbageResult.Failure!.Line, garbageResult.Failure.Code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Requests_for_another_holder_or_with_bad_keys_are_refused_with_the_field(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var wrongHolder = await Assert.ThrowsAsync<IntermediateException>(() =>
            server.Client.ProvideAsync(Ask(1) with { Holder = "131113" }));
        Assert.Equal((HttpStatusCode.BadRequest, "wrong-holder"), (wrongHolder.Status, wrongHolder.Code));

        var both = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.ProvideAsync(Ask(1) with { Token = "T" }));
        Assert.Contains("addresseeNumber: oneOf", both.Message);
        var neither = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.ProvideAsync(Ask(1) with { AddresseeNumber = null }));
        Assert.Contains("addresseeNumber: oneOf", neither.Message);
        var kind = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.ProvideAsync(Ask(1, "pension")));
        Assert.Contains("kind: enum", kind.Message);

        using var missing = await server.Http.PostAsync(IntermediateRoutes.Provide,
            new StringContent("""{"holder":"131091","kind":"local-tax"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        var problem = (await missing.Content.ReadFromJsonAsync<Renkei.Core.Json.ProblemBody>(Renkei.Core.Json.JsonDefaults.Options))!;
        Assert.Equal("invalid-request", problem.Code);
        Assert.Contains("requestId", problem.Detail, StringComparison.Ordinal);

        var stream = await Assert.ThrowsAsync<IntermediateException>(() => server.Client.LoadStreamAsync("131113", TestActors.Feed, AsAsync([LocalTax(1)])));
        Assert.Equal("wrong-holder", stream.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Provision_by_token_health_and_kinds(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        await server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(5, taxableIncome: 5_000_000), TestActors.Feed));
        await server.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(6, taxableIncome: 6_000_000), TestActors.Feed));
        var token = Token.FromInt64(9_000_000_000_000_005);
        server.Database.InTransaction((c, t) => server.Store.Tokens.Bind(c, t, Holder, [(5, token)], DateTimeOffset.UtcNow));
        var byToken = await server.Client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, null, token.Digits, InformationKindCodes.LocalTax, null, TestActors.Feed));
        Assert.Equal((ProvisionOutcome.Provided, 5_000_000L), (byToken.Outcome, CopyBodies.FromJson<LocalTaxBody>(byToken.Body!.Value).TaxableIncome));
        var unknownToken = await server.Client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, null, "9000000000000006", InformationKindCodes.LocalTax, null, TestActors.Feed));
        Assert.Equal((ProvisionOutcome.NotHeld, "no-copy"), (unknownToken.Outcome, unknownToken.Reason));
        var malformed = await Assert.ThrowsAsync<IntermediateException>(() =>
            server.Client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, null, "tok-6", InformationKindCodes.LocalTax, null, TestActors.Feed)));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (malformed.Status, malformed.Code));
        Assert.Contains("token: pattern", malformed.Message);

        using var health = await server.Http.GetAsync(IntermediateRoutes.Health);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"holder\":\"131091\"", await health.Content.ReadAsStringAsync());

        var kinds = await server.Client.ListKindsAsync(new ListKindsRequest(Holder));
        Assert.Equal(HolderName, kinds.HolderName);
        Assert.Contains(kinds.Kinds, k => k.Code == InformationKindCodes.ChildAllowance);
        Assert.Equal("object", kinds.Kinds.Single(k => k.Code == "local-tax").Schema.GetProperty("type").GetString());
    }
}
