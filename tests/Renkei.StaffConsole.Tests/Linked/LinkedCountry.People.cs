using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Country;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;
using Renkei.Municipality.Contracts;
using Renkei.Holders.Contracts;

namespace Renkei.StaffConsole.Tests.Linked;

/// <summary>The linked country's people: registered, numbered, taxed and moved, with copies and tokens everywhere (<see cref="SeedAsync"/>).</summary>
public sealed partial class LinkedCountry
{
    private const string OtaAddress = "東京都大田区蒲田五丁目13番14号";
    private const string ShinagawaAddress = "東京都品川区広町二丁目1番36号";
    private const string OiAddress = "東京都品川区大井一丁目14番1号";

    private static RegisterImportRecord Person(string household, long code, string family, string given, string familyKana, string givenKana, DateOnly birth,
        Sex sex, Relationship relationship, string address) =>
        new(household, ResidentCode.FromBody(4_000_000_000L + code * 7_919L), family, given, familyKana, givenKana, birth, sex, relationship, address,
            new DateOnly(2010, 4, 1), false, null, null);

    private static IEnumerable<RegisterImportRecord> OtaPeople()
    {
        yield return Person("00000001", 1, "鈴木", "大輔", "スズキ", "ダイスケ", new DateOnly(1985, 5, 20), Sex.Male, Relationship.Head, OtaAddress);
        yield return Person("00000001", 2, "鈴木", "由紀", "スズキ", "ユキ", new DateOnly(1987, 9, 3), Sex.Female, Relationship.Wife, OtaAddress);
        yield return Person("00000001", 3, "鈴木", "陽太", "スズキ", "ヨウタ", new DateOnly(2016, 6, 12), Sex.Male, Relationship.Child, OtaAddress);
        yield return Person("00000001", 4, "鈴木", "さくら", "スズキ", "サクラ", new DateOnly(2020, 3, 28), Sex.Female, Relationship.Child, OtaAddress);
        yield return Person("00000002", 5, "高橋", "正雄", "タカハシ", "マサオ", new DateOnly(1958, 2, 11), Sex.Male, Relationship.Head, OtaAddress);
        yield return Person("00000003", 6, "伊藤", "美香", "イトウ", "ミカ", new DateOnly(1990, 1, 25), Sex.Female, Relationship.Head, OtaAddress);
        yield return Person("00000003", 7, "伊藤", "蓮", "イトウ", "レン", new DateOnly(2017, 10, 9), Sex.Male, Relationship.Child, OtaAddress);
        yield return Person("00000004", 8, "木村", "次郎", "キムラ", "ジロウ", new DateOnly(1972, 7, 7), Sex.Male, Relationship.Head, OtaAddress);
        yield return Person("00000005", 9, "中村", "恵", "ナカムラ", "メグミ", new DateOnly(1979, 8, 8), Sex.Female, Relationship.Head, OtaAddress);
    }

    /// <summary>Households of 大田区 that move to 品川区 on <see cref="ArrivalDate"/>, with their new addresses.</summary>
    private static readonly (string Household, string NewAddress)[] Moves =
    [
        ("00000001", "東京都品川区西五反田一丁目3番1号"), ("00000002", "東京都品川区北品川三丁目11番22号"),
        ("00000003", "東京都品川区戸越五丁目9番1号"), ("00000004", "東京都品川区南大井六丁目16番4号"),
    ];

    private static IEnumerable<RegisterImportRecord> ShinagawaPeople()
    {
        yield return Person("00000001", 11, "佐藤", "健", "サトウ", "ケン", new DateOnly(1964, 11, 3), Sex.Male, Relationship.Head, OiAddress);
        yield return Person("00000002", 12, "小林", "直美", "コバヤシ", "ナオミ", new DateOnly(1986, 12, 1), Sex.Female, Relationship.Head, ShinagawaAddress);
        yield return Person("00000002", 13, "小林", "翼", "コバヤシ", "ツバサ", new DateOnly(2014, 5, 5), Sex.Female, Relationship.Child, ShinagawaAddress);
    }

