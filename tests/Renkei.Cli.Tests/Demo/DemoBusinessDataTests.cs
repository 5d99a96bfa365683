using System.Data.Common;
using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Demo;

public sealed class DemoBusinessDataTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;
    private static readonly DateOnly Today = DemoCountryGenerator.DefaultReferenceDate;

    private sealed class SeededWard : IDisposable
    {
        private readonly TempDirectory _keys = new();

        public SeededWard(string provider, int seed)
        {
            Db = TestDatabase.Create(provider);
            var register = new ResidentRegister(Db.Database, DemoWard.Shinagawa.Code);
            // Numbers straight from the codes (unique, valid): this test is about the business data, not numbering.
            var records = new DemoCountryGenerator(5, 8_000).Residents(DemoWard.Shinagawa)
                .Select(r => r with { IndividualNumber = IndividualNumber.FromBody(r.ResidentCode.ToInt64()) });
            new RegisterImporter(register).Import(records);
            Log = OperationLog.Open(Db.Database, DemoWard.Shinagawa.Code, _keys.File("audit.key"));
            Addressee = new AddresseeSystem(register, Log);
            Systems = new MunicipalBusinessSystems(Addressee);
            Report = DemoBusinessData.Seed(Addressee, Systems, seed, Today);
        }

        public TestDatabase Db { get; }
        public OperationLog Log { get; }
        public AddresseeSystem Addressee { get; }
        public MunicipalBusinessSystems Systems { get; }
        public DemoBusinessReport Report { get; }

        public List<string> Rows(string sql)
        {
            using var connection = Db.Database.Open();
            using var command = connection.Command(sql);
            using var reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
            return rows;
        }

        public long Scalar(string sql)
        {
            using var connection = Db.Database.Open();
            return connection.Command(sql).ScalarInt64();
        }

        public void Dispose()
        {
            Log.Dispose();
            Db.Dispose();
            _keys.Dispose();
        }
    }

    private static readonly string[] Dumps =
    [
        "SELECT p.addressee_number, a.fiscal_year, a.total_income, a.taxable_income, a.income_levy, a.per_capita_levy, a.status FROM tax_assessments a JOIN tax_persons p ON p.person_id = a.person_id ORDER BY 1, 2",
        "SELECT p.addressee_number, c.child_addressee_number, c.child_order, c.monthly_amount FROM ca_children c JOIN ca_persons p ON p.person_id = c.recipient_person_id ORDER BY 1, 2",
        "SELECT p.addressee_number, i.category, i.care_level, i.premium_stage, i.annual_premium FROM ltc_insured i JOIN ltc_persons p ON p.person_id = i.person_id ORDER BY 1",
        "SELECT p.addressee_number, m.annual_premium FROM nhi_members m JOIN nhi_persons p ON p.person_id = m.person_id ORDER BY 1",
        "SELECT household_number, aid_types, monthly_amount FROM pa_cases ORDER BY 1",
        "SELECT p.addressee_number, t.fiscal_year, t.installment, t.paid_on, t.amount FROM tax_payments t JOIN tax_persons p ON p.person_id = t.person_id ORDER BY 1, 2, 3",
    ];

    [Fact]
    public void Same_register_and_seed_give_the_same_data_and_another_seed_differs()
    {
        using var a = new SeededWard("sqlite", 11);
        using var b = new SeededWard("sqlite", 11);
        using var c = new SeededWard("sqlite", 12);

        foreach (var dump in Dumps) Assert.Equal(a.Rows(dump), b.Rows(dump));
        Assert.Equal(a.Report with { Elapsed = default }, b.Report with { Elapsed = default });
        Assert.NotEqual(a.Rows(Dumps[0]), c.Rows(Dumps[0]));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Seeded_data_is_consistent_with_the_register_and_the_rules(string provider)
    {
        using var ward = new SeededWard(provider, 3);
        var population = ward.Addressee.Population().ToDictionary(m => m.AddresseeNumber.ToInt64());
        int AgeOf(long addressee) => Age(population[addressee].BirthDate, Today);
        var r = ward.Report;

        Assert.Equal(population.Count, r.AddresseesIssued);
        Assert.True(r.Taxpayers > population.Count / 2, $"{r.Taxpayers} taxpayers");
        Assert.Equal(r.Taxpayers * 2, r.TaxAssessments);
        Assert.True(r.ChildAllowanceRecipients > 0 && r.NursingCareInsured > 0 && r.NationalHealthInsuranceHouseholds > 0 && r.PublicAssistanceCases > 0, r.ToString());

        // Child allowance: children the allowance pays for (to the first 31 March after 18) in the recipient's household; recipients adults.
        foreach (var row in ward.Rows("SELECT p.addressee_number, c.child_addressee_number, r.household_number FROM ca_children c JOIN ca_persons p ON p.person_id = c.recipient_person_id JOIN ca_recipients r ON r.person_id = c.recipient_person_id"))
        {
            var parts = row.Split('|');
            var recipient = long.Parse(parts[0]);
            var child = long.Parse(parts[1]);
            Assert.True(ChildAllowanceRules.Counts(population[child].BirthDate, Today), $"a child of {AgeOf(child)} is not paid for");
            Assert.True(AgeOf(recipient) >= 18);
            Assert.Equal(parts[2], population[child].HouseholdNumber);
            Assert.Equal(parts[2], population[recipient].HouseholdNumber);
        }
        var householdsWithChildren = population.Values.Where(m => ChildAllowanceRules.Counts(m.BirthDate, Today)).Select(m => m.HouseholdNumber).ToHashSet();
        Assert.All(ward.Rows("SELECT household_number FROM ca_recipients"), h => Assert.Contains(h, householdsWithChildren));

        // Nursing care: first category 65+, second category 40–64 and certified.
        foreach (var row in ward.Rows("SELECT p.addressee_number, i.category, i.care_level FROM ltc_insured i JOIN ltc_persons p ON p.person_id = i.person_id"))
        {
            var parts = row.Split('|').Select(long.Parse).ToArray();
            if (parts[1] == 1) Assert.True(AgeOf(parts[0]) >= 65);
            else { Assert.InRange(AgeOf(parts[0]), 40, 64); Assert.NotEqual(0, parts[2]); }
        }
        Assert.Equal(population.Values.Count(m => Age(m.BirthDate, Today) >= 65), ward.Scalar("SELECT COUNT(*) FROM ltc_insured WHERE category = 1"));

        // NHI members under 75; nobody is both on NHI and on public assistance.
        Assert.All(ward.Rows("SELECT p.addressee_number FROM nhi_members m JOIN nhi_persons p ON p.person_id = m.person_id"), a => Assert.True(AgeOf(long.Parse(a)) < 75));
        Assert.Equal(0, ward.Scalar("SELECT COUNT(*) FROM nhi_persons n JOIN pa_persons p ON p.addressee_number = n.addressee_number"));
        // Public assistance only for households where nobody pays residence tax this year.
        Assert.Equal(0, ward.Scalar($"""
            SELECT COUNT(*) FROM pa_members m JOIN pa_persons pp ON pp.person_id = m.person_id
            JOIN tax_persons tp ON tp.addressee_number = pp.addressee_number JOIN tax_assessments a ON a.person_id = tp.person_id
            WHERE a.fiscal_year = {Municipality.Business.ResidenceTaxRules.FiscalYearOf(Today)} AND a.status <> 0
            """));

        // Tax payments: nothing paid beyond what is due; most taxpayers of the previous year paid it all, some left 未納.
        var previous = ResidenceTaxRules.FiscalYearOf(Today) - 1;
        Assert.Equal(r.TaxPayments, ward.Scalar("SELECT COUNT(*) FROM tax_payments"));
        var accounts = ward.Addressee.Population().Select(m => ward.Systems.ResidenceTax.Account(m.AddresseeNumber, previous))
            .OfType<ResidenceTaxAccount>().Where(a => a.Assessed > 0).ToList();
        Assert.All(accounts, a => Assert.All(a.Installments, i => Assert.InRange(i.Paid, 0, i.Amount)));
        Assert.All(accounts.SelectMany(a => a.Payments), p => Assert.True(p.PaidOn <= Today));
        var withUnpaid = accounts.Count(a => a.Unpaid > 0);
        Assert.True(withUnpaid > 0 && withUnpaid < accounts.Count / 10, $"{withUnpaid} of {accounts.Count} with 未納");

        // Every business person holds their number and is linked in the addressee system.
        foreach (var system in ward.Systems.All)
        {
            Assert.Equal(0, ward.Scalar($"SELECT COUNT(*) FROM {system.TablePrefix}persons WHERE individual_number IS NULL"));
            Assert.Equal(system.CountPersons(), ward.Scalar($"SELECT COUNT(*) FROM addressee_links WHERE system_code = '{system.SystemCode}'"));
        }
    }

    private static int Age(DateOnly birth, DateOnly day) =>
        day.Year - birth.Year - (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) ? 1 : 0);
}
