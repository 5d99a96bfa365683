using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests.Service;

/// <summary>
/// The ward API findings of issue 12, replayed against the real service over HTTP (with the real J-LIS) on SQLite and
/// PostgreSQL: need to know per affair, required fields, bounds, LIKE metacharacters, body caps, bad records, bad tokens.
/// </summary>
public sealed class WardApiFindingsTests
{
    private const string Register = "resident-register";

    private static void AssertIntact(WardService ward)
    {
        var verification = ward.Log.Verify();
        Assert.True(verification.IsIntact, verification.ToString());
    }

    private static string Json(object body) => JsonSerializer.Serialize(body, body.GetType(), JsonDefaults.Options);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_library_clerk_cannot_change_a_residents_address_only_register_affairs_can(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var someone = people.Single(p => p.Name.GivenName == "健一");
        var stored = ward.Stored();

        // The library clerk, and a child-allowance clerk whose affair may read the register but not change it.
        foreach (var (staff, affair) in new[] { ("tosho01", "library"), ("kodomo01", "child-allowance") })
        {
            var token = await ward.LoginAsync(staff, affair);
            var change = new AddressChangeRequest(Guid.NewGuid(), someone.Id, "東京都品川区大崎二丁目2番2号", new DateOnly(2024, 6, 1));
            var refused = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.AddressChanges, change, token, "WS-" + staff);
            Assert.Equal((HttpStatusCode.Forbidden, ResidentRecordAccessDecision.AffairWithoutUse), (refused.Status, refused.Code));
            var entry = ward.Entries()[^1];
            Assert.Equal((staff, affair, "WS-" + staff + "@127.0.0.1", OperationAction.Change, OperationResult.Refused),
                (entry.StaffId, entry.AffairCode, entry.Terminal, entry.Action, entry.Result));
            Assert.Contains($"resident-id={someone.Id}", entry.Detail);
            Assert.Contains(ResidentRecordAccessDecision.AffairWithoutUse, entry.Detail);
        }
        Assert.Equal(someone.Address, ward.Register.Find(someone.Id)!.Address);
        Assert.Equal(stored, ward.Stored());