    /// <summary>The fiscal year of the residence tax assessed on last year's income (the year 1 January belongs to).</summary>
    public int TaxFiscalYear => CounterDay.Year;

    private async Task SeedAsync()
    {
        // Registers, numbered by J-LIS.
        foreach (var (ward, people) in new[] { (OtaWard, OtaPeople()), (ShinagawaWard, ShinagawaPeople()) })
        {
            Assert.Equal(0, new RegisterImporter(ward.Register).Import(people).Rejected);
            Assert.Equal(0, (await new NumberAssignmentJob(ward.Register, NumberingFor(ward.Code)).RunAsync()).UnassignedCount);
            ward.Addressees.SyncFromRegister();
        }

        // Residence tax on 1 January: the arrivals' at 大田区, the others' at 品川区.
        var january = new DateOnly(Today.Year, 1, 1);
        void Tax(LinkedWard ward, string family, string given, long income, int dependantsUnder16, int dependants = 0, bool spouse = false)
        {
            var resident = ward.Register.Search(new ResidentSearch(family + "　" + given, null, null, true, 5)).Single();
            var subject = ward.Addressees.ForResident(resident.ResidentId)!.Value;
            ward.Business.ResidenceTax.Record(subject, january,
                ResidenceTaxRules.Assess(TaxFiscalYear, new ResidenceTaxInput(income, income / 7, spouse, dependants, 0, dependantsUnder16)));
        }
        Tax(OtaWard, "鈴木", "大輔", 5_200_000, dependantsUnder16: 2, spouse: true);
        Tax(OtaWard, "鈴木", "由紀", 900_000, 0);
        Tax(OtaWard, "高橋", "正雄", 1_400_000, 0);
        Tax(OtaWard, "伊藤", "美香", 600_000, dependantsUnder16: 1, dependants: 1);
        Tax(OtaWard, "木村", "次郎", 0, 0);
        Tax(ShinagawaWard, "佐藤", "健", 4_100_000, 0);
        Tax(ShinagawaWard, "小林", "直美", 2_000_000, dependantsUnder16: 1, dependants: 1);

        // The families move: departure from 大田区, arrival in 品川区 (J-LIS checks the carried number).
        var otaEvents = new RegisterEvents(OtaWard.Register, NumberingFor(Ota));
        var shinagawaEvents = new RegisterEvents(ShinagawaWard.Register, NumberingFor(Shinagawa));
        foreach (var (household, newAddress) in Moves)
        {
            string? newHousehold = null;
            var members = OtaWard.Register.FindHousehold(household)!.Members.OrderBy(m => m.Relationship == Relationship.Head ? 0 : 1).ToList();
            foreach (var member in members)
            {
                var resident = OtaWard.Register.Find(member.Id)!;
                await otaEvents.DepartureAsync(new DepartureRequest(Guid.NewGuid(), resident.Id, ArrivalDate, newAddress));
                var arrived = await shinagawaEvents.ArrivalAsync(new ArrivalRequest(Guid.NewGuid(), resident.ResidentCode, resident.IndividualNumber!.Value,
                    new NewPerson(resident.Name.FamilyName, resident.Name.GivenName, resident.Name.FamilyNameKana, resident.Name.GivenNameKana,
                        resident.BirthDate, resident.Sex),
                    newAddress, newHousehold, resident.Relationship, ArrivalDate, Ota));
                newHousehold ??= arrived.HouseholdNumber;
            }
        }
        await LoadMovedOutRecordsAsync();
        foreach (var ward in new[] { OtaWard, ShinagawaWard })
        {
            ward.Addressees.SyncFromRegister();
            await new IntermediateFeeder(ward.Business, new IntermediateHttpFeed(ward.Intermediate, ward.Code.Digits, IntermediateHttpFeed.Job)).SendAllAsync(CounterDay);
            using var clients = new WardTokenClients(ward.Code, ward.TokenOptions);
            var tokens = await new TokenAcquisitionJob(ward.Addressees, clients.Acquirer).RunAsync();
            Assert.Equal(0, tokens.Refused);
        }

        // 日本年金機構: 伊藤 美香's survivor's basic pension. The insurer: 佐藤 健 insured since 1987, lost it on retiring.
        var mika = NumberOf("伊藤", "美香");
        Pension.Records.RecordPension(new PensionRecordRequest(Guid.NewGuid(), mika, "1234-567890", TaxFiscalYear,
            [new PensionBenefitItem(PensionType.Disability, PensionScheme.Employees, 3, 240_000, new DateOnly(2021, 8, 14), new DateOnly(2021, 9, 1), null, false, null)]));
        var jiro = NumberOf("木村", "次郎");
        Pension.Records.RecordPension(new PensionRecordRequest(Guid.NewGuid(), jiro, "2345-678901", TaxFiscalYear,
            [new PensionBenefitItem(PensionType.Disability, PensionScheme.Basic, 2, 816_000, new DateOnly(2019, 4, 2), new DateOnly(2019, 5, 1), null, false, null)]));
        var ken = NumberOf("佐藤", "健");
        Insurer.Records.RecordQualification(new QualificationRequest(Guid.NewGuid(), ken, HealthInsuranceMemberCategory.Insured, new DateOnly(1987, 4, 1)));
        Insurer.Records.RecordLoss(new QualificationLossRequest(Guid.NewGuid(), ken, Today.AddDays(-20), QualificationLossReason.Retirement));
        Insurer.Records.RecordQualification(new QualificationRequest(Guid.NewGuid(), jiro, HealthInsuranceMemberCategory.Insured, new DateOnly(1995, 4, 1)));
        Insurer.Records.RecordLoss(new QualificationLossRequest(Guid.NewGuid(), jiro, Today.AddDays(-200), QualificationLossReason.Retirement));
        foreach (var holder in new[] { Pension, Insurer })
        {
            await holder.FeedCopiesAsync();
            await holder.AcquireTokensAsync();
        }
    }

