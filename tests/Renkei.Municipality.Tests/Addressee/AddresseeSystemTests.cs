using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Addressee;

public class AddresseeSystemTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;
    private static readonly DateOnly Today = WardFixture.Today;

    private static NonResidentRegistration Stranger(Guid? requestId = null, IndividualNumber? number = null) => new(
        requestId ?? Guid.NewGuid(), number ?? IndividualNumber.FromBody(55_555_555_555),
        new PersonName("山本", "次郎", "ヤマモト", "ジロウ"), new DateOnly(1980, 2, 29), Sex.Male, "神奈川県川崎市中原区小杉町一丁目1番1号");

    private static void AssertNoDigitsOf(IndividualNumber number, IEnumerable<OperationLogRecord> entries)
    {
        foreach (var e in entries) Assert.DoesNotContain(number.Digits, e.Entry.Detail ?? "");
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Every_resident_gets_one_unique_addressee_number_that_survives_resyncs(string provider)
    {
        using var ward = new WardFixture(provider, residents: 60);
        var before = Enumerable.Range(0, 60).Select(ward.AddresseeOf).ToList();

        var again = ward.Addressee.SyncFromRegister();
        var after = Enumerable.Range(0, 60).Select(ward.AddresseeOf).ToList();

        Assert.Equal(60, before.Distinct().Count());
        Assert.Equal(before, after);
        Assert.Equal(0, again.Issued);
        Assert.Equal(60, again.AlreadyLinked);
        // Issued in resident-id order from serial 1.
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), before.Select(a => a.Serial).OrderBy(s => s));

        new RegisterImporter(ward.Register).Import(TestData.Records(3, firstCode: 1000));
        var third = ward.Addressee.SyncFromRegister();
        Assert.Equal(3, third.Issued);
        Assert.Equal(61, ward.Addressee.ForResident(ward.Register.FindByCode(TestData.Code(1000))!.Id)!.Value.Serial);
        Assert.Equal(before, Enumerable.Range(0, 60).Select(ward.AddresseeOf).ToList());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_person_not_on_the_register_is_registered_once_with_number_and_facts(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var clerk = ward.Clerk();
        var request = Stranger();

        var first = ward.Addressee.RegisterNonResident(clerk, request, Today);
        var retry = ward.Addressee.RegisterNonResident(clerk, request, Today);
        var sameNumberOtherRequest = ward.Addressee.RegisterNonResident(clerk, Stranger(), Today);

        Assert.True(first.Created);
        Assert.Equal(AddresseeOrigin.NonResident, first.Origin);
        Assert.Equal(first.AddresseeNumber, retry.AddresseeNumber);
        Assert.False(retry.Created);
        Assert.Equal(first.AddresseeNumber, sameNumberOtherRequest.AddresseeNumber);
        Assert.False(sameNumberOtherRequest.Created);
        Assert.Equal(9, first.AddresseeNumber.Serial);

        var person = ward.Addressee.Find(first.AddresseeNumber)!;
        Assert.Equal("山本　次郎", person.Name.Full);
        Assert.Null(person.ResidentId);
        Assert.Null(person.Status);
        Assert.Equal(first.AddresseeNumber, ward.Addressee.FindByNumber(clerk, request.Number, Today));
        Assert.Equal(request.Number, ward.Addressee.NumberOf(clerk, first.AddresseeNumber, Today));

        // Someone already on the register keeps their own addressee number.
        var resident = ward.Resident(2);
        var onRegister = ward.Addressee.RegisterNonResident(clerk, Stranger(number: resident.IndividualNumber), Today);
        Assert.Equal(ward.AddresseeOf(2), onRegister.AddresseeNumber);
        Assert.Equal(AddresseeOrigin.Register, onRegister.Origin);
        Assert.False(onRegister.Created);

        var changes = ward.Entries().Where(e => e.Entry.Action == OperationAction.Change).ToList();
        Assert.Equal(4, changes.Count);
        Assert.All(changes, e => Assert.Equal("kodomo01", e.Entry.StaffId));
        Assert.Equal(first.AddresseeNumber.ToInt64(), changes[0].Entry.SubjectAddresseeNumber);
        AssertNoDigitsOf(request.Number, ward.Entries());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Bad_registrations_say_what_was_wrong_and_store_nothing(string provider)
    {
        using var ward = new WardFixture(provider, residents: 4);
        var clerk = ward.Clerk();

        var kana = Assert.Throws<AddresseeException>(() => ward.Addressee.RegisterNonResident(clerk,
            Stranger() with { Name = new PersonName("山本", "次郎", "やまもと", "じろう") }, Today));
        var future = Assert.Throws<AddresseeException>(() => ward.Addressee.RegisterNonResident(clerk, Stranger() with { BirthDate = Today.AddDays(1) }, Today));
        var address = Assert.Throws<AddresseeException>(() => ward.Addressee.RegisterNonResident(clerk, Stranger() with { Address = " " }, Today));
        var request = Guid.NewGuid();
        ward.Addressee.RegisterNonResident(clerk, Stranger(request), Today);
        var reused = Assert.Throws<AddresseeException>(() =>
            ward.Addressee.RegisterNonResident(clerk, Stranger(request, IndividualNumber.FromBody(44_444_444_444)), Today));

        Assert.Equal(AddresseeException.InvalidInput, kana.Code);
        Assert.Contains("カタカナ", kana.Message);
        Assert.Contains("未来", future.Message);
        Assert.Contains("住所", address.Message);
        Assert.Equal(AddresseeException.RequestReused, reused.Code);
        Assert.Single(ward.Addressee.Search(clerk, new AddresseeSearch(Name: "山本")));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Number_lookups_are_refused_outside_a_number_using_affair_and_logged(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var resident = ward.Resident(1);
        var number = resident.IndividualNumber!.Value;
        var addressee = ward.AddresseeOf(1);

        var library = Assert.Throws<NumberAccessRefusedException>(() => ward.Addressee.FindByNumber(ward.Clerk("library"), number, Today));
        var noAffair = Assert.Throws<NumberAccessRefusedException>(() => ward.Addressee.NumberOf(ward.Clerk(null), addressee, Today));
        var auditor = Assert.Throws<NumberAccessRefusedException>(() => ward.Addressee.NumberOf(ward.Auditor(), addressee, Today));
        var registration = Assert.Throws<NumberAccessRefusedException>(() => ward.Addressee.RegisterNonResident(ward.Clerk("library"), Stranger(), Today));

        Assert.Equal("affair-without-number-use", library.Code);
        Assert.Contains("個人番号を利用できません", library.Message);
        Assert.Equal(NumberVisibilityDecision.NoAffairChosen, noAffair.Code);
        Assert.Equal(NumberVisibilityDecision.RoleWithoutNumbers, auditor.Code);
        Assert.Equal("affair-without-number-use", registration.Code);

        var refused = ward.Entries().Where(e => e.Entry.Result == OperationResult.Refused).ToList();
        Assert.Equal(4, refused.Count);
        Assert.Equal([OperationAction.Search, OperationAction.View, OperationAction.View, OperationAction.Change], refused.Select(e => e.Entry.Action));
        Assert.Equal("library", refused[0].Entry.AffairCode);
        Assert.Null(refused[0].Entry.SubjectAddresseeNumber);
        Assert.Equal(addressee.ToInt64(), refused[1].Entry.SubjectAddresseeNumber);
        Assert.Contains("affair-without-number-use", refused[0].Entry.Detail);
        Assert.Equal("TEST-01", refused[0].Entry.Terminal);
        // Refusals never leave a non-refused trace, and no search was answered.
        Assert.DoesNotContain(ward.Entries(), e => e.Entry.Result == OperationResult.Success);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Number_lookups_inside_a_number_using_affair_answer_and_are_logged(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var clerk = ward.Clerk("child-allowance");
        var resident = ward.Resident(5);
        var addressee = ward.AddresseeOf(5);

        var found = ward.Addressee.FindByNumber(clerk, resident.IndividualNumber!.Value, Today);
        var number = ward.Addressee.NumberOf(clerk, addressee, Today);
        var shown = ward.Addressee.View(clerk, addressee, Today);
        var masked = ward.Addressee.View(ward.Clerk("library"), addressee, Today);
        var unknown = Assert.Throws<AddresseeException>(() => ward.Addressee.FindByNumber(clerk, IndividualNumber.FromBody(12_345_678_901), Today));

        Assert.Equal(addressee, found);
        Assert.Equal(resident.IndividualNumber, number);
        Assert.True(shown.NumberVisible);
        Assert.Equal(resident.IndividualNumber!.Value.Digits, shown.NumberText);
        Assert.False(masked.NumberVisible);
        Assert.Equal(IndividualNumber.MaskedText, masked.NumberText);
        Assert.Equal(resident.Name, shown.Person.Name);
        Assert.Equal(AddresseeException.NotFound, unknown.Code);

        var entries = ward.Entries();
        Assert.Equal([OperationAction.Search, OperationAction.View, OperationAction.View, OperationAction.View, OperationAction.Search],
            entries.Select(e => e.Entry.Action));
        Assert.All(entries.Take(4), e => Assert.Equal(addressee.ToInt64(), e.Entry.SubjectAddresseeNumber));
        Assert.All(entries, e => Assert.Equal(OperationResult.Success, e.Entry.Result));
        Assert.Equal("child-allowance", entries[0].Entry.AffairCode);
        Assert.Contains("非表示", entries[3].Entry.Detail);
        AssertNoDigitsOf(resident.IndividualNumber!.Value, entries);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Search_finds_residents_and_non_residents_by_each_fact(string provider)
    {
        using var ward = new WardFixture(provider, residents: 16);
        var clerk = ward.Clerk();
        var stranger = ward.Addressee.RegisterNonResident(clerk, Stranger(), Today).AddresseeNumber;
        var target = ward.Resident(6);

        var byKana = ward.Addressee.Search(clerk, new AddresseeSearch(Kana: "ヤマモト ジロウ"));
        var byBirth = ward.Addressee.Search(clerk, new AddresseeSearch(BirthDate: target.BirthDate));
        var byName = ward.Addressee.Search(clerk, new AddresseeSearch(Name: target.Name.FamilyName + " " + target.Name.GivenName));
        var byAddress = ward.Addressee.Search(clerk, new AddresseeSearch(Address: "川崎市"));
        var none = ward.Addressee.Search(clerk, new AddresseeSearch(Name: "存在しない"));

        Assert.Equal([stranger], byKana.Select(s => s.AddresseeNumber));
        Assert.Contains(byBirth, s => s.AddresseeNumber == ward.AddresseeOf(6));
        Assert.All(byBirth, s => Assert.Equal(target.BirthDate, s.BirthDate));
        Assert.Contains(byName, s => s.AddresseeNumber == ward.AddresseeOf(6));
        Assert.All(byName, s => Assert.Equal(target.Name.Full, s.Name));
        Assert.Equal([stranger], byAddress.Select(s => s.AddresseeNumber));
        Assert.Equal(AddresseeOrigin.NonResident, byAddress[0].Origin);
        Assert.Empty(none);
        Assert.Throws<AddresseeException>(() => ward.Addressee.Search(clerk, new AddresseeSearch()));

        var searches = ward.Entries().Where(e => e.Entry.Action == OperationAction.Search).ToList();
        Assert.Equal(5, searches.Count);
        Assert.Contains("カナ", searches[0].Entry.Detail);
        Assert.Equal(stranger.ToInt64(), searches[0].Entry.SubjectAddresseeNumber);
        Assert.DoesNotContain("ヤマモト", searches[0].Entry.Detail);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_non_resident_who_moves_in_keeps_their_addressee_number(string provider)
    {
        using var ward = new WardFixture(provider, residents: 4);
        var clerk = ward.Clerk();
        var newcomer = TestData.Records(1, firstCode: 500).Single();
        var number = FakeJlis.NumberFor(newcomer.ResidentCode);
        var before = ward.Addressee.RegisterNonResident(clerk, Stranger(number: number), Today).AddresseeNumber;

        new RegisterImporter(ward.Register).Import([newcomer with { IndividualNumber = number }]);
        var sync = ward.Addressee.SyncFromRegister();

        var resident = ward.Register.FindByCode(newcomer.ResidentCode)!;
        Assert.Equal(1, sync.NonResidentsLinked);
        Assert.Equal(0, sync.Issued);
        Assert.Equal(before, ward.Addressee.ForResident(resident.Id));
        Assert.Equal(resident.Name, ward.Addressee.Find(before)!.Name);
        Assert.Equal(before, ward.Addressee.FindByNumber(clerk, number, Today));
    }
}
