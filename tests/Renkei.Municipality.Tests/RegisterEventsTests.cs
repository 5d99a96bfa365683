using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests;

public class RegisterEventsTests
{
    private sealed class Fixture : IDisposable
    {
        public Fixture(string provider)
        {
            Db = TestDatabase.Create(provider);
            Register = new ResidentRegister(Db.Database, TestData.Shinagawa);
            Events = new RegisterEvents(Register, Jlis, Clock);
        }

        /// <summary>Far enough ahead that the household story of <see cref="Household_changes_move_people_and_change_the_head"/> (2045) is not in the future.</summary>
        public ManualClock Clock { get; } = new(new DateTimeOffset(2046, 1, 1, 9, 0, 0, TimeSpan.FromHours(9)));

        public TestDatabase Db { get; }
        public ResidentRegister Register { get; }
        public FakeJlis Jlis { get; } = new();
        public RegisterEvents Events { get; }

        /// <summary>A family that arrived from abroad: a head and a wife.</summary>
        public async Task<(Resident Head, Resident Wife)> FamilyAsync()
        {
            var head = await Events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
                new NewPerson("山田", "太郎", "ヤマダ", "タロウ", new DateOnly(1985, 4, 1), Sex.Male), "東京都品川区広町二丁目1番36号",
                null, Relationship.Head, new DateOnly(2024, 4, 1), "アメリカ合衆国"));
            var wife = await Events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
                new NewPerson("山田", "花子", "ヤマダ", "ハナコ", new DateOnly(1987, 8, 15), Sex.Female), "東京都品川区広町二丁目1番36号",
                head.HouseholdNumber, Relationship.Wife, new DateOnly(2024, 4, 1), "アメリカ合衆国"));
            return (Register.Find(head.ResidentId)!, Register.Find(wife.ResidentId)!);
        }

        public void Dispose() => Db.Dispose();
    }

    private static NewPerson Baby => new("山田", "一郎", "ヤマダ", "イチロウ", new DateOnly(2025, 1, 10), Sex.Male);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Birth_gets_a_code_and_number_from_jlis_and_joins_the_household(string provider)
    {
        using var f = new Fixture(provider);
        var (head, _) = await f.FamilyAsync();

        var result = await f.Events.BirthAsync(new BirthRequest(Guid.NewGuid(), Baby, head.HouseholdNumber, Relationship.Child));

        var baby = f.Register.Find(result.ResidentId)!;
        Assert.False(result.Replayed);
        Assert.Equal(head.Address, baby.Address);
        Assert.Equal(head.HouseholdNumber, baby.HouseholdNumber);
        Assert.Equal(Relationship.Child, baby.Relationship);
        Assert.Equal(new DateOnly(2025, 1, 10), baby.ResidentSince);
        Assert.Equal(FakeJlis.NumberFor(baby.ResidentCode).ToInt64(), baby.IndividualNumber!.Value.ToInt64());
        var history = Assert.Single(f.Register.NumberHistory(baby.Id));
        Assert.Equal(NumberReasons.Birth, history.Reason);
        Assert.Null(history.ValidTo);
        var logged = Assert.Single(f.Register.Events(baby.Id));
        Assert.Equal(RegisterEventType.Birth, logged.Type);
        Assert.DoesNotContain(baby.ResidentCode.Digits, logged.After);
        Assert.DoesNotContain(baby.IndividualNumber!.Value.Digits, logged.After);
        Assert.Equal(3, f.Register.FindHousehold(head.HouseholdNumber)!.Members.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_retried_event_creates_nothing_twice(string provider)
    {
        using var f = new Fixture(provider);
        var (head, _) = await f.FamilyAsync();
        var request = new BirthRequest(Guid.NewGuid(), Baby, head.HouseholdNumber, Relationship.Child);

        var first = await f.Events.BirthAsync(request);
        var again = await f.Events.BirthAsync(request);
        var move = new AddressChangeRequest(Guid.NewGuid(), head.Id, "東京都品川区大井一丁目14番1号", new DateOnly(2025, 2, 1));
        await f.Events.AddressChangeAsync(move);
        var moveAgain = await f.Events.AddressChangeAsync(move);

        Assert.True(again.Replayed);
        Assert.Equal(first.ResidentId, again.ResidentId);
        Assert.Equal(first.EventId, again.EventId);
        Assert.True(moveAgain.Replayed);
        Assert.Equal(3, f.Register.Counts().Residents);
        Assert.Single(f.Register.Events(head.Id), e => e.Type == RegisterEventType.AddressChange);
        // The same id for a different event is refused.
        var misuse = await Assert.ThrowsAsync<RegisterException>(() =>
            f.Events.DeathAsync(new DeathRequest(request.RequestId, head.Id, new DateOnly(2025, 3, 1))));
        Assert.Equal("request-id-reused", misuse.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Arrival_carries_code_and_number_over_after_jlis_verifies_them(string provider)
    {
        using var f = new Fixture(provider);
        var code = TestData.Code(42);
        var number = (await f.Jlis.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), TestData.Ota, code))).IndividualNumber;

        var result = await f.Events.ArrivalAsync(new ArrivalRequest(Guid.NewGuid(), code, number,
            new NewPerson("Smith", "John", "スミス", "ジョン", new DateOnly(1990, 6, 1), Sex.Male), "東京都品川区北品川三丁目5番1号",
            null, Relationship.Head, new DateOnly(2025, 4, 1), TestData.Ota, ForeignResident: true, Nationality: "英国"));

        var arrived = f.Register.Find(result.ResidentId)!;
        Assert.Equal(code, arrived.ResidentCode);
        Assert.Equal(number.ToInt64(), arrived.IndividualNumber!.Value.ToInt64());
        Assert.True(arrived.ForeignResident);
        Assert.Equal("英国", arrived.Nationality);
        Assert.Equal(NumberReasons.CarriedOver, Assert.Single(f.Register.NumberHistory(arrived.Id)).Reason);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Arrival_with_a_number_that_does_not_match_or_is_superseded_is_refused(string provider)
    {
        using var f = new Fixture(provider);
        var code = TestData.Code(43);
        var old = (await f.Jlis.DeriveNumberAsync(new DeriveNumberRequest(Guid.NewGuid(), TestData.Ota, code))).IndividualNumber;
        await f.Jlis.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), TestData.Ota, code, NumberChangeReason.HolderRequest));
        var someoneElses = FakeJlis.NumberFor(TestData.Code(44));
        ArrivalRequest Arrival(IndividualNumber n) => new(Guid.NewGuid(), code, n,
            new NewPerson("佐藤", "健", "サトウ", "ケン", new DateOnly(1970, 1, 1), Sex.Male), "東京都品川区東品川一丁目1番1号",
            null, Relationship.Head, new DateOnly(2025, 4, 1), TestData.Ota);

        var superseded = await Assert.ThrowsAsync<RegisterException>(() => f.Events.ArrivalAsync(Arrival(old)));
        var mismatch = await Assert.ThrowsAsync<RegisterException>(() => f.Events.ArrivalAsync(Arrival(someoneElses)));

        Assert.Equal("number-superseded", superseded.Code);
        Assert.Equal("number-mismatch", mismatch.Code);
        Assert.DoesNotContain(old.Digits, superseded.Message);
        Assert.DoesNotContain(code.Digits, mismatch.Message);
        Assert.Equal(0, f.Register.Counts().Residents);
        Assert.Null(f.Register.FindByCode(code));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Departure_death_address_and_name_changes_are_logged(string provider)
    {
        using var f = new Fixture(provider);
        var (head, wife) = await f.FamilyAsync();

        await f.Events.AddressChangeAsync(new AddressChangeRequest(Guid.NewGuid(), head.Id, "東京都品川区大井一丁目14番1号", new DateOnly(2025, 2, 1), WholeHousehold: true));
        await f.Events.NameChangeAsync(new NameChangeRequest(Guid.NewGuid(), wife.Id, "鈴木", "花子", "スズキ", "ハナコ", new DateOnly(2025, 3, 1), "離婚"));
        await f.Events.DepartureAsync(new DepartureRequest(Guid.NewGuid(), wife.Id, new DateOnly(2025, 3, 15), "神奈川県横浜市中区"));
        await f.Events.DeathAsync(new DeathRequest(Guid.NewGuid(), head.Id, new DateOnly(2025, 5, 1)));

        var movedWife = f.Register.Find(wife.Id)!;
        Assert.Equal("東京都品川区大井一丁目14番1号", movedWife.Address);
        Assert.Equal("鈴木", movedWife.Name.FamilyName);
        Assert.Equal(RegisterStatus.MovedOut, movedWife.Status);
        Assert.Equal("神奈川県横浜市中区", movedWife.MovedOutTo);
        Assert.Equal(new DateOnly(2025, 3, 15), movedWife.StatusDate);
        Assert.NotNull(movedWife.IndividualNumber); // a number stays with its holder
        var deceased = f.Register.Find(head.Id)!;
        Assert.Equal(RegisterStatus.Deceased, deceased.Status);
        Assert.Equal(new[] { RegisterEventType.ArrivalFromAbroad, RegisterEventType.AddressChange, RegisterEventType.NameChange, RegisterEventType.Departure },
            f.Register.Events(wife.Id).Select(e => e.Type));
        Assert.Equal("氏名 山田　花子（ヤマダ　ハナコ）", f.Register.Events(wife.Id)[2].Before);
        Assert.Equal(new[] { RegisterEventType.ArrivalFromAbroad, RegisterEventType.AddressChange, RegisterEventType.Death },
            f.Register.Events(head.Id).Select(e => e.Type));
        var counts = f.Register.Counts();
        Assert.Equal((0L, 1L, 1L), (counts.Residents, counts.MovedOut, counts.Deceased));
        // Nothing more can happen to someone who left.
        var refused = await Assert.ThrowsAsync<RegisterException>(() =>
            f.Events.AddressChangeAsync(new AddressChangeRequest(Guid.NewGuid(), wife.Id, "東京都品川区", new DateOnly(2025, 6, 1))));
        Assert.Equal("not-resident", refused.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Someone_who_returns_from_abroad_keeps_the_same_number_after_jlis_checks_it(string provider)
    {
        using var f = new Fixture(provider);
        var (head, wife) = await f.FamilyAsync();
        await f.Events.DepartureAsync(new DepartureRequest(Guid.NewGuid(), wife.Id, new DateOnly(2025, 3, 15), "ドイツ連邦共和国"));
        var returning = new NewPerson("山田", "花子", "ヤマダ", "ハナコ", new DateOnly(1987, 8, 15), Sex.Female);

        // Only one of the two: refused before J-LIS is asked.
        var half = await Assert.ThrowsAsync<RegisterException>(() => f.Events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(), returning,
            "東京都品川区広町二丁目1番36号", head.HouseholdNumber, Relationship.Wife, new DateOnly(2027, 4, 1), "ドイツ連邦共和国", FormerNumber: wife.IndividualNumber)));
        Assert.Equal("former-number-incomplete", half.Code);
        // Someone else's number with her code: J-LIS says they do not belong together.
        var mismatch = await Assert.ThrowsAsync<RegisterException>(() => f.Events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(), returning,
            "東京都品川区広町二丁目1番36号", head.HouseholdNumber, Relationship.Wife, new DateOnly(2027, 4, 1), "ドイツ連邦共和国",
            FormerResidentCode: wife.ResidentCode, FormerNumber: head.IndividualNumber)));
        Assert.Equal("number-mismatch", mismatch.Code);

        var back = await f.Events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(), returning,
            "東京都品川区広町二丁目1番36号", head.HouseholdNumber, Relationship.Wife, new DateOnly(2027, 4, 1), "ドイツ連邦共和国",
            FormerResidentCode: wife.ResidentCode, FormerNumber: wife.IndividualNumber));

        // The same record, code and number; the stay abroad stays in the history.
        Assert.Equal(wife.Id, back.ResidentId);
        var reinstated = f.Register.Find(wife.Id)!;
        Assert.Equal((RegisterStatus.Resident, wife.ResidentCode, wife.IndividualNumber), (reinstated.Status, reinstated.ResidentCode, reinstated.IndividualNumber));
        Assert.Null(reinstated.MovedOutTo);
        Assert.Single(f.Register.NumberHistory(wife.Id));
        Assert.Equal([RegisterEventType.ArrivalFromAbroad, RegisterEventType.Departure, RegisterEventType.ArrivalFromAbroad],
            f.Register.Events(wife.Id).Select(e => e.Type));
        Assert.Contains("再入国", f.Register.Events(wife.Id)[^1].Reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Household_changes_move_people_and_change_the_head(string provider)
    {
        using var f = new Fixture(provider);
        var (head, wife) = await f.FamilyAsync();
        var child = f.Register.Find((await f.Events.BirthAsync(new BirthRequest(Guid.NewGuid(), Baby, head.HouseholdNumber, Relationship.Child))).ResidentId)!;

        // The grown child starts a household of their own, then the wife joins it.
        var own = await f.Events.HouseholdChangeAsync(new HouseholdChangeRequest(Guid.NewGuid(), child.Id, null, Relationship.Head, new DateOnly(2045, 1, 1)));
        Assert.NotEqual(head.HouseholdNumber, own.HouseholdNumber);
        Assert.Equal(child.Id, f.Register.FindHousehold(own.HouseholdNumber)!.Head!.Id);
        await f.Events.HouseholdChangeAsync(new HouseholdChangeRequest(Guid.NewGuid(), wife.Id, own.HouseholdNumber, Relationship.Mother, new DateOnly(2045, 2, 1)));
        var newHousehold = f.Register.FindHousehold(own.HouseholdNumber)!;
        Assert.Equal(new[] { child.Id, wife.Id }, newHousehold.Members.Select(m => m.Id));
        Assert.Single(f.Register.FindHousehold(head.HouseholdNumber)!.Members);

        // Only the 続柄 changes; a second head is refused; then a change of head.
        await f.Events.HouseholdChangeAsync(new HouseholdChangeRequest(Guid.NewGuid(), wife.Id, own.HouseholdNumber, Relationship.Relative, new DateOnly(2045, 3, 1)));
        Assert.Equal(Relationship.Relative, f.Register.Find(wife.Id)!.Relationship);
        var second = await Assert.ThrowsAsync<RegisterException>(() =>
            f.Events.HouseholdChangeAsync(new HouseholdChangeRequest(Guid.NewGuid(), wife.Id, own.HouseholdNumber, Relationship.Head, new DateOnly(2045, 3, 2))));
        Assert.Equal("head-exists", second.Code);
        await f.Events.HeadChangeAsync(new HeadChangeRequest(Guid.NewGuid(), wife.Id, Relationship.Child, new DateOnly(2045, 4, 1)));
        var changed = f.Register.FindHousehold(own.HouseholdNumber)!;
        Assert.Equal(wife.Id, changed.Head!.Id);
        Assert.Equal(Relationship.Child, f.Register.Find(child.Id)!.Relationship);
        Assert.Contains(f.Register.Events(child.Id), e => e.Type == RegisterEventType.HeadChange);

        var unknown = await Assert.ThrowsAsync<RegisterException>(() =>
            f.Events.HouseholdChangeAsync(new HouseholdChangeRequest(Guid.NewGuid(), wife.Id, "99999999", Relationship.Child, new DateOnly(2045, 5, 1))));
        Assert.Equal("unknown-household", unknown.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_leaked_number_is_changed_and_the_old_one_kept_in_the_history(string provider)
    {
        using var f = new Fixture(provider);
        var (head, _) = await f.FamilyAsync();
        var old = head.IndividualNumber!.Value;
        var request = new NumberChangeRequest(Guid.NewGuid(), head.Id, NumberChangeReason.HolderRequest, new DateOnly(2025, 6, 1));

        await f.Events.ChangeNumberAsync(request);
        var retried = await f.Events.ChangeNumberAsync(request);

        Assert.True(retried.Replayed);
        var current = f.Register.Find(head.Id)!.IndividualNumber!.Value;
        Assert.NotEqual(old.ToInt64(), current.ToInt64());
        Assert.Equal(f.Jlis.CurrentNumber(head.ResidentCode)!.Value.ToInt64(), current.ToInt64());
        var history = f.Register.NumberHistory(head.Id);
        Assert.Equal(2, history.Count);
        Assert.Equal(old.ToInt64(), history[0].Number.ToInt64());
        Assert.Equal(new DateOnly(2025, 6, 1), history[0].ValidTo);
        Assert.Null(history[1].ValidTo);
        Assert.StartsWith(NumberReasons.Changed, history[1].Reason);
        Assert.Equal(head.Id, f.Register.FindByNumber(current)!.Id);
        Assert.Null(f.Register.FindByNumber(old));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_requests_are_refused_before_jlis_is_asked(string provider)
    {
        using var f = new Fixture(provider);
        var badKana = await Assert.ThrowsAsync<RegisterException>(() => f.Events.BirthAsync(new BirthRequest(Guid.NewGuid(),
            Baby with { GivenNameKana = "いちろう" }, null, Relationship.Head, "東京都品川区")));
        var noHousehold = await Assert.ThrowsAsync<RegisterException>(() => f.Events.BirthAsync(new BirthRequest(Guid.NewGuid(),
            Baby, "12345678", Relationship.Child)));
        var notHead = await Assert.ThrowsAsync<RegisterException>(() => f.Events.BirthAsync(new BirthRequest(Guid.NewGuid(),
            Baby, null, Relationship.Child, "東京都品川区")));
        var noRequestId = await Assert.ThrowsAsync<RegisterException>(() => f.Events.BirthAsync(new BirthRequest(Guid.Empty,
            Baby, null, Relationship.Head, "東京都品川区")));

        Assert.Equal(("bad-kana", "unknown-household", "head-required", "missing-request-id"), (badKana.Code, noHousehold.Code, notHead.Code, noRequestId.Code));
        Assert.Equal(0, f.Register.Counts().Residents);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Search_finds_people_by_name_kana_and_birth_date_without_numbers(string provider)
    {
        using var f = new Fixture(provider);
        var (head, wife) = await f.FamilyAsync();

        Assert.Equal(new[] { head.Id, wife.Id }, f.Register.Search(new ResidentSearch(Name: "山田")).Select(s => s.ResidentId).Order());
        Assert.Equal(wife.Id, Assert.Single(f.Register.Search(new ResidentSearch(Kana: "ヤマダ ハナコ"))).ResidentId);
        Assert.Equal(head.Id, Assert.Single(f.Register.Search(new ResidentSearch(Name: "山田", BirthDate: new DateOnly(1985, 4, 1)))).ResidentId);
        Assert.Empty(f.Register.Search(new ResidentSearch(Name: "佐藤")));
        Assert.Equal("empty-search", Assert.Throws<RegisterException>(() => f.Register.Search(new ResidentSearch())).Code);
    }
}
