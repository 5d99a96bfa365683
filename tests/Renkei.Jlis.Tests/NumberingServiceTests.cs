using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
using Renkei.TestSupport;
using static Renkei.Jlis.Tests.JlisHarness;

namespace Renkei.Jlis.Tests;

/// <summary>The numbering service end to end: real Kestrel on loopback, real SQLite and PostgreSQL.</summary>
public sealed class NumberingServiceTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Derive_retried_with_the_same_request_id_returns_the_first_answer_and_stores_once(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var code = RandomCodes(1, 10)[0];
        var request = new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code);

        var first = await jlis.Client.DeriveNumberAsync(request);
        var retry = await jlis.Client.DeriveNumberAsync(request);
        var another = await jlis.Client.DeriveNumberAsync(request with { RequestId = Guid.NewGuid() });

        Assert.Equal(code, first.ResidentCode);
        Assert.Equal(first.IndividualNumber, retry.IndividualNumber);
        Assert.Equal(first.IndividualNumber, another.IndividualNumber);
        var counts = jlis.Store.Counts();
        Assert.Equal(1, counts.CurrentNumbers);
        Assert.Equal(1, counts.HistoryEntries);
        Assert.Equal(2, counts.RequestRecords);
        var designation = jlis.Store.FindCurrent(code)!;
        Assert.Equal(0, designation.Generation);
        Assert.Equal(Shinagawa, designation.Municipality);
        Assert.Equal(first.IndividualNumber, designation.IndividualNumber);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_request_id_reused_for_another_request_is_refused(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var codes = RandomCodes(2, 11);
        var id = Guid.NewGuid();
        await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(id, Shinagawa, codes[0]));

        var error = await Assert.ThrowsAsync<JlisException>(() => jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(id, Shinagawa, codes[1])));
        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.Equal("request-id-reused", error.Code);
        Assert.Null(jlis.Store.FindCurrent(codes[1]));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Batch_designates_every_code_and_a_resent_batch_returns_the_same_file(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var codes = RandomCodes(10_000, 12);
        // One code already has a number, and it was changed since: the batch must return the current one.
        var earlier = await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[5]));
        var changed = await jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, codes[5], NumberChangeReason.HolderRequest));

        var request = new NumberingBatchRequest(Guid.NewGuid(), Shinagawa, codes);
        var file = await jlis.Client.RequestBatchAsync(request);

        Assert.Equal(request.BatchId, file.BatchId);
        Assert.Empty(file.Refused);
        Assert.Equal(codes.Select(c => c.ToInt64()), file.Assignments.Select(a => a.ResidentCode.ToInt64()));
        Assert.Equal(codes.Length, file.Assignments.Select(a => a.IndividualNumber.ToInt64()).Distinct().Count());
        Assert.Equal(changed.NewNumber, file.Assignments[5].IndividualNumber);
        Assert.NotEqual(earlier.IndividualNumber, file.Assignments[5].IndividualNumber);
        using (var deriver = new NumberDeriver(File.ReadAllBytes(jlis.KeyFile)))
            for (var i = 0; i < codes.Length; i += 97)
                if (i != 5) Assert.Equal(deriver.Derive(codes[i], 0), file.Assignments[i].IndividualNumber);

        var countsAfterFirst = jlis.Store.Counts();
        Assert.Equal(codes.Length, countsAfterFirst.CurrentNumbers);
        Assert.Equal(codes.Length + 1, countsAfterFirst.HistoryEntries);

        // Changing a number after the batch does not change what a resent batch returns: the same file.
        await jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, codes[7], NumberChangeReason.ExOfficio));
        var resent = await jlis.Client.RequestBatchAsync(request);
        Assert.Equal(file.Assignments.Select(a => a.IndividualNumber.ToInt64()), resent.Assignments.Select(a => a.IndividualNumber.ToInt64()));
        Assert.Equal(codes.Length + 2, jlis.Store.Counts().HistoryEntries);

        // A new batch with the same codes answers with the numbers current now.
        var again = await jlis.Client.RequestBatchAsync(request with { BatchId = Guid.NewGuid() });
        Assert.NotEqual(file.Assignments[7].IndividualNumber, again.Assignments[7].IndividualNumber);
        Assert.Equal(file.Assignments[8].IndividualNumber, again.Assignments[8].IndividualNumber);
        Assert.Equal(codes.Length, jlis.Store.Counts().CurrentNumbers);

        // The same batch ID with different contents is refused.
        var error = await Assert.ThrowsAsync<JlisException>(() => jlis.Client.RequestBatchAsync(request with { ResidentCodes = codes[..10] }));
        Assert.Equal("request-id-reused", error.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Batch_refuses_duplicated_and_retired_codes_and_designates_the_rest(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var codes = RandomCodes(6, 13);
        jlis.Store.RetireResidentCode(codes[4], "replaced by a code change");
        ResidentCode[] extract = [codes[0], codes[1], codes[2], codes[1], codes[3], codes[4], codes[1], codes[5]];

        var file = await jlis.Client.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), Shinagawa, extract));

        Assert.Equal(new[] { codes[0], codes[2], codes[3], codes[5] }.Select(c => c.ToInt64()), file.Assignments.Select(a => a.ResidentCode.ToInt64()));
        Assert.Equal(2, file.Refused.Count);
        Assert.Equal(codes[1], file.Refused[0].ResidentCode);
        Assert.Contains("3 times", file.Refused[0].Reason);
        Assert.Equal(codes[4], file.Refused[1].ResidentCode);
        Assert.Contains("retired", file.Refused[1].Reason);
        Assert.Null(jlis.Store.FindCurrent(codes[1]));
        Assert.Null(jlis.Store.FindCurrent(codes[4]));
        Assert.Equal(4, jlis.Store.Counts().CurrentNumbers);

        var error = await Assert.ThrowsAsync<JlisException>(() => jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[4])));
        Assert.Equal("resident-code-retired", error.Code);
        var empty = await Assert.ThrowsAsync<JlisException>(() => jlis.Client.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), Shinagawa, [])));
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Equal("empty-batch", empty.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Changing_a_number_keeps_history_and_verification_knows_the_old_one(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var codes = RandomCodes(3, 14);
        var first = await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[0]));
        var neighbour = await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, codes[1]));

        // The resident moves to 大田区: its arrival verifies code and number (転入通知), and 大田区 then changes the number.
        var ota = jlis.ClientFor(Ota);
        Assert.Equal(NumberVerificationOutcome.Matches, (await ota.VerifyNumberAsync(new VerifyNumberRequest(codes[0], first.IndividualNumber))).Outcome);
        var change = new ChangeNumberRequest(Guid.NewGuid(), Ota, codes[0], NumberChangeReason.HolderRequest);
        var changed = await ota.ChangeNumberAsync(change);
        var retried = await ota.ChangeNumberAsync(change);

        Assert.Equal(1, changed.Generation);
        Assert.NotEqual(first.IndividualNumber, changed.NewNumber);
        Assert.Equal(changed, retried);
        var history = jlis.Store.History(codes[0]);
        Assert.Equal(2, history.Count);
        Assert.Equal(first.IndividualNumber, history[0].IndividualNumber);
        Assert.NotNull(history[0].SupersededAt);
        Assert.Equal(NumberChangeReason.HolderRequest, history[0].Reason);
        Assert.Equal(changed.NewNumber, history[1].IndividualNumber);
        Assert.Null(history[1].SupersededAt);
        Assert.Equal(Ota, history[1].Municipality);
        Assert.Equal(changed.NewNumber, jlis.Store.FindCurrent(codes[0])!.IndividualNumber);

        // Each ward verifies its own residents: 大田区 the one who moved in, 品川区 the neighbour and an unknown code.
        static async Task<NumberVerificationOutcome> Verify(JlisHttpClient ward, ResidentCode code, IndividualNumber number) =>
            (await ward.VerifyNumberAsync(new VerifyNumberRequest(code, number))).Outcome;
        Assert.Equal(NumberVerificationOutcome.Matches, await Verify(ota, codes[0], changed.NewNumber));
        Assert.Equal(NumberVerificationOutcome.Superseded, await Verify(ota, codes[0], first.IndividualNumber));
        Assert.Equal(NumberVerificationOutcome.Mismatch, await Verify(ota, codes[0], neighbour.IndividualNumber));
        Assert.Equal(NumberVerificationOutcome.Mismatch, await Verify(jlis.Client, codes[1], first.IndividualNumber));
        Assert.Equal(NumberVerificationOutcome.NoNumberDesignated, await Verify(jlis.Client, codes[2], first.IndividualNumber));
        // Derive after the change answers with the current number.
        var derivedAgain = await ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Ota, codes[0]));
        Assert.Equal(changed.NewNumber, derivedAgain.IndividualNumber);

        var none = await Assert.ThrowsAsync<JlisException>(() =>
            jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, codes[2], NumberChangeReason.ExOfficio)));
        Assert.Equal("no-number-designated", none.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_changed_number_is_never_issued_again_to_anyone(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var codes = RandomCodes(5001, 15);
        var target = codes[0];
        var old = (await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, target))).IndividualNumber;
        for (var i = 0; i < 3; i++)
            await jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, target, NumberChangeReason.ExOfficio));

        var file = await jlis.Client.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), Shinagawa, codes));
        var history = jlis.Store.History(target).Select(h => h.IndividualNumber.ToInt64()).ToHashSet();
        Assert.Equal(4, history.Count);
        Assert.Contains(old.ToInt64(), history);
        // Only the current number of the target may appear among the issued numbers; none of its old ones.
        var current = jlis.Store.FindCurrent(target)!.IndividualNumber.ToInt64();
        Assert.Equal(new[] { current }, file.Assignments.Select(a => a.IndividualNumber.ToInt64()).Where(history.Contains));
        // The old number inverts to (target, generation 0) and nothing else: no other code or generation can reach it.
        using var deriver = new NumberDeriver(File.ReadAllBytes(jlis.KeyFile));
        var (code, generation) = deriver.Invert(old);
        Assert.Equal(target.ToInt64(), code.ToInt64());
        Assert.Equal(0, generation);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_tenth_change_is_refused_when_generations_run_out(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var code = RandomCodes(1, 16)[0];
        await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code));
        for (var generation = 1; generation <= NumberDeriver.MaxGeneration; generation++)
        {
            var changed = await jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, code, NumberChangeReason.HolderRequest));
            Assert.Equal(generation, changed.Generation);
        }

        var error = await Assert.ThrowsAsync<JlisException>(() =>
            jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, code, NumberChangeReason.HolderRequest)));
        Assert.Equal(HttpStatusCode.Conflict, error.Status);
        Assert.Equal("generation-exhausted", error.Code);
        Assert.Contains("住民票コードの変更が必要です", error.Message);
        Assert.Equal(10, jlis.Store.History(code).Count);
        Assert.Equal(NumberDeriver.MaxGeneration, jlis.Store.FindCurrent(code)!.Generation);
        Assert.Equal(10, jlis.Store.Counts().RequestRecords); // the refused request left no record
    }

    public static TheoryData<string, string, string> MalformedBodies => new()
    {
        { "sqlite", "{ not json", "" },
        { "sqlite", "", "要求が空です" },
        { "sqlite", """{"requestId":"6d1f0c36-5bbd-4d3b-9b7e-0c9c1f2a8e11","municipality":"131091","residentCode":"12345678901"}""", "検査数字が一致しません" },
        { "postgres", """{"requestId":"6d1f0c36-5bbd-4d3b-9b7e-0c9c1f2a8e11","municipality":"131091","residentCode":"1234567890"}""", "11桁ではありません" },
        { "sqlite", """{"requestId":"6d1f0c36-5bbd-4d3b-9b7e-0c9c1f2a8e11","municipality":"131091","residentCode":"12345x78901"}""", "6文字目に数字以外の文字が含まれています" },
        { "sqlite", """{"requestId":"6d1f0c36-5bbd-4d3b-9b7e-0c9c1f2a8e11","municipality":"131091","residentCode":12345678901}""", "residentCode: 値の型または形式が正しくありません" },
        { "postgres", """{"requestId":"6d1f0c36-5bbd-4d3b-9b7e-0c9c1f2a8e11","municipality":"131091"}""", "residentCode" },
        { "sqlite", """{"requestId":"00000000-0000-0000-0000-000000000000","municipality":"131091","residentCode":"{code}"}""", "requestId" },
        { "sqlite", """{"requestId":"6d1f0c36-5bbd-4d3b-9b7e-0c9c1f2a8e11","municipality":"131092","residentCode":"{code}"}""", "municipality" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Malformed_requests_get_400_saying_what_is_wrong_without_echoing_digits(string provider, string body, string expected)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        using var content = new StringContent(body.Replace("{code}", ResidentCode.FromBody(1_234_567_890).Digits), Encoding.UTF8, "application/json");
        using var response = await jlis.Http.PostAsync(JlisRoutes.DeriveNumber, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options);
        Assert.NotNull(problem);
        Assert.False(string.IsNullOrWhiteSpace(problem.Code));
        Assert.Contains(expected, problem.Detail);
        Assert.DoesNotMatch(new Regex(@"\d{5}"), problem.Detail); // no run of digits that could be a number or code
        Assert.Equal(0, jlis.Store.Counts().CurrentNumbers);
    }

    [Fact]
    public async Task Verify_with_an_invalid_number_is_400_about_the_number()
    {
        await using var jlis = await JlisHarness.StartAsync("sqlite");
        var json = """{"residentCode":"{code}","individualNumber":"123456789012"}""".Replace("{code}", ResidentCode.FromBody(1_234_567_890).Digits);
        var valid = IndividualNumber.FromBody(12345678901).Digits;
        var wrong = valid[..11] + (char)('0' + (valid[11] - '0' + 1) % 10);
        using var content = new StringContent(json.Replace("123456789012", wrong), Encoding.UTF8, "application/json");
        using var response = await jlis.Http.PostAsync(JlisRoutes.VerifyNumber, content);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;
        Assert.Contains("individualNumber", problem.Detail);
        Assert.Contains("検査数字が一致しません", problem.Detail);
        Assert.DoesNotContain(wrong, problem.Detail);
    }

    [Fact]
    public async Task A_batch_with_one_invalid_code_is_refused_whole_and_names_its_position()
    {
        await using var jlis = await JlisHarness.StartAsync("sqlite");
        var codes = RandomCodes(3, 18).Select(c => c.Digits).ToArray();
        var wrong = codes[1][..10] + (char)('0' + (codes[1][10] - '0' + 1) % 10);
        var json = $$"""{"batchId":"{{Guid.NewGuid()}}","municipality":"131091","residentCodes":["{{codes[0]}}","{{wrong}}","{{codes[2]}}"]}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await jlis.Http.PostAsync(JlisRoutes.NumberingBatch, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;
        Assert.Equal("invalid-request", problem.Code);
        Assert.Equal("residentCodes[1]: 検査数字が一致しません", problem.Detail);
        Assert.DoesNotMatch(new Regex(@"\d{5}"), problem.Detail);
        Assert.Equal(0, jlis.Store.Counts().CurrentNumbers);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Issued_resident_codes_are_valid_unique_and_idempotent(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var issued = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            var response = await jlis.Client.IssueResidentCodeAsync(
                new IssueResidentCodeRequest(Guid.NewGuid(), Shinagawa, i % 2 == 0 ? ResidentCodeIssueReason.Birth : ResidentCodeIssueReason.ArrivalFromAbroad));
            Assert.True(ResidentCode.Parse(response.ResidentCode.Digits).IsValid);
            issued.Add(response.ResidentCode.ToInt64());
        }
        Assert.Equal(200, issued.Distinct().Count());

        var ota = jlis.ClientFor(Ota);
        var request = new IssueResidentCodeRequest(Guid.NewGuid(), Ota, ResidentCodeIssueReason.Birth);
        var first = await ota.IssueResidentCodeAsync(request);
        var retry = await ota.IssueResidentCodeAsync(request);
        Assert.Equal(first.ResidentCode, retry.ResidentCode);
        Assert.Equal(201, jlis.Store.Counts().IssuedResidentCodes);

        // An issued code can be numbered like any other.
        var assignment = await ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Ota, first.ResidentCode));
        Assert.Equal(first.ResidentCode, assignment.ResidentCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Numbers_survive_a_restart_and_a_foreign_key_file_is_refused(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        using (var health = await jlis.Http.GetAsync(JlisRoutes.Health))
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var code = RandomCodes(1, 17)[0];
        var before = await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code));

        await jlis.RestartAsync();
        var after = await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), Shinagawa, code));
        Assert.Equal(before.IndividualNumber, after.IndividualNumber);

        using var other = new TempDirectory();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestModules.StartJlisAsync(jlis.Database, new JlisOptions { KeyFilePath = other.File("another.key") }));
        Assert.Contains("key file", error.Message);
    }
}

public sealed class NumberingConcurrencyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Concurrent_requests_for_one_code_agree_and_are_stored_once(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var code = RandomCodes(1, 20)[0];
        var shared = Guid.NewGuid();
        var derived = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(i % 2 == 0 ? shared : Guid.NewGuid(), Shinagawa, code)))));

        Assert.Single(derived.Select(d => d.IndividualNumber.ToInt64()).Distinct());
        var counts = jlis.Store.Counts();
        Assert.Equal(1, counts.CurrentNumbers);
        Assert.Equal(1, counts.HistoryEntries);
        Assert.Equal(9, counts.RequestRecords);

        // Four changes at once: each gets its own generation, none is lost, and the history is complete.
        var changes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
            jlis.Client.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), Shinagawa, code, NumberChangeReason.HolderRequest)))));
        Assert.Equal([1, 2, 3, 4], changes.Select(c => c.Generation).Order());
        Assert.Equal(5, jlis.Store.History(code).Select(h => h.IndividualNumber.ToInt64()).Distinct().Count());
        Assert.Equal(4, jlis.Store.FindCurrent(code)!.Generation);
    }
}
