using System.Net.Http.Headers;
using System.Net.Http.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests.Tokens;

/// <summary>
/// The ward's token acquisition (符号取得, 符号一斉取得) through the real J-LIS, network and intermediate server on
/// loopback HTTP, on SQLite and PostgreSQL: tokens land at the right addressee, exactly once, also across crashes.
/// </summary>
public sealed class TokenAcquisitionTests
{
    private static readonly string Ward = TestData.Shinagawa.Digits;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bulk_acquisition_gives_everyone_the_token_of_their_own_addressee_in_chunks(string provider)
    {
        await using var country = await TokenCountry.StartAsync(provider, 25);
        var clients = country.WardClients();
        var progress = new List<TokenAcquisitionJobProgress>();
        var job = new TokenAcquisitionJob(country.Addressees, clients.Acquirer, new TokenAcquisitionOptions(ChunkSize: 10));

        var report = await job.RunAsync(new SyncProgress<TokenAcquisitionJobProgress>(progress.Add));

        Assert.Equal((3, 0, 25L, 0L, 0L), (report.Chunks, report.ResentChunks, report.Held, report.Refused, report.NotDelivered));
        Assert.Equal([0, 1, 2, 3], progress.Select(p => p.ChunksDone));
        Assert.Equal([0L, 10, 20, 25], progress.Select(p => p.Held));
        Assert.All(progress, p => Assert.Equal(25, p.Total));
        country.AssertEveryoneHoldsTheirOwnToken(25);
        Assert.Equal(new TokenHoldingCounts(25, 0), job.Holdings.Counts());
        country.AssertNetworkSawNoNumber();

        var again = await new TokenAcquisitionJob(country.Addressees, clients.Acquirer, new TokenAcquisitionOptions(10)).RunAsync();
        Assert.Equal((0, 0L), (again.Chunks, again.Held));
        Assert.Equal(3, country.RegisteredBatches().Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Runs_that_crash_after_delivery_or_while_recording_resume_with_the_same_chunk_and_leave_no_duplicate_or_gap(string provider)
    {
        await using var country = await TokenCountry.StartAsync(provider, 25);
        var clients = country.WardClients();
        var options = new TokenAcquisitionOptions(10);

        // Run 1 stops after the network delivered chunk 2 but before the ward recorded it.
        var crashingInbox = new CrashingInbox(new IntermediateTokenInbox(clients.Intermediate, Ward, IntermediateTokenInbox.Job), crashOnStatusCall: 2);
        var first = new TokenAcquisitionJob(country.Addressees, new TokenAcquirer(Ward, crashingInbox, clients.Jlis), options);
        await Assert.ThrowsAsync<IOException>(() => first.RunAsync());
        Assert.Equal(10, first.Holdings.Counts().Held);
        Assert.Equal(20, country.BoundTokens().Count);

        // Run 2 resends chunk 2, then stops inside the transaction that records chunk 3 (rolled back).
        var second = new TokenAcquisitionJob(country.Addressees, clients.Acquirer, options);
        var applies = 0;
        second.BeforeApplyCommit = _ => { if (++applies == 2) throw new IOException("stopped while recording (test)"); };
        await Assert.ThrowsAsync<IOException>(() => second.RunAsync());
        Assert.Equal(20, second.Holdings.Counts().Held);
        Assert.Equal(25, country.BoundTokens().Count);

        // Run 3 resends chunk 3 and finds nobody else.
        var third = await new TokenAcquisitionJob(country.Addressees, clients.Acquirer, options).RunAsync();
        Assert.Equal((1, 1, 5L), (third.Chunks, third.ResentChunks, third.Held));

        country.AssertEveryoneHoldsTheirOwnToken(25);
        Assert.Equal(new TokenHoldingCounts(25, 0), second.Holdings.Counts());
        Assert.Equal(3, country.RegisteredBatches().Count); // every resend reused its chunk's id
        using var connection = country.Register.Database.Open();
        Assert.Equal(0, connection.Command("SELECT COUNT(*) FROM token_chunks WHERE state = 0 OR payload IS NOT NULL").ScalarInt64());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_refused_person_is_recorded_by_addressee_without_the_number_and_asked_again_by_a_later_run(string provider)
    {
        await using var country = await TokenCountry.StartAsync(provider, 5);
        var clients = country.WardClients();
        var resident = country.Register.FindByCode(TestData.Code(2))!;
        var stale = resident.IndividualNumber!.Value;
        // J-LIS changes the number; the ward has not recorded the change yet.
        var changed = await country.Numbering.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), TestData.Shinagawa, resident.ResidentCode,
            NumberChangeReason.HolderRequest));

        var report = await new TokenAcquisitionJob(country.Addressees, clients.Acquirer).RunAsync();

        Assert.Equal((4L, 1L), (report.Held, report.Refused));
        var addressee = country.Addressees.ForResident(resident.Id)!.Value.ToInt64();
        var refusal = Assert.Single(report.Refusals);
        Assert.Equal((addressee, TokenRefusalCodes.NumberSuperseded), (refusal.AddresseeNumber, refusal.Code));
        Assert.Equal(refusal.AddresseeNumber, Assert.Single(new TokenHoldings(country.Register.Database).Refusals()).AddresseeNumber);
        Assert.DoesNotContain(stale.Digits, refusal.Reason);
        Assert.DoesNotContain(addressee, country.BoundTokens().Keys);

        country.Register.Database.InTransaction((c, t) =>
            RegisterEvents.SetNumber(c, t, resident.Id, changed.NewNumber, DateOnly.FromDateTime(DateTime.Today), NumberReasons.Changed));
        var rerun = await new TokenAcquisitionJob(country.Addressees, clients.Acquirer).RunAsync();

        Assert.Equal((1L, 0L), (rerun.Held, rerun.Refused));
        Assert.Equal(new TokenHoldingCounts(5, 0), new TokenHoldings(country.Register.Database).Counts());
        country.AssertEveryoneHoldsTheirOwnToken(5);
        country.AssertNetworkSawNoNumber();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_birth_and_arrivals_acquire_the_newcomers_tokens_once(string provider)
    {
        await using var country = await TokenCountry.StartAsync(provider, 2);
        var tokens = new NewResidentTokens(country.Register, country.Addressees, country.WardClients().Acquirer);
        var events = new RegisterEvents(country.Register, country.Numbering) { NumberRecorded = tokens.OnNumberRecordedAsync };
        var household = country.Register.FindByCode(TestData.Code(0))!.HouseholdNumber;
        var movingIn = TestData.Code(500);
        var carried = await country.OtaNumbering.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), TestData.Ota, movingIn));

        var birth = new BirthRequest(Guid.NewGuid(), new NewPerson("佐藤", "花", "サトウ", "ハナ", new DateOnly(2024, 5, 1), Sex.Female), household, Relationship.Child);
        var born = await events.BirthAsync(birth);
        var abroad = await events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("ミラー", "アナ", "ミラー", "アナ", new DateOnly(1990, 2, 2), Sex.Female), "東京都品川区大崎一丁目1番1号", null,
            Relationship.Head, new DateOnly(2024, 5, 2), "カナダ", ForeignResident: true, Nationality: "カナダ"));
        var arrived = await events.ArrivalAsync(new ArrivalRequest(Guid.NewGuid(), movingIn, carried.IndividualNumber,
            new NewPerson("鈴木", "一", "スズキ", "ハジメ", new DateOnly(1985, 3, 3), Sex.Male), "東京都品川区西五反田二丁目8番1号", null,
            Relationship.Head, new DateOnly(2024, 5, 3), TestData.Ota));

        var bound = country.BoundTokens();
        var codes = country.AddresseeCodes();
        Assert.Equal(3, bound.Count); // the newcomers only: the earlier residents wait for the bulk job
        foreach (var resident in new[] { born, abroad, arrived })
        {
            var addressee = country.Addressees.ForResident(resident.ResidentId)!.Value.ToInt64();
            Assert.True(tokens.Holdings.Holds(addressee));
            Assert.Equal(country.ExpectedToken(codes[addressee]), bound[addressee]);
        }

        var received = country.NetworkReceived.Count;
        Assert.True((await events.BirthAsync(birth)).Replayed);
        Assert.Equal(received, country.NetworkReceived.Count);
        country.AssertNetworkSawNoNumber();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_birth_succeeds_when_the_token_cannot_be_acquired_and_the_bulk_job_catches_up(string provider)
    {
        await using var country = await TokenCountry.StartAsync(provider, 2);
        var unreachable = country.WardClients(country.WardTokens with { IntermediateAddress = new Uri("http://127.0.0.1:1/") });
        var tokens = new NewResidentTokens(country.Register, country.Addressees, unreachable.Acquirer);
        var events = new RegisterEvents(country.Register, country.Numbering) { NumberRecorded = tokens.OnNumberRecordedAsync };
        var household = country.Register.FindByCode(TestData.Code(0))!.HouseholdNumber;

        var born = await events.BirthAsync(new BirthRequest(Guid.NewGuid(),
            new NewPerson("佐藤", "空", "サトウ", "ソラ", new DateOnly(2024, 6, 1), Sex.Male), household, Relationship.Child));

        Assert.NotNull(country.Register.Find(born.ResidentId)!.IndividualNumber);
        var addressee = country.Addressees.ForResident(born.ResidentId)!.Value.ToInt64();
        Assert.False(tokens.Holdings.Holds(addressee));
        Assert.Empty(country.BoundTokens());

        var report = await new TokenAcquisitionJob(country.Addressees, country.WardClients().Acquirer).RunAsync();
        Assert.Equal(3, report.Held);
        country.AssertEveryoneHoldsTheirOwnToken(3);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_ward_service_with_token_options_acquires_a_newborns_token_with_the_birth(string provider)
    {
        await using var country = await TokenCountry.StartAsync(provider, 2);
        using var keys = new TempDirectory();
        var staff = new StaffDirectory(country.Register.Database, AffairCatalogue.LoadDefault(), keys.File("totp.key"),
            new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000) });
        var clerk = DemoStaff.Seed(staff, TestData.Shinagawa).Single(a => a.Id.Value == "jumin01");
        await using var ward = await TestModules.StartWardAsync(country.Register.Database, staff, country.Log, new WardOptions
        {
            Code = TestData.Shinagawa.Digits, Name = "品川区", JlisAddress = country.Jlis.BaseAddress, KeyDirectory = country.WardKeyDirectory,
            Tokens = { IntermediateAddress = country.Intermediate.BaseAddress },
        });
        using var http = new HttpClient { BaseAddress = ward.BaseAddress };

        using var login = await http.PostAsJsonAsync(MunicipalityRoutes.StaffSessions,
            new StaffLoginRequest(clerk.Id.Value, clerk.Password, clerk.CodeAt(DateTimeOffset.UtcNow)), JsonDefaults.Options);
        login.EnsureSuccessStatusCode();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            (await login.Content.ReadFromJsonAsync<StaffLoginResponse>(JsonDefaults.Options))!.Token);
        (await http.PostAsJsonAsync(MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest("resident-register"), JsonDefaults.Options)).EnsureSuccessStatusCode();
        using var birth = await http.PostAsJsonAsync(MunicipalityRoutes.Births, new BirthRequest(Guid.NewGuid(),
            new NewPerson("佐藤", "凛", "サトウ", "リン", new DateOnly(2024, 6, 2), Sex.Female),
            country.Register.FindByCode(TestData.Code(0))!.HouseholdNumber, Relationship.Child), JsonDefaults.Options);
        birth.EnsureSuccessStatusCode();
        var born = (await birth.Content.ReadFromJsonAsync<RegisterEventResult>(JsonDefaults.Options))!;

        var addressee = country.Addressees.ForResident(born.ResidentId)!.Value.ToInt64();
        var bound = Assert.Single(country.BoundTokens());
        Assert.Equal(addressee, bound.Key);
        Assert.Equal(country.ExpectedToken(country.Register.Find(born.ResidentId)!.ResidentCode), bound.Value);
        Assert.True(new TokenHoldings(country.Register.Database).Holds(addressee));
        country.AssertNetworkSawNoNumber();
    }

    /// <summary>Passes everything on to the real intermediate server, and stops the process (throws) at the n-th status question.</summary>
    private sealed class CrashingInbox(ITokenInbox inner, int crashOnStatusCall) : ITokenInbox
    {
        private int _statusCalls;

        public Task<bool> RegisterPendingAsync(Guid requestId, long addresseeNumber, CancellationToken cancellationToken = default) =>
            inner.RegisterPendingAsync(requestId, addresseeNumber, cancellationToken);

        public Task RegisterPendingBatchAsync(Guid batchId, IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default) =>
            inner.RegisterPendingBatchAsync(batchId, addresseeNumbers, cancellationToken);

        public Task<IReadOnlyList<bool>> HasTokensAsync(IReadOnlyList<long> addresseeNumbers, CancellationToken cancellationToken = default) =>
            ++_statusCalls == crashOnStatusCall
                ? throw new IOException("stopped after delivery (test)")
                : inner.HasTokensAsync(addresseeNumbers, cancellationToken);
    }
}
