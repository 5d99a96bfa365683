using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tests.Cards;
using Renkei.TestSupport;

namespace Renkei.Jlis.Tests.Fuzz;

[Xunit.CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console capture";
}

/// <summary>
/// Random and mutated bodies to J-LIS's numbering, card and certificate-status routes over HTTP: never a 500, no answer
/// or log line repeating the input or carrying a stack trace, nothing stored from a refused body; oversized bodies 413.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BodyFuzzTests
{
    private const int Iterations = 250;

    /// <summary>Fewer for the card routes: J-LIS's card and certificate tables are read twice for every request.</summary>
    private const int CardIterations = 150;

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Numbering_routes_refuse_mutated_bodies_cleanly(string provider)
    {
        using var console = new ConsoleCapture();
        var jlis = await JlisHarness.StartAsync(provider);
        try
        {
            var codes = JlisHarness.RandomCodes(4, seed: 12);
            var number = (await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), JlisHarness.Shinagawa, codes[0]))).IndividualNumber;
            var templates = new (string, string)[]
            {
                (JlisRoutes.DeriveNumber, Json(new DeriveNumberRequest(Guid.NewGuid(), JlisHarness.Shinagawa, codes[1]))),
                (JlisRoutes.NumberingBatch, Json(new NumberingBatchRequest(Guid.NewGuid(), JlisHarness.Shinagawa, [codes[2], codes[3]]))),
                (JlisRoutes.VerifyNumber, Json(new VerifyNumberRequest(codes[0], number))),
                (JlisRoutes.ChangeNumber, Json(new ChangeNumberRequest(Guid.NewGuid(), JlisHarness.Shinagawa, codes[0], NumberChangeReason.HolderRequest))),
                (JlisRoutes.IssueResidentCode, Json(new IssueResidentCodeRequest(Guid.NewGuid(), JlisHarness.Shinagawa, ResidentCodeIssueReason.Birth))),
            };
            var client = new RawRouteClient(jlis.Http);
            await BodyFuzz.CheckRoutesAsync(templates, _ => client, jlis.Database, Iterations);
        }
        finally
        {
            await jlis.DisposeAsync();
        }
        BodyFuzz.AssertClean(console.Text, "J-LIS's log");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Card_and_status_routes_refuse_mutated_bodies_cleanly(string provider)
    {
        using var console = new ConsoleCapture();
        var cards = await CardHarness.StartAsync(provider);
        try
        {
            var (holder, card) = await cards.IssueCardAsync(new DateOnly(1980, 4, 1));
            var newcomer = cards.NewHolder(new DateOnly(1990, 7, 7));
            var check = CardHarness.Identity;
            var sealedKey = new SealedPayload("AAAA", "AAAA", "AAAA", "AAAA");
            var templates = new (string, string)[]
            {
                (CardRoutes.Applications, Json(new CardApplicationRequest(Guid.NewGuid(), newcomer.Municipality, newcomer.IndividualNumber, newcomer.Name,
                    newcomer.Address, newcomer.BirthDate, Sex.Female, CardApplicationChannel.NotificationLetter, "clerk-07"))),
                (CardRoutes.Issue, Json(new IssueCardRequest(Guid.NewGuid(), Guid.NewGuid(), "clerk-07"))),
                (CardRoutes.HandoverData, Json(new HandoverDataRequest(card.Number))),
                (CardRoutes.Handover, Json(new HandoverRequest(Guid.NewGuid(), card.Number, check, true, "AAAA", null, "clerk-07"))),
                (CardRoutes.Suspend, Json(new SuspendCardRequest(Guid.NewGuid(), card.Number, null, SuspensionReason.Lost, SuspensionChannel.Phone, "call-centre"))),
                (CardRoutes.Resume, Json(new ResumeCardRequest(Guid.NewGuid(), card.Number, check, "clerk-07"))),
                (CardRoutes.Revoke, Json(new RevokeCardRequest(Guid.NewGuid(), null, holder.IndividualNumber, CardRevocationReason.Death, "clerk-07"))),
                (CardRoutes.Unlock, Json(new UnlockPinRequest(Guid.NewGuid(), card.Number, CardPinKind.UserAuthentication, sealedKey, check, "clerk-07"))),
                (CardRoutes.ChangeFacts, Json(new ChangeFactsRequest(Guid.NewGuid(), card.Number, "番号 花子", "東京都品川区広町二丁目1番37号", check, null, "clerk-07"))),
                (CardRoutes.Certificates, Json(new CertificatesRequest(Guid.NewGuid(), card.Number, "AAAA", null, check, "clerk-07"))),
                (CardRoutes.Status, Json(new CardStatusRequest(null, holder.IndividualNumber))),
                (PkiRoutes.Status, Json(new CertificateStatusRequest(JpkiCertificateKind.UserAuthentication, "0A1B2C"))),
            };
            var client = new RawRouteClient(cards.Http);
            await BodyFuzz.CheckRoutesAsync(templates, _ => client, cards.Database, CardIterations);
        }
        finally
        {
            await cards.DisposeAsync();
        }
        BodyFuzz.AssertClean(console.Text, "J-LIS's log");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_card_application_keeps_room_for_its_photo_and_other_card_routes_take_1_MiB(string provider)
    {
        await using var cards = await CardHarness.StartAsync(provider);
        var client = new RawRouteClient(cards.Http);
        var newcomer = cards.NewHolder(new DateOnly(1991, 8, 8));
        var photo = Convert.ToBase64String(new byte[1_200_000]); // 1.6 MB of base64: over 1 MiB, under the photo limit
        var application = await client.PostAsync(CardRoutes.Applications, Encoding.UTF8.GetBytes(Json(new CardApplicationRequest(Guid.NewGuid(),
            newcomer.Municipality, newcomer.IndividualNumber, newcomer.Name, newcomer.Address, newcomer.BirthDate, Sex.Female,
            CardApplicationChannel.NotificationLetter, "clerk-07", photo))));
        Assert.True(application.Accepted, $"an application with a photo over 1 MiB was refused ({application.Status})");

        var status = Json(new CardStatusRequest(null, newcomer.IndividualNumber));
        var large = await client.PostAsync(CardRoutes.Status, Encoding.UTF8.GetBytes(status[..^1] + ",\"pad\":\"" + new string('Z', 1_100_000) + "\"}"));
        Assert.Equal((int)HttpStatusCode.RequestEntityTooLarge, large.Status);
        BodyFuzz.AssertRefusalIsClean(large, CardRoutes.Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Findings_malformed_json_is_a_400_naming_the_field_without_the_input(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var client = new RawRouteClient(jlis.Http);
        var code = JlisHarness.RandomCodes(1, seed: 3)[0].Digits;
        foreach (var (body, field) in new[]
                 {
                     ($$"""{"requestId":"{{Guid.NewGuid()}}","municipality":{{BodyFuzz.Marker}},"residentCode":"{{code}}"}""", "municipality"),
                     ($$$"""{"requestId":"{{{Guid.NewGuid()}}}","municipality":"131091","residentCode":{"a":{{{BodyFuzz.Marker}}}}}""", "residentCode"),
                     ($$"""{"requestId":"{{Guid.NewGuid()}}","municipality":"131091","residentCode":tru{{BodyFuzz.Marker}}}""", "residentCode"),
                     ($$"""{"requestId":"{{Guid.NewGuid()}}","municipality":"131091","residentCode":"{{code}}","x":{{BodyFuzz.Marker}}abc}""", "x"),
                     ($$"""{"requestId":"{{Guid.NewGuid()}}","municipality":"131091","residentCode":"{{BodyFuzz.Marker}}""", "residentCode"),
                 })
        {
            var answer = await client.PostAsync(JlisRoutes.DeriveNumber, Encoding.UTF8.GetBytes(body));
            Assert.Equal(400, answer.Status);
            BodyFuzz.AssertRefusalIsClean(answer, JlisRoutes.DeriveNumber);
            Assert.StartsWith(field + ":", JsonDocument.Parse(answer.Text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // A string where an enum belongs: the field is named, the string is not repeated.
        var reason = await client.PostAsync(JlisRoutes.IssueResidentCode, Encoding.UTF8.GetBytes(
            $$"""{"requestId":"{{Guid.NewGuid()}}","municipality":"131091","reason":"born-{{BodyFuzz.Marker}}"}"""));
        Assert.Equal(400, reason.Status);
        BodyFuzz.AssertRefusalIsClean(reason, JlisRoutes.IssueResidentCode);
        Assert.StartsWith("reason:", JsonDocument.Parse(reason.Text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A property name holding the number is not named back.
        var name = await client.PostAsync(JlisRoutes.DeriveNumber, Encoding.UTF8.GetBytes($$"""{"n{{BodyFuzz.Marker}}":tru}"""));
        Assert.Equal(400, name.Status);
        BodyFuzz.AssertRefusalIsClean(name, JlisRoutes.DeriveNumber);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bodies_over_the_limit_are_413_and_the_service_keeps_answering(string provider)
    {
        await using var jlis = await JlisHarness.StartAsync(provider);
        var client = new RawRouteClient(jlis.Http);
        var code = JlisHarness.RandomCodes(1, seed: 5)[0];
        var padded = $$"""{"requestId":"{{Guid.NewGuid()}}","municipality":"131091","residentCode":"{{code.Digits}}","pad":"{{new string('Z', 1_100_000)}}"}""";
        var large = await client.PostAsync(JlisRoutes.DeriveNumber, Encoding.UTF8.GetBytes(padded));
        Assert.Equal((int)HttpStatusCode.RequestEntityTooLarge, large.Status);
        Assert.Equal("body-too-large", JsonDocument.Parse(large.Text).RootElement.GetProperty("code").GetString());
        BodyFuzz.AssertClean(large.Text, "the 413");

        // Without a declared length (chunked), the same.
        using (var request = new HttpRequestMessage(HttpMethod.Post, JlisRoutes.VerifyNumber) { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(padded))) })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await jlis.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }

        // Nothing was assigned, and the service still works.
        Assert.False(DatabaseSnapshot.Take(jlis.Database).Text.Contains(code.Digits, StringComparison.Ordinal), "a refused body was stored");
        var assignment = await jlis.Client.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), JlisHarness.Shinagawa, code));
        Assert.True(IndividualNumber.Parse(assignment.IndividualNumber.Digits).IsValid);

        // A numbering batch is bulk (up to a million codes): a body over 1 MiB is read.
        var codes = JlisHarness.RandomCodes(2, seed: 6);
        var batch = await client.PostAsync(JlisRoutes.NumberingBatch, Encoding.UTF8.GetBytes(
            $$"""{"batchId":"{{Guid.NewGuid()}}","municipality":"131091","residentCodes":["{{codes[0].Digits}}","{{codes[1].Digits}}"],"pad":"{{new string('Z', 1_500_000)}}"}"""));
        Assert.True(batch.Accepted, $"a bulk batch over 1 MiB was refused ({batch.Status})");
    }
}