    /// <summary>
    /// 大田区's resident register as a provider of 住民票関係情報 for the people who moved out: the copy its intermediate
    /// server holds of each departed person (the ward's feed sends only the business systems' kinds, so the register's
    /// copies are loaded here as the register's own feed would).
    /// </summary>
    private async Task LoadMovedOutRecordsAsync()
    {
        OtaWard.Addressees.SyncFromRegister();
        var copies = new List<CopyUpdate>();
        foreach (var (household, _) in Moves)
        {
            var members = HouseholdMembers(OtaWard, household);
            foreach (var member in members)
            {
                var body = new ResidentRecordBody(household, (int)member.Relationship,
                    [.. members.Select(m => OtaWard.Addressees.ForResident(m.Id)!.Value.ToInt64())],
                    Renkei.Intermediate.Contracts.ResidentStatus.MovedOut, null, ArrivalDate);
                copies.Add(new CopyUpdate(OtaWard.Addressees.ForResident(member.Id)!.Value.ToInt64(), InformationKindCodes.ResidentRecord, ArrivalDate, 1,
                    CopyBodies.ToJson(body)));
            }
        }
        var loaded = await OtaWard.Intermediate.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Ota.Digits, copies, IntermediateHttpFeed.Job));
        Assert.Equal(copies.Count, loaded.Stored);
    }

    /// <summary>Everyone the register ever placed in the household (moved-out members too).</summary>
    private static List<Resident> HouseholdMembers(LinkedWard ward, string household)
    {
        using var connection = ward.Database.Open();
        using var command = connection.Command("SELECT id FROM residents WHERE household_number = @h ORDER BY id").With("@h", household);
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return [.. ids.Select(id => ward.Register.Find(id)!)];
    }

    private IndividualNumber NumberOf(string family, string given) => Resident(family, given).IndividualNumber!.Value;
}
