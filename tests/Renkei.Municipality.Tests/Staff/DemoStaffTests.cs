using Renkei.Core.Numbers;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using static Renkei.Municipality.Tests.Staff.StaffFixture;

namespace Renkei.Municipality.Tests.Staff;

public class DemoStaffTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Every_seeded_demo_account_can_log_in_and_seeding_again_changes_nothing(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var accounts = DemoStaff.Seed(fixture.Directory, TestData.Shinagawa);
        Assert.Equal(11, accounts.Count);
        Assert.Equal(accounts.Select(a => a.Id.Value).Order(StringComparer.Ordinal), fixture.Directory.List().Select(m => m.Id.Value));
        Assert.Contains(accounts, a => a.Role == StaffRole.Auditor);
        Assert.Contains(accounts, a => a.Role == StaffRole.Administrator);

        var again = DemoStaff.Seed(fixture.Directory, TestData.Shinagawa);
        Assert.Equal(accounts.Select(a => a.Password), again.Select(a => a.Password));
        Assert.Equal(11, fixture.Directory.List().Count);

        var at = Morning;
        foreach (var account in accounts)
        {
            at = at.AddMinutes(1);
            var result = fixture.Directory.Authenticate(account.Id.Value, account.Password, account.CodeAt(at), at);
            Assert.True(result.Succeeded, account.ToString());
            Assert.Equal(account.Affairs.Order(StringComparer.Ordinal), result.Session!.AssignedAffairs);
            Assert.Equal(account.Role, result.Session.Role);
        }
    }

    [Fact]
    public void Demo_credentials_follow_from_seed_and_ward_and_are_hidden_from_ToString()
    {
        var shinagawa = DemoStaff.Accounts(TestData.Shinagawa);
        Assert.Equal(shinagawa.Select(a => a.Password), DemoStaff.Accounts(TestData.Shinagawa).Select(a => a.Password));
        Assert.NotEqual(shinagawa[0].Password, DemoStaff.Accounts(TestData.Ota)[0].Password);
        Assert.NotEqual(shinagawa[0].TotpSecret, DemoStaff.Accounts(TestData.Shinagawa, "another-seed")[0].TotpSecret);
        Assert.All(shinagawa, a =>
        {
            Assert.Null(PasswordHashing.Weakness(a.Password));
            Assert.StartsWith($"demo-{a.Id}-", a.Password);
            Assert.Equal(Totp.SecretBytes, a.TotpSecret.Length);
            Assert.DoesNotContain(a.Password, a.ToString());
        });
    }

    [Fact]
    public void Demo_roles_see_numbers_as_the_rules_say()
    {
        using var fixture = new StaffFixture("sqlite");
        var accounts = DemoStaff.Seed(fixture.Directory, TestData.Shinagawa).ToDictionary(a => a.Id.Value);
        var today = DateOnly.FromDateTime(Morning.Date);
        var at = Morning;
        StaffSession Login(string id)
        {
            at = at.AddMinutes(1);
            return fixture.Directory.Authenticate(id, accounts[id].Password, accounts[id].CodeAt(at), at).Session!;
        }

        Assert.True(NumberVisibility.CanSeeNumbers(Login("kodomo01").ChooseAffair("child-allowance"), today));
        Assert.True(NumberVisibility.CanSeeNumbers(Login("jumin01").ChooseAffair("resident-register"), today));
        Assert.False(NumberVisibility.CanSeeNumbers(Login("jumin01").ChooseAffair("resident-certificate-general"), today));
        Assert.False(NumberVisibility.CanSeeNumbers(Login("tosho01").ChooseAffair("library"), today));
        Assert.False(NumberVisibility.CanSeeNumbers(Login("kansa01").ChooseAffair("local-tax"), today));
        Assert.Equal(IndividualNumber.MaskedText, NumberMask.Display(IndividualNumber.FromBody(1), Login("admin01"), today));
    }
}
