using System.Net;
using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Json;
using Renkei.Holders.Records;
using Renkei.Intermediate.Contracts;
using Renkei.TestSupport;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests;

/// <summary>The holder's staff API: the staff key, clear refusals that never repeat a number, and the operation log.</summary>
public sealed class StaffApiTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Calls_without_the_staff_key_are_refused_bad_input_is_named_without_values_and_every_call_is_logged(string provider)
    {
        await using var h = await HolderHarness.StartAsync(provider, HolderKind.PensionOrganisation);
        var number = HolderHarness.Numbers(1, seed: 31)[0];
        using var http = new HttpClient { BaseAddress = h.Node.BaseAddress };
        var body = $$"""{"individualNumber":"{{number.Digits}}"}""";

        // No key, a wrong key.
        var anonymous = await http.PostAsync(HolderRoutes.LookupPerson, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Post, HolderRoutes.LookupPerson) { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            wrong.Headers.Authorization = new("Bearer", HolderStaffClient.BearerOf(new byte[32]));
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(HolderRoutes.Health)).StatusCode);

        // Unknown person; a number with a wrong check digit; a bad basic pension number; a disability pension without a grade.
        var unknown = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.LookupAsync(new PersonLookupRequest(number)));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-person"), (unknown.Status, unknown.Code));
        var wrongDigit = number.Digits[..11] + (char)('0' + (number.CheckDigit + 1) % 10);
        var malformed = await Post(h, HolderRoutes.LookupPerson, $$"""{"individualNumber":"{{wrongDigit}}"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (malformed.Status, malformed.Problem.Code));
        Assert.Contains("individualNumber", malformed.Problem.Detail);
        Assert.DoesNotContain(wrongDigit, malformed.Problem.Detail);

        var right = new DateOnly(2010, 4, 2);
        var benefit = new PensionBenefitItem(PensionType.Disability, PensionScheme.Basic, 2, PensionRules.DisabilityBasic(2, 0), right, PensionRules.PaymentStart(right), null, false, null);
        var badNumber = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.RecordPensionAsync(
            new PensionRecordRequest(Guid.NewGuid(), number, "12345-678", 2026, [benefit])));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-record"), (badNumber.Status, badNumber.Code));
        Assert.StartsWith("basicPensionNumber: 基礎年金番号は10桁です", badNumber.Reason); // the field, then what people read (Japanese)
        Assert.DoesNotContain("12345", badNumber.Message);
        var noGrade = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.RecordPensionAsync(
            new PensionRecordRequest(Guid.NewGuid(), number, "1234567890", 2026, [benefit with { DisabilityGrade = null }])));
        Assert.StartsWith("benefits[0].disabilityGrade", noGrade.Reason);
        var lateStart = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.RecordPensionAsync(
            new PensionRecordRequest(Guid.NewGuid(), number, "1234567890", 2026, [benefit with { PaymentFrom = new DateOnly(2010, 4, 1) }])));
        Assert.StartsWith("benefits[0].paymentFrom", lateStart.Reason);
        Assert.Null(h.Node.Records.Find(number));

        // Another holder's routes are not here; a basic pension number belongs to one person.
        var insurerRoute = await Post(h, HolderRoutes.Qualification, "{}");
        Assert.Equal(HttpStatusCode.NotFound, insurerRoute.Status);
        var recorded = await h.Staff.RecordPensionAsync(new PensionRecordRequest(Guid.NewGuid(), number, "1234567890", 2026, [benefit]));
        var other = HolderHarness.Numbers(2, seed: 32)[1];
        var taken = await Assert.ThrowsAsync<HolderApiException>(() => h.Staff.RecordPensionAsync(new PensionRecordRequest(Guid.NewGuid(), other, "1234567890", 2026, [])));
        Assert.Equal((HttpStatusCode.Conflict, "basic-pension-number-in-use"), (taken.Status, taken.Code));
        Assert.Null(h.Node.Records.Find(other));

        // The operation log has every call, refused ones too, by person ID and never by number, and verifies.
        var entries = h.Node.OperationLog.Read().Select(r => r.Entry).ToList();
        Assert.Equal(["unauthorized", "unauthorized", "unknown-person", "invalid-request", "invalid-record", "invalid-record", "invalid-record", "ok", "basic-pension-number-in-use"],
            entries.Select(e => e.Result));
        Assert.Equal(recorded.PersonId, entries.Single(e => e.Result == "ok").PersonId);
        Assert.Equal("pension-record", entries.Single(e => e.Result == "ok").Action);
        var raw = Encoding.UTF8.GetString(h.Node.OperationLog.Store.ReadEntries().SelectMany(e => e.Payload).ToArray());
        Assert.DoesNotContain(number.Digits, raw);
        Assert.DoesNotContain(other.Digits, raw);
        Assert.True(h.Node.OperationLog.Verify().IsIntact);
    }

    private static async Task<(HttpStatusCode Status, ProblemBody Problem)> Post(HolderHarness h, string route, string json)
    {
        using var http = new HttpClient { BaseAddress = h.Node.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", HolderStaffClient.BearerOf(File.ReadAllBytes(Path.Combine(h.Keys.Path, HolderRoutes.StaffKeyFileName))));
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await ServiceResponses.ProblemOfAsync(response, default));
    }
}
