using System.Text;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Tests;

public class CertificateAndNotificationTests
{
    internal static async Task<(ResidentRegister Register, long Head, long Wife, long Child, long Lone)> PopulateAsync(TestDatabase db)
    {
        var register = new ResidentRegister(db.Database, TestData.Shinagawa);
        var events = new RegisterEvents(register, new FakeJlis());
        var head = await events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("山田", "太郎", "ヤマダ", "タロウ", new DateOnly(1985, 4, 1), Sex.Male), "東京都品川区広町二丁目1番36号",
            null, Relationship.Head, new DateOnly(2019, 5, 1), "ドイツ"));
        var wife = await events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("山田", "Anna", "ヤマダ", "アンナ", new DateOnly(1988, 2, 29), Sex.Female), "東京都品川区広町二丁目1番36号",
            head.HouseholdNumber, Relationship.Wife, new DateOnly(2019, 5, 1), "ドイツ", ForeignResident: true, Nationality: "ドイツ"));
        var child = await events.BirthAsync(new BirthRequest(Guid.NewGuid(),
            new NewPerson("山田", "一郎", "ヤマダ", "イチロウ", new DateOnly(2020, 7, 7), Sex.Male), head.HouseholdNumber, Relationship.Child));
        var lone = await events.ArrivalFromAbroadAsync(new ArrivalFromAbroadRequest(Guid.NewGuid(),
            new NewPerson("佐藤", "健", "サトウ", "ケン", new DateOnly(1960, 1, 1), Sex.Male), "東京都品川区大井一丁目14番1号",
            null, Relationship.Head, new DateOnly(2021, 1, 1), "タイ"));
        return (register, head.ResidentId, wife.ResidentId, child.ResidentId, lone.ResidentId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Certificate_shows_the_number_only_when_asked_for_an_affair_that_may_use_it(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, _, _) = await PopulateAsync(db);
        var certificates = new ResidenceCertificates(register, AffairCatalogue.LoadDefault());

        var plain = certificates.Build(new ResidenceCertificateRequest(wife));
        var withNumber = certificates.Build(new ResidenceCertificateRequest(wife, IncludeNumber: true, AffairCode: "child-allowance"));
        var library = Assert.Throws<AffairNumberUseRefusedException>(() =>
            certificates.Build(new ResidenceCertificateRequest(wife, IncludeNumber: true, AffairCode: "library")));
        var unknown = Assert.Throws<AffairNumberUseRefusedException>(() =>
            certificates.Build(new ResidenceCertificateRequest(wife, IncludeNumber: true, AffairCode: "fishing-licence")));
        var none = Assert.Throws<AffairNumberUseRefusedException>(() =>
            certificates.Build(new ResidenceCertificateRequest(wife, IncludeNumber: true)));

        var entry = Assert.Single(plain.Entries);
        Assert.Null(entry.IndividualNumber);
        Assert.False(plain.NumbersIncluded);
        Assert.Equal(register.Find(wife)!.IndividualNumber!.Value.ToInt64(), Assert.Single(withNumber.Entries).IndividualNumber!.Value.ToInt64());
        Assert.True(withNumber.NumbersIncluded);
        Assert.Equal(("affair-without-number-use", "unknown-affair", "affair-required"), (library.Code, unknown.Code, none.Code));
        Assert.Contains("図書館", library.Message);

        Assert.Equal("山田　Anna", entry.Name);
        Assert.Equal("ヤマダ　アンナ", entry.Kana);
        Assert.Equal(new DateOnly(1988, 2, 29), entry.BirthDate);
        Assert.Equal("昭和63年2月29日", entry.BirthDateJapanese);
        Assert.Equal("令和元年5月1日", entry.ResidentSinceJapanese);
        Assert.Equal("女", entry.Sex);
        Assert.Equal("妻", entry.Relationship);
        Assert.Equal("山田　太郎", entry.HouseholdHead);
        Assert.Equal("ドイツ", entry.ForeignResident!.Nationality);
        Assert.Equal("国外からの転入", Assert.Single(entry.History).Event);

        // Serialised, a certificate without numbers holds no number's digits; birth dates are ISO.
        var json = JsonSerializer.Serialize(plain, JsonDefaults.Options);
        Assert.DoesNotContain(register.Find(wife)!.IndividualNumber!.Value.Digits, json);
        Assert.Contains("\"birthDate\":\"1988-02-29\"", json);
        Assert.Contains("\"individualNumber\":null", json);
        _ = head;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Household_certificate_lists_every_member_head_first(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, child, _) = await PopulateAsync(db);

        var certificate = new ResidenceCertificates(register, AffairCatalogue.LoadDefault())
            .Build(new ResidenceCertificateRequest(child, WholeHousehold: true, IncludeNumber: true, AffairCode: "resident-register"));

        Assert.Equal(new[] { head, wife, child }, certificate.Entries.Select(e => e.ResidentId));
        Assert.Equal(new[] { "世帯主", "妻", "子" }, certificate.Entries.Select(e => e.Relationship));
        Assert.All(certificate.Entries, e => Assert.NotNull(e.IndividualNumber));
        Assert.Equal("山田　太郎", certificate.HouseholdHead);
        Assert.Null(certificate.Entries[0].ForeignResident);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Notification_list_has_one_entry_per_household_addressed_to_the_head(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, child, lone) = await PopulateAsync(db);
        // Someone without a number yet (imported before the initial assignment) is not on the list.
        new RegisterImporter(register).Import(TestData.Records(1, firstCode: 900));

        using var output = new MemoryStream();
        var summary = new NotificationListExporter(register).Export(output);

        Assert.Equal((2L, 4L, 1L), (summary.Households, summary.Members, summary.MembersWithoutNumber));
        var lines = Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", NotificationListExporter.Columns), lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(4, rows.Count);
        var yamada = register.Find(head)!;
        var family = rows.Where(r => r[0] == yamada.HouseholdNumber).ToList();
        Assert.Equal(3, family.Count);
        Assert.All(family, r => Assert.Equal("山田　太郎", r[1]));
        Assert.All(family, r => Assert.Equal("東京都品川区広町二丁目1番36号", r[2]));
        Assert.Equal(new[] { "1", "2", "3" }, family.Select(r => r[3]));
        Assert.Equal(new[] { "太郎", "Anna", "一郎" }, family.Select(r => r[5]));
        Assert.Equal(new[] { "タロウ", "アンナ", "イチロウ" }, family.Select(r => r[7]));
        Assert.Equal(new[] { "1985-04-01", "1988-02-29", "2020-07-07" }, family.Select(r => r[8]));
        Assert.Equal(new[] { head, wife, child }.Select(id => register.Find(id)!.IndividualNumber!.Value.ToInt64()),
            family.Select(r => long.Parse(r[10])));
        var sato = Assert.Single(rows, r => r[0] == register.Find(lone)!.HouseholdNumber);
        Assert.Equal("佐藤　健", sato[1]);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Notification_list_neutralises_text_a_spreadsheet_would_run_and_keeps_dates_and_numbers(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, _, _, _) = await PopulateAsync(db);
        // A record stored before imports refused such names (or by another system): the export must still be safe.
        using (var connection = db.Database.Open())
            connection.Command("UPDATE residents SET given_name = @name, address = @address WHERE id = @id")
                .With("@name", "=cmd|' /C calc'!A0").With("@address", "@SUM(1+1)*cmd|' /C calc'!A0").With("@id", head).ExecuteNonQuery();

        using var output = new MemoryStream();
        new NotificationListExporter(register).Export(output);

        var rows = Encoding.UTF8.GetString(output.ToArray()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
        var yamada = register.Find(head)!;
        var family = rows.Where(r => r[0] == yamada.HouseholdNumber).ToList();
        Assert.All(family, r => Assert.Equal("山田　=cmd|' /C calc'!A0", r[1])); // begins with the family name: harmless, unchanged
        Assert.All(family, r => Assert.Equal("'@SUM(1+1)*cmd|' /C calc'!A0", r[2]));
        Assert.Equal("'=cmd|' /C calc'!A0", family[0][5]);
        Assert.Equal("1985-04-01", family[0][8]);
        Assert.Equal(yamada.IndividualNumber!.Value.ToInt64(), long.Parse(family[0][10]));
        Assert.DoesNotContain(rows.SelectMany(r => r), cell => cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@');
    }
}
