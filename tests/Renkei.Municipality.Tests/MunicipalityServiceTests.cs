using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Tests.Service;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests;

/// <summary>
/// The municipality and the real J-LIS, each its own service on loopback with its own database, driven by the demo
/// resident-register clerk (jumin01) logged in and acting in the resident-register affair. Access control and the
/// operation log are tested in <see cref="Service.StaffApiTests"/>.
/// </summary>
public sealed class MunicipalityServiceTests
{
    private sealed class Country : IAsyncDisposable
    {
        private Country(WardService ward, string token)
        {
            Ward = ward;
            Token = token;
        }

        public WardService Ward { get; }
        public string Token { get; }
        public HttpClient Http => Ward.Http;
        public JlisHttpClient JlisClient => Ward.JlisClient;
        public ResidentRegister Register => Ward.Register;

        public static async Task<Country> StartAsync(string provider)
        {
            var ward = await WardService.StartAsync(provider);
            return new Country(ward, await ward.LoginAsync("jumin01", "resident-register"));
        }

        public async Task<(HttpStatusCode Status, T? Body, string Text)> PostAsync<T>(string route, object body)
        {
            var answer = await Ward.PostAsync(route, body, Token);
            var parsed = answer.Response.IsSuccessStatusCode ? JsonSerializer.Deserialize<T>(answer.Text, JsonDefaults.Options) : default;
            return (answer.Status, parsed, answer.Text);
        }

        public ValueTask DisposeAsync() => Ward.DisposeAsync();
    }