        // The register clerk in the register affair may.
        var clerk = await ward.LoginAsync("jumin01", Register);
        var done = await ward.PostAsync(MunicipalityRoutes.AddressChanges,
            new AddressChangeRequest(Guid.NewGuid(), someone.Id, "東京都品川区大崎二丁目2番2号", new DateOnly(2024, 6, 1)), clerk);
        Assert.Equal(HttpStatusCode.Created, done.Status);
        Assert.Equal("東京都品川区大崎二丁目2番2号", ward.Register.Find(someone.Id)!.Address);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Staff_whose_affair_has_no_need_to_know_get_no_resident_record_and_every_refusal_is_logged(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");

        var cases = new (string Staff, string? Affair, string Reason)[]
        {
            ("tosho01", "library", ResidentRecordAccessDecision.AffairWithoutUse),
            ("tosho01", "facility-booking", ResidentRecordAccessDecision.AffairWithoutUse),
            ("admin01", null, ResidentRecordAccessDecision.RoleWithoutResidentRecords),
            ("kansa01", Register, ResidentRecordAccessDecision.RoleWithoutResidentRecords),
            ("jumin01", null, ResidentRecordAccessDecision.NoAffairChosen),
        };
        foreach (var (staff, affair, reason) in cases)
        {
            var token = await ward.LoginAsync(staff, affair);
            var before = ward.Entries().Count;
            var terminal = "WS-" + staff;
            var search = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ"), token, terminal);
            var wildcard = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.Search, new ResidentSearchRequest(Name: "%"), token, terminal);
            var certificate = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate,
                new ResidenceCertificateRequest(head.Id, WholeHousehold: true), token, terminal);
            foreach (var refused in new[] { search, wildcard, certificate })
            {
                Assert.Equal((HttpStatusCode.Forbidden, reason), (refused.Status, refused.Code));
                Assert.DoesNotContain("高橋", refused.Text);
                Assert.DoesNotContain("タカハシ", refused.Text);
                Assert.DoesNotContain(head.Address, refused.Text);
            }
            var entries = ward.Entries().Skip(before).ToList();
            Assert.Equal([OperationAction.Search, OperationAction.Search, OperationAction.View], entries.Select(e => e.Action));
            Assert.All(entries, e => Assert.Equal((staff, affair, terminal + "@127.0.0.1", OperationResult.Refused), (e.StaffId, e.AffairCode, e.Terminal, e.Result)));
            Assert.All(entries, e => Assert.Contains(reason, e.Detail));
            Assert.Contains($"resident-id={head.Id}", entries[2].Detail);
        }

        // The tax clerk's affair needs the register (household, 1 January residence): allowed, and the view is logged.
        var tax = await ward.LoginAsync("kazei01", "local-tax");
        var shown = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(head.Id, WholeHousehold: true), tax, "WS-kazei01");
        Assert.Equal(HttpStatusCode.OK, shown.Status);
        Assert.Equal(2, shown.Body<ResidenceCertificate>().Entries.Count);
        var view = ward.Entries()[^1];
        Assert.Equal(("kazei01", "local-tax", "WS-kazei01@127.0.0.1", OperationAction.View, OperationResult.Success),
            (view.StaffId, view.AffairCode, view.Terminal, view.Action, view.Result));
        Assert.Contains($"resident-id={head.Id}", view.Detail);
        StaffApiTests.AssertNoNumber(people, ward.ExportedLog());
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_missing_field_is_refused_naming_it_and_nothing_is_stored(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var someone = people.Single(p => p.Name.GivenName == "健一");
        var clerk = await ward.LoginAsync("jumin01", Register);
        var stored = ward.Stored();

        var cases = new (string Route, string Body, string Field)[]
        {
            // The finding: no date, stored as 0001-01-01.
            (MunicipalityRoutes.AddressChanges, $$"""{"requestId":"{{Guid.NewGuid()}}","residentId":{{someone.Id}},"newAddress":"東京都品川区大崎三丁目3番3号"}""", "date"),
            (MunicipalityRoutes.AddressChanges, $$"""{"requestId":"{{Guid.NewGuid()}}","residentId":{{someone.Id}},"newAddress":"東京都品川区大崎三丁目3番3号","date":null}""", "date"),
            (MunicipalityRoutes.AddressChanges, $$"""{"requestId":"{{Guid.NewGuid()}}","newAddress":"東京都品川区大崎三丁目3番3号","date":"2024-06-01"}""", "residentId"),
            (MunicipalityRoutes.Deaths, $$"""{"residentId":{{someone.Id}},"date":"2024-06-01"}""", "requestId"),
            (MunicipalityRoutes.ArrivalsFromAbroad, $$"""
                {"requestId":"{{Guid.NewGuid()}}","person":{"familyName":"高橋","givenName":"誠","familyNameKana":"タカハシ","givenNameKana":"マコト","sex":"male"},
                 "address":"東京都品川区西五反田二丁目8番1号","householdNumber":null,"relationship":"head","date":"2024-05-01","fromCountry":"カナダ"}
                """, "person.birthDate"),
            (MunicipalityRoutes.ArrivalsFromAbroad, $$"""
                {"requestId":"{{Guid.NewGuid()}}","person":{"familyName":"高橋","givenName":"誠","familyNameKana":"タカハシ","givenNameKana":"マコト","birthDate":"1980-03-03","sex":"male"},
                 "address":"東京都品川区西五反田二丁目8番1号","date":"2024-05-01","fromCountry":"カナダ"}
                """, "relationship"),
            (MunicipalityRoutes.ResidenceCertificate, """{"wholeHousehold":true}""", "residentId"),
        };
        foreach (var (route, body, field) in cases)
        {
            var refused = await ward.PostJsonAsync(route, body, clerk);
            Assert.True(refused.Status == HttpStatusCode.BadRequest, refused.ToString());
            Assert.Equal("missing-field", refused.Code);
            Assert.Equal(field + " がありません", refused.Body<ProblemBody>().Detail); // people read the Japanese part, which names the field
            var entry = ward.Entries()[^1];
            Assert.Equal(("jumin01", OperationResult.Refused), (entry.StaffId, entry.Result));
            Assert.Contains("missing-field", entry.Detail);
        }
        Assert.Equal(stored, ward.Stored());
        Assert.Equal(someone.Address, ward.Register.Find(someone.Id)!.Address);

        // Wrong forms and undefined enum values are named too, never echoed.
        var wrongForm = await ward.PostJsonAsync(MunicipalityRoutes.Deaths, $$"""{"requestId":"{{Guid.NewGuid()}}","residentId":{{someone.Id}},"date":"きのう"}""", clerk);
        var undefined = await ward.PostJsonAsync(MunicipalityRoutes.HouseholdChanges,
            $$"""{"requestId":"{{Guid.NewGuid()}}","residentId":{{someone.Id}},"targetHouseholdNumber":null,"relationship":987,"date":"2024-06-01"}""", clerk);
        Assert.Equal((HttpStatusCode.BadRequest, "bad-field"), (wrongForm.Status, wrongForm.Code));
        Assert.StartsWith("date ", wrongForm.Body<ProblemBody>().Detail);
        Assert.DoesNotContain("きのう", wrongForm.Text);
        Assert.Equal((HttpStatusCode.BadRequest, "bad-field"), (undefined.Status, undefined.Code));
        Assert.StartsWith("relationship ", undefined.Body<ProblemBody>().Detail);
        Assert.DoesNotContain("987", undefined.Text);
        Assert.Equal(stored, ward.Stored());

        // The resident's record stays whole: the certificate still answers.
        Assert.Equal(HttpStatusCode.OK, (await ward.PostAsync(MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(someone.Id), clerk)).Status);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Dates_outside_1868_to_a_year_ahead_are_refused(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var someone = people.Single(p => p.Name.GivenName == "健一");
        var clerk = await ward.LoginAsync("jumin01", Register);
        var today = DateOnly.FromDateTime(ward.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).DateTime);
        var stored = ward.Stored();

        foreach (var date in new[] { new DateOnly(1, 1, 1), new DateOnly(1867, 12, 31), today.AddYears(1).AddDays(2), DateOnly.MaxValue })
        {
            var move = await ward.PostAsync(MunicipalityRoutes.AddressChanges, new AddressChangeRequest(Guid.NewGuid(), someone.Id, "東京都品川区大崎三丁目3番3号", date), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "date-out-of-range"), (move.Status, move.Code));
            var birth = await ward.PostAsync(MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
                new NewPerson("佐藤", "一", "サトウ", "ハジメ", date, Sex.Male), "東京都品川区大崎一丁目1番1号", null, Relationship.Head, new DateOnly(2024, 5, 2), "ペルー"), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "date-out-of-range"), (birth.Status, birth.Code));
            Assert.StartsWith("birthDate ", birth.Body<ProblemBody>().Detail);
            Assert.Equal(OperationResult.Refused, ward.Entries()[^1].Result);
        }
        Assert.Equal(stored, ward.Stored());

        // The bounds themselves are days a register can hold.
        Assert.Equal(HttpStatusCode.Created, (await ward.PostAsync(MunicipalityRoutes.AddressChanges,
            new AddressChangeRequest(Guid.NewGuid(), someone.Id, "東京都品川区大崎三丁目3番3号", today.AddYears(1)), clerk)).Status);
        var meiji = await ward.PostAsync(MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("佐藤", "一", "サトウ", "ハジメ", new DateOnly(1868, 1, 1), Sex.Male), "東京都品川区大崎一丁目1番1号", null, Relationship.Head, new DateOnly(2024, 5, 2), "ペルー"), clerk);
        Assert.Equal(HttpStatusCode.Created, meiji.Status);
        var certificate = await ward.PostAsync(MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(meiji.Body<RegisterEventResult>().ResidentId), clerk);
        Assert.Equal("明治元年1月1日", Assert.Single(certificate.Body<ResidenceCertificate>().Entries).BirthDateJapanese);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Overlong_text_and_number_like_digits_are_refused_without_echo(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var someone = people.Single(p => p.Name.GivenName == "健一");
        var other = people.Single(p => p.Name.GivenName == "誠");
        var digits = other.IndividualNumber!.Value.Digits;
        var clerk = await ward.LoginAsync("jumin01", Register);
        var stored = ward.Stored();

        AddressChangeRequest Move(string address) => new(Guid.NewGuid(), someone.Id, address, new DateOnly(2024, 6, 1));

        // The finding: a 100,000-character address. As a body it is over the cap; one just over the field's bound is refused by name.
        var huge = await ward.PostAsync(MunicipalityRoutes.AddressChanges, Move(new string('あ', 100_000)), clerk);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body-too-large"), (huge.Status, huge.Code));
        var tooLong = await ward.PostAsync(MunicipalityRoutes.AddressChanges, Move("東京都品川区" + new string('あ', RegisterInputRules.MaxAddress)), clerk);
        Assert.Equal((HttpStatusCode.BadRequest, "field-too-long"), (tooLong.Status, tooLong.Code));
        Assert.StartsWith("newAddress ", tooLong.Body<ProblemBody>().Detail);
        Assert.DoesNotContain("あああ", tooLong.Text);

        // The finding: an address holding a 12-digit number, however it is written (and an 11-digit run, like a resident-record code).
        var grouped = $"{digits[..4]}-{digits[4..8]}-{digits[8..]}";
        var fullWidth = string.Concat(digits.Select(c => (char)('０' + (c - '0'))));
        foreach (var address in new[] { $"東京都品川区大崎{digits}号", $"東京都品川区 {grouped}", $"品川区{fullWidth}", "品川区12345678901番地", "品川区1234 5678 9012" })
        {
            var refused = await ward.PostAsync(MunicipalityRoutes.AddressChanges, Move(address), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "digits-not-allowed"), (refused.Status, refused.Code));
            Assert.DoesNotContain(digits, refused.Text);
            Assert.DoesNotContain("12345678901", refused.Text);
        }
        // Names and the other free-text fields have the same bounds.
        var longName = await ward.PostAsync(MunicipalityRoutes.NameChanges, new NameChangeRequest(Guid.NewGuid(), someone.Id,
            new string('高', RegisterInputRules.MaxNamePart + 1), "健一", "タカハシ", "ケンイチ", new DateOnly(2024, 6, 1), "婚姻"), clerk);
        Assert.Equal((HttpStatusCode.BadRequest, "field-too-long"), (longName.Status, longName.Code));
        var numberInReason = await ward.PostAsync(MunicipalityRoutes.NameChanges, new NameChangeRequest(Guid.NewGuid(), someone.Id,
            "田中", "健一", "タナカ", "ケンイチ", new DateOnly(2024, 6, 1), "婚姻 " + digits), clerk);
        Assert.Equal((HttpStatusCode.BadRequest, "digits-not-allowed"), (numberInReason.Status, numberInReason.Code));

        Assert.Equal(stored, ward.Stored());
        Assert.Equal(someone.Address, ward.Register.Find(someone.Id)!.Address);
        // An ordinary address with its block numbers still goes in.
        Assert.Equal(HttpStatusCode.Created, (await ward.PostAsync(MunicipalityRoutes.AddressChanges, Move("東京都品川区大崎1-11-1 ゲートシティ大崎2301号"), clerk)).Status);
        Assert.DoesNotContain(digits, ward.ExportedLog());
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Search_takes_LIKE_metacharacters_literally_and_refuses_wildcard_only_and_unbounded_searches(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var clerk = await ward.LoginAsync("jumin01", Register);
        // Someone whose name holds the metacharacters (as an odd name in a record might).
        foreach (var (family, given) in new[] { ("高%", "橋"), ("高_", "橋"), ("高\\", "橋") })
            Assert.Equal(HttpStatusCode.Created, (await ward.PostAsync(MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
                new NewPerson(family, given, "タカ", "ハシ", new DateOnly(1990, 1, 1), Sex.Female), "東京都品川区北品川一丁目1番1号", null, Relationship.Head,
                new DateOnly(2024, 5, 3), "タイ"), clerk)).Status);
        var registered = ward.Stored().Residents;

        async Task<List<string>> Names(string name)
        {
            var answer = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Name: name), clerk);
            Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
            return answer.Body<List<ResidentSearchHit>>().Select(h => h.Name).Order(StringComparer.Ordinal).ToList();
        }
        Assert.Equal(["高%　橋"], await Names("高%"));
        Assert.Equal(["高_　橋"], await Names("高_"));
        Assert.Equal(["高\\　橋"], await Names("高\\"));
        Assert.Empty(await Names("高%橋x"));
        Assert.Equal(6, (await Names("高")).Count);

        foreach (var wildcard in new[] { "%", "_", "%%", "\\", "% _", "％" })
        {
            var refused = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Name: wildcard), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "wildcard-search"), (refused.Status, refused.Code));
            var byKana = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: wildcard), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "wildcard-search"), (byKana.Status, byKana.Code));
        }
        foreach (var control in new[] { "高\u0000橋", "\u0000", "タカ\u0007" })
        {
            var refused = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Name: control), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "bad-text"), (refused.Status, refused.Code));
            var byKana = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: control), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "bad-text"), (byKana.Status, byKana.Code));
        }
        var empty = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Name: "  "), clerk);
        Assert.Equal((HttpStatusCode.BadRequest, "empty-search"), (empty.Status, empty.Code));
        foreach (var limit in new[] { 0, -1, RegisterInputRules.MaxSearchLimit + 1, int.MaxValue })
        {
            var unbounded = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカ", Limit: limit), clerk);
            Assert.Equal((HttpStatusCode.BadRequest, "bad-limit"), (unbounded.Status, unbounded.Code));
        }
        var refusals = ward.Entries().Where(e => e.Action == OperationAction.Search && e.Result == OperationResult.Refused).ToList();
        Assert.Equal(6 * 2 + 3 * 2 + 1 + 4, refusals.Count);
        Assert.DoesNotContain(refusals, e => e.Detail!.Contains('%'));
        Assert.Equal(registered, ward.Stored().Residents);
        StaffApiTests.AssertNoNumber(people, ward.ExportedLog());
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_one_megabyte_search_is_refused_with_413_and_logged(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        await StaffApiTests.SeedAsync(ward);
        var clerk = await ward.LoginAsync("jumin01", Register);
        var megabyte = Json(new ResidentSearchRequest(Name: new string('高', 350_000)));

        var sized = await ward.PostJsonAsync(MunicipalityRoutes.Search, megabyte, clerk, "WS-1");
        // Streamed without a Content-Length: the read stops one byte past the cap all the same.
        var streamed = await ward.SendRawAsync(HttpMethod.Post, MunicipalityRoutes.Search, new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(megabyte)))
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        }, clerk, "WS-2");
        var birth = await ward.PostJsonAsync(MunicipalityRoutes.Births, megabyte, clerk, "WS-3");
        var login = await ward.PostJsonAsync(MunicipalityRoutes.StaffSessions, megabyte, null, "WS-4");
        foreach (var refused in new[] { sized, streamed, birth, login })
        {
            Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body-too-large"), (refused.Status, refused.Code));
            Assert.DoesNotContain("高高", refused.Text);
        }
        var entries = ward.Entries().TakeLast(4).ToList();
        Assert.Equal(
            [(OperationAction.Search, "jumin01", "WS-1@127.0.0.1"), (OperationAction.Search, "jumin01", "WS-2@127.0.0.1"),
             (OperationAction.Change, "jumin01", "WS-3@127.0.0.1"), (OperationAction.LoginFailed, WardModule.AnonymousStaff, "WS-4@127.0.0.1")],
            entries.Select(e => (e.Action, e.StaffId, e.Terminal)));
        Assert.All(entries, e => Assert.Equal(OperationResult.Refused, e.Result));
        Assert.All(entries, e => Assert.Contains("body-too-large", e.Detail));

        // Under the cap, an overlong term is refused by the register's bound (no database error).
        var thousand = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Name: new string('高', 1_000)), clerk);
        Assert.Equal((HttpStatusCode.BadRequest, "search-term-too-long"), (thousand.Status, thousand.Code));
        Assert.Equal(OperationResult.Refused, ward.Entries()[^1].Result);
        // The service is still serving.
        Assert.Equal(HttpStatusCode.OK, (await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ"), clerk)).Status);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_register_record_already_bad_is_searchable_and_its_certificate_is_refused_with_a_code(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await StaffApiTests.SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        var other = people.Single(p => p.Name.GivenName == "健一");
        // What the finding left behind: an event and a birth date stored as 0001-01-01 before the API checked them.
        using (var connection = ward.Database.Open())
        {
            connection.Command("UPDATE register_events SET event_date = '0001-01-01' WHERE resident_id = @id").With("@id", head.Id).ExecuteNonQuery();
            connection.Command("UPDATE residents SET birth_date = '0001-01-01' WHERE id = @id").With("@id", head.Id).ExecuteNonQuery();
        }
        var clerk = await ward.LoginAsync("jumin01", Register);

        var certificate = await ward.PostAsync(MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(head.Id), clerk);
        Assert.Equal((HttpStatusCode.Conflict, ResidenceCertificates.RecordInvalid), (certificate.Status, certificate.Code));
        var household = await ward.PostAsync(MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(head.Id, WholeHousehold: true), clerk);
        Assert.Equal((HttpStatusCode.Conflict, ResidenceCertificates.RecordInvalid), (household.Status, household.Code));
        Assert.Equal(OperationResult.Failed, ward.Entries()[^1].Result);
        Assert.Contains(ResidenceCertificates.RecordInvalid, ward.Entries()[^1].Detail);

        // Everyone else's certificate, and the search that shows the bad record as it is, still answer.
        Assert.Equal(HttpStatusCode.OK, (await ward.PostAsync(MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(other.Id), clerk)).Status);
        var search = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ"), clerk);
        Assert.Equal(HttpStatusCode.OK, search.Status);
        Assert.Equal(new DateOnly(1, 1, 1), search.Body<List<ResidentSearchHit>>().Single(h => h.ResidentId == head.Id).BirthDate);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Unknown_or_malformed_bearer_tokens_are_401_problems(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var headers = new[]
        {
            "Bearer", "Bearer ", "Bearer wrong", "Bearer " + new string('A', StaffApiSessions.TokenLength), "Bearer " + new string('x', 8_000),
            "Bearer a b c", "Bearer ====", "Bearer \"quoted\"", "Basic Zm9vOmJhcg==", "bearer", "Token abc", "Bearer\tabc",
        };
        var calls = new (HttpMethod Method, string Route, string? Body)[]
        {
            (HttpMethod.Post, MunicipalityRoutes.Search, """{"kana":"タカハシ"}"""),
            (HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate, """{"residentId":1}"""),
            (HttpMethod.Post, MunicipalityRoutes.AddressChanges, "{}"),
            (HttpMethod.Post, MunicipalityRoutes.StaffSessionAffair, """{"affairCode":"resident-register"}"""),
            (HttpMethod.Get, MunicipalityRoutes.StaffSessionCurrent, null),
            (HttpMethod.Delete, MunicipalityRoutes.StaffSessionCurrent, null),
        };
        foreach (var header in headers)
            foreach (var (method, route, body) in calls)
            {
                using var request = new HttpRequestMessage(method, route);
                if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                Assert.True(request.Headers.TryAddWithoutValidation("Authorization", header));
                using var response = await ward.Http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {route} with a malformed token: {(int)response.StatusCode} {text}");
                var problem = JsonSerializer.Deserialize<ProblemBody>(text, JsonDefaults.Options)!;
                Assert.Contains(problem.Code, new[] { "no-session", "session-expired" });
                Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
            }
        // Two Authorization headers are no session either.
        using (var twice = new HttpRequestMessage(HttpMethod.Get, MunicipalityRoutes.StaffSessionCurrent))
        {
            twice.Headers.TryAddWithoutValidation("Authorization", ["Bearer a", "Bearer b"]);
            using var response = await ward.Http.SendAsync(twice);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.All(ward.Entries(), e => Assert.Equal(WardModule.AnonymousStaff, e.StaffId));
        AssertIntact(ward);
    }

    /// <summary>A stream with no length, so the client sends the body chunked.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
