using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CsCheck;
using Renkei.Core.Json;
using Renkei.Core.People;
using Renkei.Holders.Audit;
using Renkei.Holders.Records;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.TestSupport;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests.Fuzz;

[Xunit.CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console capture";
}

/// <summary>
/// The holders' staff API under random and mutated bodies and malformed bearer tokens, over HTTP: never a 500, no
/// answer or log line repeating the input or carrying a stack trace, nothing stored from a refused body but the
/// operation log's entry (which names no input); unknown or malformed tokens 401; oversized bodies 413.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BodyFuzzTests
{
    private static readonly string[] LogTables = [HolderOperationLog.TableName, HolderOperationLog.TableName + "_checkpoints"];

    public static TheoryData<string, HolderKind> Cases => new()
    {
        { "sqlite", HolderKind.PensionOrganisation },
        { "postgres", HolderKind.PensionOrganisation },
        { "sqlite", HolderKind.HealthInsurer },
        { "postgres", HolderKind.HealthInsurer },
    };

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    /// <summary>A raw client that presents the holder's staff key, as the holder's own systems do.</summary>
    private static RawRouteClient StaffClient(HolderHarness h, HttpClient http)
    {
        var bearer = HolderStaffClient.BearerOf(SecretKeyFile.LoadOrCreate(Path.Combine(h.Keys.Path, HolderRoutes.StaffKeyFileName)));
        return new RawRouteClient(http, (request, _) => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Staff_routes_refuse_mutated_bodies_cleanly(string provider, HolderKind kind)
    {
        using var console = new ConsoleCapture();
        var h = await HolderHarness.StartAsync(provider, kind);
        try
        {
            using var http = new HttpClient { BaseAddress = h.Node.BaseAddress };
            var numbers = HolderHarness.Numbers(3, seed: 41);
            var joined = new DateOnly(2024, 4, 1);
            var templates = new List<(string, string)>
            {
                (HolderRoutes.LookupPerson, Json(new PersonLookupRequest(numbers[0]))),
                (HolderRoutes.Query, Json(new HolderInquiryRequest(Guid.NewGuid(), numbers[0], "sickness-allowance", "00001", "pension-benefit"))),
                (HolderRoutes.FeedCopies, Json(new FeedRequest(10))),
                (HolderRoutes.AcquireTokens, Json(new TokenAcquisitionRequest([numbers[0], numbers[1]], 10))),
            };
            if (kind == HolderKind.PensionOrganisation)
            {
                var right = new DateOnly(2010, 4, 2);
                var benefit = new PensionBenefitItem(PensionType.Disability, PensionScheme.Basic, 2, PensionRules.DisabilityBasic(2, 0), right,
                    PensionRules.PaymentStart(right), null, false, null);
                await h.Staff.RecordPensionAsync(new PensionRecordRequest(Guid.NewGuid(), numbers[0], "1234567890", 2026, [benefit]));
                templates.Add((HolderRoutes.PensionRecord, Json(new PensionRecordRequest(Guid.NewGuid(), numbers[1], "2234567890", 2026, [benefit],
                    new PersonDetails("年金 太郎", new DateOnly(1960, 1, 2), Sex.Male)))));
            }
            else
            {
                await h.Staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), numbers[0], HealthInsuranceMemberCategory.Insured, joined));
                templates.Add((HolderRoutes.Qualification, Json(new QualificationRequest(Guid.NewGuid(), numbers[1], HealthInsuranceMemberCategory.Dependant,
                    joined, numbers[0], new PersonDetails("保険 花子", new DateOnly(1990, 3, 4), Sex.Female)))));
                templates.Add((HolderRoutes.QualificationLoss, Json(new QualificationLossRequest(Guid.NewGuid(), numbers[0], new DateOnly(2026, 1, 1),
                    QualificationLossReason.Retirement))));
            }
            var client = StaffClient(h, http);
            await BodyFuzz.CheckRoutesAsync(templates, _ => client, h.HolderDatabase.Database, iterations: 200, LogTables);

            var log = Encoding.UTF8.GetString(h.Node.OperationLog.Store.ReadEntries().SelectMany(e => e.Payload).ToArray());
            BodyFuzz.AssertClean(log, "the operation log");
            Assert.True(h.Node.OperationLog.Verify().IsIntact);
        }
        finally
        {
            await h.DisposeAsync();
        }
        BodyFuzz.AssertClean(console.Text, "the holder's log");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Unknown_or_malformed_bearer_tokens_are_401_problems(string provider)
    {
        await using var h = await HolderHarness.StartAsync(provider, HolderKind.PensionOrganisation);
        using var http = new HttpClient { BaseAddress = h.Node.BaseAddress };
        var body = Encoding.UTF8.GetBytes(Json(new PersonLookupRequest(HolderHarness.Numbers(1, seed: 42)[0])));
        var tokens = new[]
        {
            "Bearer wrong", "Bearer a", "Bearer ab=c", "Bearer !!!!", "Bearer " + new string('A', 200), "Bearer " + BodyFuzz.Marker + "x",
            "Bearer ", "Bearer", "bearer " + HolderStaffClient.BearerOf(new byte[32]), "Basic d3Jvbmc6d3Jvbmc=", "Bearer a.b.c", "Bearer %FF%FE",
        };
        foreach (var token in tokens)
        {
            var client = new RawRouteClient(http, (request, _) => request.Headers.TryAddWithoutValidation("Authorization", token));
            var answer = await client.PostAsync(HolderRoutes.LookupPerson, body);
            Assert.Equal((int)HttpStatusCode.Unauthorized, answer.Status);
            BodyFuzz.AssertRefusalIsClean(answer, HolderRoutes.LookupPerson);
            Assert.Equal("unauthorized", JsonDocument.Parse(answer.Text).RootElement.GetProperty("code").GetString());
        }
        var entries = h.Node.OperationLog.Read().Select(r => r.Entry).ToList();
        Assert.Equal(tokens.Length, entries.Count(e => e.Result == "unauthorized"));

        // The right key still works.
        var found = await StaffClient(h, http).PostAsync(HolderRoutes.LookupPerson, body);
        Assert.Equal((int)HttpStatusCode.NotFound, found.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bodies_over_the_limit_are_413_and_the_service_keeps_answering(string provider)
    {
        await using var h = await HolderHarness.StartAsync(provider, HolderKind.PensionOrganisation);
        using var http = new HttpClient { BaseAddress = h.Node.BaseAddress };
        var client = StaffClient(h, http);
        var number = HolderHarness.Numbers(1, seed: 43)[0];
        var padded = $$"""{"individualNumber":"{{number.Digits}}","pad":"{{new string('Z', 1_100_000)}}"}""";
        var large = await client.PostAsync(HolderRoutes.LookupPerson, Encoding.UTF8.GetBytes(padded));
        Assert.Equal((int)HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.Equal("body-too-large", JsonDocument.Parse(large.Text).RootElement.GetProperty("code").GetString());
        BodyFuzz.AssertClean(large.Text, "the 413");
        Assert.Equal("body-too-large", h.Node.OperationLog.Read().Select(r => r.Entry).Last().Result);

        var found = await client.PostAsync(HolderRoutes.LookupPerson, Encoding.UTF8.GetBytes(Json(new PersonLookupRequest(number))));
        Assert.Equal((int)HttpStatusCode.NotFound, found.Status);
    }
}