    private static ArrivalFromAbroadRequest Newcomer(string? household = null, Relationship relationship = Relationship.Head) =>
        new(Guid.NewGuid(), new NewPerson("高橋", "誠", "タカハシ", "マコト", new DateOnly(1980, 3, 3), Sex.Male), "東京都品川区西五反田二丁目8番1号",
            household, relationship, new DateOnly(2024, 10, 1), "カナダ");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Events_over_http_get_codes_and_numbers_from_jlis_and_retries_do_not_duplicate(string provider)
    {
        await using var country = await Country.StartAsync(provider);
        Assert.Equal(HttpStatusCode.OK, (await country.Http.GetAsync(MunicipalityRoutes.Health)).StatusCode);

        var (status, head, _) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.ArrivalsFromAbroad, Newcomer());
        Assert.Equal(HttpStatusCode.Created, status);
        var birth = new BirthRequest(Guid.NewGuid(), new NewPerson("高橋", "陽菜", "タカハシ", "ヒナ", new DateOnly(2025, 2, 2), Sex.Female),
            head!.HouseholdNumber, Relationship.Child);
        var (created, child, _) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.Births, birth);
        var (replayed, childAgain, _) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.Births, birth);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (created, replayed));
        Assert.Equal(child!.ResidentId, childAgain!.ResidentId);
        Assert.True(childAgain.Replayed);
        var register = country.Register;
        Assert.Equal(2, register.Counts().Residents);
        var baby = register.Find(child.ResidentId)!;
        // J-LIS agrees that the recorded number is the code's current number.
        var verified = await country.JlisClient.VerifyNumberAsync(new VerifyNumberRequest(baby.ResidentCode, baby.IndividualNumber!.Value));
        Assert.Equal(NumberVerificationOutcome.Matches, verified.Outcome);

        // A number change through J-LIS keeps the history and J-LIS agrees with the new number.
        var (changed, _, _) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.NumberChanges,
            new NumberChangeRequest(Guid.NewGuid(), baby.Id, NumberChangeReason.HolderRequest, new DateOnly(2025, 3, 1)));
        Assert.Equal(HttpStatusCode.Created, changed);
        var renumbered = register.Find(baby.Id)!;
        Assert.NotEqual(baby.IndividualNumber!.Value.ToInt64(), renumbered.IndividualNumber!.Value.ToInt64());
        Assert.Equal(NumberVerificationOutcome.Superseded,
            (await country.JlisClient.VerifyNumberAsync(new VerifyNumberRequest(baby.ResidentCode, baby.IndividualNumber!.Value))).Outcome);
        Assert.Equal(2, register.NumberHistory(baby.Id).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Arrival_with_someone_elses_number_is_refused_without_echoing_digits(string provider)
    {
        await using var country = await Country.StartAsync(provider);
        // Two people numbered elsewhere (in Ota) by J-LIS.
        var ota = country.Ward.OtaJlisClient;
        var mine = (await ota.IssueResidentCodeAsync(new IssueResidentCodeRequest(Guid.NewGuid(), TestData.Ota, ResidentCodeIssueReason.Birth))).ResidentCode;
        var other = (await ota.IssueResidentCodeAsync(new IssueResidentCodeRequest(Guid.NewGuid(), TestData.Ota, ResidentCodeIssueReason.Birth))).ResidentCode;
        var myNumber = (await ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), TestData.Ota, mine))).IndividualNumber;
        var otherNumber = (await ota.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), TestData.Ota, other))).IndividualNumber;
        ArrivalRequest Arrival(IndividualNumber number) => new(Guid.NewGuid(), mine, number,
            new NewPerson("伊藤", "学", "イトウ", "マナブ", new DateOnly(1975, 5, 5), Sex.Male), "東京都品川区南品川五丁目1番1号",
            null, Relationship.Head, new DateOnly(2025, 4, 1), TestData.Ota);

        var (refused, _, text) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.Arrivals, Arrival(otherNumber));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused);
        Assert.Equal("number-mismatch", JsonSerializer.Deserialize<ProblemBody>(text, JsonDefaults.Options)!.Code);
        Assert.DoesNotContain(otherNumber.Digits, text);
        Assert.DoesNotContain(mine.Digits, text);
        Assert.Equal(0, country.Register.Counts().Residents);

        var (accepted, arrived, _) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.Arrivals, Arrival(myNumber));
        Assert.Equal(HttpStatusCode.Created, accepted);
        Assert.Equal(myNumber.ToInt64(), country.Register.Find(arrived!.ResidentId)!.IndividualNumber!.Value.ToInt64());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Certificates_and_search_over_http(string provider)
    {
        await using var country = await Country.StartAsync(provider);
        var (_, person, _) = await country.PostAsync<RegisterEventResult>(MunicipalityRoutes.ArrivalsFromAbroad, Newcomer());
        var number = country.Register.Find(person!.ResidentId)!.IndividualNumber!.Value;

        var (plainStatus, plain, plainText) = await country.PostAsync<ResidenceCertificate>(MunicipalityRoutes.ResidenceCertificate,
            new ResidenceCertificateRequest(person.ResidentId));
        var (numberStatus, withNumber, _) = await country.PostAsync<ResidenceCertificate>(MunicipalityRoutes.ResidenceCertificate,
            new ResidenceCertificateRequest(person.ResidentId, IncludeNumber: true, AffairCode: "resident-register"));
        var (refusedStatus, _, refusedText) = await country.PostAsync<ResidenceCertificate>(MunicipalityRoutes.ResidenceCertificate,
            new ResidenceCertificateRequest(person.ResidentId, IncludeNumber: true, AffairCode: "library"));
        var (searchStatus, found, searchText) = await country.PostAsync<List<ResidentSummary>>(MunicipalityRoutes.Search,
            new ResidentSearch(Kana: "タカハシ"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.OK), (plainStatus, numberStatus, refusedStatus, searchStatus));
        Assert.Null(Assert.Single(plain!.Entries).IndividualNumber);
        Assert.DoesNotContain(number.Digits, plainText);
        Assert.Equal(number.ToInt64(), Assert.Single(withNumber!.Entries).IndividualNumber!.Value.ToInt64());
        // The body's affair code grants nothing: it must be the affair the session acts in.
        Assert.Equal("affair-mismatch", JsonSerializer.Deserialize<ProblemBody>(refusedText, JsonDefaults.Options)!.Code);
        Assert.Equal(person.ResidentId, Assert.Single(found!).ResidentId);
        Assert.DoesNotContain(number.Digits, searchText);

        var (missing, _, _) = await country.PostAsync<ResidenceCertificate>(MunicipalityRoutes.ResidenceCertificate, new ResidenceCertificateRequest(999_999));
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Initial_assignment_against_real_jlis_resumes_after_a_crash_during_apply(string provider)
    {
        await using var country = await Country.StartAsync(provider);
        var register = country.Register;
        new RegisterImporter(register).Import(TestData.Records(180));
        var crashing = new NumberAssignmentJob(register, country.JlisClient, new NumberAssignmentOptions(BatchSize: 50));
        var applies = 0;
        crashing.BeforeApplyCommit = _ => { if (++applies == 2) throw new IOException("process killed"); };

        await Assert.ThrowsAsync<IOException>(() => crashing.RunAsync());
        Assert.Equal(130, register.Counts().ResidentsWithoutNumber);
        var report = await new NumberAssignmentJob(register, country.JlisClient, new NumberAssignmentOptions(BatchSize: 50)).RunAsync();

        Assert.Equal(1, report.ResentBatches);
        Assert.Equal(130, report.Assigned);
        Assert.Equal(0, report.UnassignedCount);
        var numbers = new HashSet<long>();
        foreach (var code in Enumerable.Range(0, 180).Select(i => TestData.Code(i)))
        {
            var resident = register.FindByCode(code)!;
            Assert.True(numbers.Add(resident.IndividualNumber!.Value.ToInt64()));
            Assert.Single(register.NumberHistory(resident.Id));
        }
        var sample = register.FindByCode(TestData.Code(77))!;
        Assert.Equal(NumberVerificationOutcome.Matches,
            (await country.JlisClient.VerifyNumberAsync(new VerifyNumberRequest(sample.ResidentCode, sample.IndividualNumber!.Value))).Outcome);
    }
}
