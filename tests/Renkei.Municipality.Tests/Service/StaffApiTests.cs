using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests.Service;

/// <summary>
/// Trust rule 7 through the ward's real HTTP endpoints: staff log in with both factors, act in one chosen affair, and see
/// an individual number only while acting in an affair that may use numbers; everything is in the operation log.
/// </summary>
public sealed class StaffApiTests
{
    private const string Register = "resident-register";

    /// <summary>Two households registered by jumin01 (arrivals from abroad and births, numbered by the real J-LIS); returns the residents.</summary>
    internal static async Task<IReadOnlyList<Resident>> SeedAsync(WardService ward)
    {
        var token = await ward.LoginAsync("jumin01", Register);
        var head = (await ward.PostAsync(MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("高橋", "誠", "タカハシ", "マコト", new DateOnly(1980, 3, 3), Sex.Male), "東京都品川区西五反田二丁目8番1号", null,
            Relationship.Head, new DateOnly(2024, 5, 1), "カナダ"), token)).Body<RegisterEventResult>();
        await ward.PostAsync(MunicipalityRoutes.Births, new BirthRequest(Guid.NewGuid(),
            new NewPerson("高橋", "陽菜", "タカハシ", "ヒナ", new DateOnly(2024, 5, 20), Sex.Female), head.HouseholdNumber, Relationship.Child), token);
        await ward.PostAsync(MunicipalityRoutes.ArrivalsFromAbroad, new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("高橋", "健一", "タカハシ", "ケンイチ", new DateOnly(1955, 1, 9), Sex.Male), "東京都品川区大崎一丁目1番1号", null,
            Relationship.Head, new DateOnly(2024, 5, 2), "ブラジル"), token);
        var people = ward.Register.Search(new ResidentSearch(Kana: "タカハシ")).Select(s => ward.Register.Find(s.ResidentId)!).ToList();
        Assert.Equal(3, people.Count);
        Assert.All(people, p => Assert.NotNull(p.IndividualNumber));
        return people;
    }

    internal static void AssertNoNumber(IEnumerable<Resident> people, string text)
    {
        foreach (var person in people)
        {
            Assert.DoesNotContain(person.IndividualNumber!.Value.Digits, text);
            Assert.DoesNotContain(person.ResidentCode.Digits, text);
        }
    }

    private static void AssertIntact(WardService ward)
    {
        var verification = ward.Log.Verify();
        Assert.True(verification.IsIntact, verification.ToString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Without_a_session_every_personal_endpoint_is_401_and_the_refusal_is_logged(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await SeedAsync(ward);
        var someone = people[0];
        var before = ward.Entries().Count;

        var calls = new (string Route, object Body)[]
        {
            (MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ")),
            (MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(someone.Id, IncludeNumber: true, AffairCode: Register)),
            (MunicipalityRoutes.Deaths, new DeathRequest(Guid.NewGuid(), someone.Id, new DateOnly(2024, 6, 1))),
        };
        foreach (var (route, body) in calls)
        {
            var none = await ward.PostAsync(route, body, token: null);
            var forged = await ward.PostAsync(route, body, token: new string('A', StaffApiSessions.TokenLength));
            Assert.Equal((HttpStatusCode.Unauthorized, "no-session"), (none.Status, none.Code));
            Assert.Equal((HttpStatusCode.Unauthorized, "session-expired"), (forged.Status, forged.Code));
            Assert.Contains("Bearer", none.Response.Headers.WwwAuthenticate.ToString());
            AssertNoNumber(people, none.Text + forged.Text);
        }
        // A token is read from the Authorization header only, never from the URL.
        var token = await ward.LoginAsync("jumin01", Register);
        var inUrl = await ward.PostAsync(MunicipalityRoutes.Search + "?access_token=" + token, new ResidentSearchRequest(Kana: "タカハシ"), token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, inUrl.Status);

        Assert.Equal(RegisterStatus.Resident, ward.Register.Find(someone.Id)!.Status); // the unauthenticated death changed nothing
        var refused = ward.Entries().Skip(before).Where(e => e.StaffId == WardModule.AnonymousStaff).ToList();
        Assert.Equal(7, refused.Count);
        Assert.All(refused, e => Assert.Equal(OperationResult.Refused, e.Result));
        Assert.Equal([OperationAction.Search, OperationAction.Search, OperationAction.View, OperationAction.View, OperationAction.Change, OperationAction.Change,
            OperationAction.Search], refused.Select(e => e.Action));
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Wrong_one_time_code_is_refused_and_logged_without_any_secret(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var clerk = ward.Account("jumin01");
        ward.Clock.Advance(TimeSpan.FromMinutes(1));
        var now = ward.Clock.GetUtcNow();
        var wrongCode = clerk.CodeAt(now.AddMinutes(10));

        var badTotp = await ward.PostAsync(MunicipalityRoutes.StaffSessions, new StaffLoginRequest("jumin01", clerk.Password, wrongCode), null);
        var badPassword = await ward.PostAsync(MunicipalityRoutes.StaffSessions, new StaffLoginRequest("jumin01", "not-the-password-at-all", clerk.CodeAt(now)), null);
        var unknown = await ward.PostAsync(MunicipalityRoutes.StaffSessions, new StaffLoginRequest("nobody99", "not-the-password-at-all", clerk.CodeAt(now)), null);

        Assert.Equal((HttpStatusCode.Unauthorized, "second-factor-failed"), (badTotp.Status, badTotp.Code));
        // A wrong password and an unknown id get the same answer: the API never tells which ids exist.
        Assert.Equal((HttpStatusCode.Unauthorized, "invalid-credentials"), (badPassword.Status, badPassword.Code));
        Assert.Equal(badPassword.Text, unknown.Text);
        Assert.DoesNotContain("token", badTotp.Text, StringComparison.OrdinalIgnoreCase);

        var failed = ward.Entries().Where(e => e.Action == OperationAction.LoginFailed).ToList();
        Assert.Equal([("jumin01", OperationResult.Refused), ("jumin01", OperationResult.Refused), ("nobody99", OperationResult.Refused)],
            failed.Select(e => (e.StaffId, e.Result)));
        Assert.Contains("second-factor-failed", failed[0].Detail);
        Assert.StartsWith("api@127.0.0.1", failed[0].Terminal);

        // The right code still works afterwards, and opens a session that is logged.
        var token = await ward.LoginAsync("jumin01");
        var log = ward.ExportedLog();
        foreach (var secret in new[] { clerk.Password, wrongCode, clerk.CodeAt(ward.Clock.GetUtcNow()), token, "not-the-password-at-all" })
            Assert.DoesNotContain(secret, log);
        Assert.Equal(OperationAction.Login, ward.Entries()[^1].Action);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_log_names_the_person_viewed_by_integrated_addressee_number(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        var addressee = new Renkei.Municipality.Addressee.AddresseeSystem(ward.Register, ward.Log);
        addressee.SyncFromRegister();
        var token = await ward.LoginAsync("jumin01", Register);

        var certificate = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(head.Id), token);

        Assert.Equal(HttpStatusCode.OK, certificate.Status);
        var view = ward.Entries().Last(e => e.Action == OperationAction.View);
        Assert.Equal(addressee.ForResident(head.Id)!.Value.ToInt64(), view.SubjectAddresseeNumber);
        Assert.NotEqual(head.Id, view.SubjectAddresseeNumber);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Staff_outside_a_number_using_affair_never_receive_a_number_and_every_call_is_logged(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await SeedAsync(ward);
        var head = people.Single(p => p.Name.GivenName == "誠");
        var tokens = new List<string>();

        // The register clerk acting in general certificate issuance (住民票の写しの一般請求): resident records may be read in it
        // (need to know), numbers may not. Staff whose affair may not read resident records at all are refused before
        // numbers come into it (Staff_whose_affair_has_no_need_to_know_get_no_resident_record_and_every_refusal_is_logged).
        var cases = new (string Staff, string? Affair, string Reason)[]
        {
            ("jumin01", "resident-certificate-general", AffairNumberUseDecision.WithoutNumberUse),
        };
        foreach (var (staff, affair, reason) in cases)
        {
            var token = await ward.LoginAsync(staff, affair);
            tokens.Add(token);
            var before = ward.Entries().Count;
            var terminal = "WS-" + staff;

            var state = await ward.SendAsync(HttpMethod.Get, MunicipalityRoutes.StaffSessionCurrent, null, token);
            Assert.False(state.Body<StaffSessionState>().NumbersVisible);
            Assert.Equal(reason, state.Body<StaffSessionState>().NumberVisibilityReason);

            var certificate = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate,
                new ResidenceCertificateRequest(head.Id, WholeHousehold: true), token, terminal);
            var search = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ"), token, terminal);
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (certificate.Status, search.Status));
            Assert.Equal(2, certificate.Body<ResidenceCertificate>().Entries.Count);
            Assert.All(certificate.Body<ResidenceCertificate>().Entries, e => Assert.Null(e.IndividualNumber));
            Assert.Equal(3, search.Body<List<ResidentSearchHit>>().Count);

            // Asking for numbers is refused with the reason, never answered masked.
            var askCertificate = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate,
                new ResidenceCertificateRequest(head.Id, WholeHousehold: true, IncludeNumber: true), token, terminal);
            var askSearch = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.Search,
                new ResidentSearchRequest(Kana: "タカハシ", IncludeNumbers: true), token, terminal);
            var byNumber = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.Search,
                new ResidentSearchRequest(IndividualNumber: head.IndividualNumber), token, terminal);
            foreach (var refused in new[] { askCertificate, askSearch, byNumber })
                Assert.Equal((HttpStatusCode.Forbidden, reason), (refused.Status, refused.Code));

            // Naming a number-using affair in the body grants nothing.
            var named = await ward.SendAsync(HttpMethod.Post, MunicipalityRoutes.ResidenceCertificate,
                new ResidenceCertificateRequest(head.Id, IncludeNumber: true, AffairCode: affair == Register ? "local-tax" : Register), token, terminal);
            Assert.Equal((HttpStatusCode.Forbidden, ResidenceCertificates.AffairMismatch), (named.Status, named.Code));

            AssertNoNumber(people, string.Concat(state.Text, certificate.Text, search.Text, askCertificate.Text, askSearch.Text, byNumber.Text, named.Text));

            var entries = ward.Entries().Skip(before).ToList();
            Assert.All(entries, e => Assert.Equal((staff, affair, terminal + "@127.0.0.1"), (e.StaffId, e.AffairCode, e.Terminal)));
            Assert.Equal(
                [(OperationAction.View, OperationResult.Success), (OperationAction.Search, OperationResult.Success),
                 (OperationAction.View, OperationResult.Refused), (OperationAction.Search, OperationResult.Refused),
                 (OperationAction.Search, OperationResult.Refused), (OperationAction.View, OperationResult.Refused)],
                entries.Select(e => (e.Action, e.Result)));
            Assert.Contains($"resident-id={head.Id}", entries[0].Detail);
            Assert.Contains("numbers=not-included", entries[0].Detail);
            Assert.Contains(reason, entries[2].Detail);
        }

        // The same clerk, now acting in the number-using affair assigned to them, gets the numbers they ask for.
        var clerk = await ward.LoginAsync("jumin01", Register);
        tokens.Add(clerk);
        var shown = await ward.PostAsync(MunicipalityRoutes.ResidenceCertificate,
            new ResidenceCertificateRequest(head.Id, WholeHousehold: true, IncludeNumber: true, AffairCode: Register), clerk);
        var hits = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ", IncludeNumbers: true), clerk);
        var found = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(IndividualNumber: head.IndividualNumber), clerk);
        var notAsked = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タカハシ"), clerk);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (shown.Status, hits.Status, found.Status));
        var certificateNumbers = shown.Body<ResidenceCertificate>().Entries.ToDictionary(e => e.ResidentId, e => e.IndividualNumber!.Value.ToInt64());
        Assert.Equal(2, certificateNumbers.Count);
        Assert.All(certificateNumbers, pair => Assert.Equal(ward.Register.Find(pair.Key)!.IndividualNumber!.Value.ToInt64(), pair.Value));
        Assert.All(hits.Body<List<ResidentSearchHit>>(), h => Assert.Equal(people.Single(p => p.Id == h.ResidentId).IndividualNumber!.Value.ToInt64(),
            h.IndividualNumber!.Value.ToInt64()));
        Assert.Equal(head.Id, Assert.Single(found.Body<List<ResidentSearchHit>>()).ResidentId);
        AssertNoNumber(people, notAsked.Text); // numbers only when asked for

        var last = ward.Entries().TakeLast(4).ToList();
        Assert.All(last, e => Assert.Equal(("jumin01", Register, OperationResult.Success), (e.StaffId, e.AffairCode, e.Result)));
        Assert.Contains("numbers=included", last[0].Detail);
        Assert.Contains("numbers=shown", last[1].Detail);
        Assert.Contains("search by number", last[2].Detail);

        // The log holds neither a number, a resident-record code nor a token, and verifies intact.
        var log = ward.ExportedLog();
        AssertNoNumber(people, log);
        foreach (var token in tokens) Assert.DoesNotContain(token, log);
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Register_changes_need_an_affair_and_number_changes_a_number_using_one(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var people = await SeedAsync(ward);
        var someone = people.Single(p => p.Name.GivenName == "健一");
        var change = new AddressChangeRequest(Guid.NewGuid(), someone.Id, "東京都品川区大崎二丁目2番2号", new DateOnly(2024, 6, 1));
        var renumber = new NumberChangeRequest(Guid.NewGuid(), someone.Id, NumberChangeReason.HolderRequest, new DateOnly(2024, 6, 1));

        var noAffair = await ward.PostAsync(MunicipalityRoutes.AddressChanges, change, await ward.LoginAsync("jumin01"));
        var auditor = await ward.PostAsync(MunicipalityRoutes.AddressChanges, change, await ward.LoginAsync("kansa01", Register));
        var library = await ward.LoginAsync("tosho01", "library");
        var libraryRenumber = await ward.PostAsync(MunicipalityRoutes.NumberChanges, renumber, library);
        Assert.Equal((HttpStatusCode.Forbidden, NumberVisibilityDecision.NoAffairChosen), (noAffair.Status, noAffair.Code));
        Assert.Equal((HttpStatusCode.Forbidden, ResidentRecordAccessDecision.RoleWithoutResidentRecords), (auditor.Status, auditor.Code));
        Assert.Equal((HttpStatusCode.Forbidden, ResidentRecordAccessDecision.AffairWithoutUse), (libraryRenumber.Status, libraryRenumber.Code));
        Assert.Equal(someone.IndividualNumber!.Value.ToInt64(), ward.Register.Find(someone.Id)!.IndividualNumber!.Value.ToInt64());
        Assert.Equal(someone.Address, ward.Register.Find(someone.Id)!.Address);

        var clerk = await ward.LoginAsync("jumin01", Register);
        Assert.Equal(HttpStatusCode.Created, (await ward.PostAsync(MunicipalityRoutes.NumberChanges, renumber, clerk)).Status);
        Assert.Equal(HttpStatusCode.Created, (await ward.PostAsync(MunicipalityRoutes.AddressChanges, change, clerk)).Status);
        var missing = await ward.PostAsync(MunicipalityRoutes.Deaths, new DeathRequest(Guid.NewGuid(), 999_999, new DateOnly(2024, 6, 1)), clerk);
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);

        var changes = ward.Entries().Where(e => e.Action == OperationAction.Change).TakeLast(6).ToList();
        Assert.Equal(
            [("jumin01", OperationResult.Refused), ("kansa01", OperationResult.Refused), ("tosho01", OperationResult.Refused),
             ("jumin01", OperationResult.Success), ("jumin01", OperationResult.Success), ("jumin01", OperationResult.Failed)],
            changes.Select(e => (e.StaffId, e.Result)));
        Assert.Contains($"number-change; resident-id={someone.Id}", changes[3].Detail);
        Assert.Contains("unknown-resident", changes[5].Detail);
        Assert.All(changes, e => Assert.Null(e.SubjectAddresseeNumber));
        AssertNoNumber([.. people, ward.Register.Find(someone.Id)!], ward.ExportedLog());
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Affair_choice_logout_and_sliding_expiry(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var token = await ward.LoginAsync("tosho01");

        var unassigned = await ward.PostAsync(MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest(Register), token);
        Assert.Equal((HttpStatusCode.Forbidden, StaffException.AffairNotAssigned), (unassigned.Status, unassigned.Code));
        var chosen = await ward.PostAsync(MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest("library"), token);
        Assert.Equal("library", chosen.Body<StaffSessionState>().ChosenAffair);
        Assert.Equal([(OperationAction.AffairChosen, OperationResult.Refused, Register), (OperationAction.AffairChosen, OperationResult.Success, "library")],
            ward.Entries().TakeLast(2).Select(e => (e.Action, e.Result, e.AffairCode)));

        // Expiry slides: used every 20 minutes the session lives on; 31 idle minutes end it.
        for (var i = 0; i < 3; i++)
        {
            ward.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, (await ward.SendAsync(HttpMethod.Get, MunicipalityRoutes.StaffSessionCurrent, null, token)).Status);
        }
        ward.Clock.Advance(TimeSpan.FromMinutes(31));
        var expired = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タ"), token);
        Assert.Equal((HttpStatusCode.Unauthorized, "session-expired"), (expired.Status, expired.Code));

        var clerk = await ward.LoginAsync("jumin01", Register);
        var logout = await ward.SendAsync(HttpMethod.Delete, MunicipalityRoutes.StaffSessionCurrent, null, clerk);
        var after = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タ"), clerk);
        Assert.Equal(HttpStatusCode.NoContent, logout.Status);
        Assert.Equal((HttpStatusCode.Unauthorized, "session-expired"), (after.Status, after.Code));
        Assert.Contains(ward.Entries(), e => e is { Action: OperationAction.Logout, StaffId: "jumin01", Result: OperationResult.Success });

        // A disabled account's live session ends at its next request.
        var other = await ward.LoginAsync("kaigo01", "nursing-care-insurance");
        ward.Staff.SetActive(StaffId.Parse("kaigo01"), false);
        var disabled = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タ"), other);
        Assert.Equal((HttpStatusCode.Unauthorized, "account-unavailable"), (disabled.Status, disabled.Code));
        AssertIntact(ward);
    }

    /// <summary>Issue 18: sessions live in the ward's database, so any instance behind a balancer serves any session.</summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_session_opened_at_one_instance_is_used_slid_and_closed_at_another(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        await using var second = await ward.StartAnotherInstanceAsync();
        using var other = new HttpClient { BaseAddress = second.BaseAddress };
        async Task<HttpStatusCode> AtSecondAsync(HttpMethod method, string route, string token, object? body = null)
        {
            using var request = new HttpRequestMessage(method, route);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: JsonDefaults.Options);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await other.SendAsync(request);
            return response.StatusCode;
        }

        var token = await ward.LoginAsync("jumin01", Register);
        Assert.Equal(HttpStatusCode.OK, await AtSecondAsync(HttpMethod.Post, MunicipalityRoutes.Search, token, new ResidentSearchRequest(Kana: "タ")));
        await using (var connection = await ward.Database.OpenAsync())
        {
            // The table holds the token's hash, never the token.
            Assert.Equal(1L, connection.Command("SELECT COUNT(*) FROM staff_api_sessions WHERE staff_id = 'jumin01'").ScalarInt64());
            Assert.Equal(0L, connection.Command("SELECT COUNT(*) FROM staff_api_sessions WHERE token_hash = @t").With("@t", token).ScalarInt64());
        }

        // Used every 20 minutes at the other instance, the session outlives its 30-minute idle time at the first.
        for (var i = 0; i < 3; i++)
        {
            ward.Clock.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, await AtSecondAsync(HttpMethod.Get, MunicipalityRoutes.StaffSessionCurrent, token));
        }
        Assert.Equal(HttpStatusCode.OK, (await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タ"), token)).Status);

        // Closed at the other instance: refused at the first.
        Assert.Equal(HttpStatusCode.NoContent, await AtSecondAsync(HttpMethod.Delete, MunicipalityRoutes.StaffSessionCurrent, token));
        var after = await ward.PostAsync(MunicipalityRoutes.Search, new ResidentSearchRequest(Kana: "タ"), token);
        Assert.Equal((HttpStatusCode.Unauthorized, "session-expired"), (after.Status, after.Code));
        AssertIntact(ward);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_temporary_password_opens_no_api_session_until_it_is_changed(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var account = ward.Account("kazei01");
        var temporary = ward.Staff.ResetPassword(StaffId.Parse("admin01"), account.Id, ward.Log, "test-terminal");
        Task<Answer> LoginAsync(string password)
        {
            ward.Clock.Advance(TimeSpan.FromSeconds(Totp.StepSeconds));
            return ward.PostAsync(MunicipalityRoutes.StaffSessions, new StaffLoginRequest("kazei01", password, account.CodeAt(ward.Clock.GetUtcNow())), token: null);
        }

        var refused = await LoginAsync(temporary.Value);

        Assert.Equal((HttpStatusCode.Forbidden, "password-change-required"), (refused.Status, refused.Code));
        Assert.DoesNotContain(temporary.Value, refused.ToString());
        Assert.Contains(ward.Entries(), e => e is { Action: OperationAction.LoginFailed, StaffId: "kazei01", Detail: "login: password-change-required" });
        ward.Staff.ChangeOwnPassword(account.Id, temporary.Value, "kazei01 chose this passphrase", ward.Log, "test-terminal");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync("kazei01 chose this passphrase")).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_open_api_session_ends_when_its_password_expires_or_is_reset(string provider)
    {
        await using var ward = await WardService.StartAsync(provider);
        var search = new ResidentSearchRequest(Kana: "タ");

        // An administrator's reset ends a clerk's open session at its next request.
        var other = await ward.LoginAsync("kaigo01", "nursing-care-insurance");
        Assert.Equal(HttpStatusCode.OK, (await ward.PostAsync(MunicipalityRoutes.Search, search, other)).Status);
        ward.Staff.ResetPassword(StaffId.Parse("admin01"), StaffId.Parse("kaigo01"), ward.Log, "test-terminal");
        Assert.Equal((HttpStatusCode.Forbidden, "password-change-required"), Summary(await ward.PostAsync(MunicipalityRoutes.Search, search, other)));

        // Ten minutes before jumin01's password (set when the account was made) reaches three months, a session opens …
        var expires = ward.Staff.PasswordOf(ward.Staff.Find(StaffId.Parse("jumin01"))!, ward.Clock.GetUtcNow()).ExpiresAt;
        ward.Clock.Advance(expires.AddMinutes(-10) - ward.Clock.GetUtcNow());
        var clerk = await ward.LoginAsync("jumin01", Register);
        Assert.Equal(HttpStatusCode.OK, (await ward.PostAsync(MunicipalityRoutes.Search, search, clerk)).Status);

        // … and ends when the password expires under it.
        ward.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal((HttpStatusCode.Forbidden, "password-change-required"), Summary(await ward.PostAsync(MunicipalityRoutes.Search, search, clerk)));
        Assert.Contains(ward.Entries(), e => e is { StaffId: "jumin01", Action: OperationAction.Search, Result: OperationResult.Refused }
            && e.Detail!.Contains("password-change-required", StringComparison.Ordinal));
        // The session is over: changing the password later does not bring it back.
        ward.Staff.ChangeOwnPassword(StaffId.Parse("jumin01"), ward.Account("jumin01").Password, "jumin01 picked a new phrase", ward.Log, "test-terminal");
        Assert.Equal((HttpStatusCode.Unauthorized, "session-expired"), Summary(await ward.PostAsync(MunicipalityRoutes.Search, search, clerk)));
    }

    private static (HttpStatusCode, string?) Summary(Answer answer) => (answer.Status, answer.Code);
}
