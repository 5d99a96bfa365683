using Renkei.Core.Text;
using System.Text;
using Renkei.Infrastructure;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using static Renkei.Municipality.Tests.Staff.StaffFixture;

namespace Renkei.Municipality.Tests.Staff;

public class StaffDirectoryTests
{
    /// <summary>A valid individual number (check digit right) that belongs to nobody.</summary>
    private const string SampleNumber = "123456789018";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Created_staff_can_be_found_without_any_secret(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var enrolment = fixture.Directory.Create(
            new NewStaffMember(StaffId.Parse(" Kodomo01 "), " 子ども家庭支援課 鈴木 一郎 ", StaffRole.Supervisor, ["child-allowance", "ord-child-medical-aid", "child-allowance"]),
            Password);

        Assert.Equal("kodomo01", enrolment.Staff.Value);
        Assert.Equal(20, Base32.Decode(enrolment.SecretBase32).Length);
        Assert.StartsWith("otpauth://totp/", enrolment.ProvisioningUri);
        Assert.DoesNotContain(enrolment.SecretBase32, enrolment.ToString());

        var member = fixture.Directory.Find(StaffId.Parse("kodomo01"))!;
        Assert.Equal("子ども家庭支援課 鈴木 一郎", member.DisplayName);
        Assert.Equal(StaffRole.Supervisor, member.Role);
        Assert.Equal(["child-allowance", "ord-child-medical-aid"], member.Affairs);
        Assert.True(member.Active);
        Assert.False(member.Locked);
        Assert.DoesNotContain(enrolment.SecretBase32, member.ToString());
        Assert.Single(fixture.Directory.List());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Bad_accounts_are_refused_and_nothing_is_written(string provider)
    {
        using var fixture = new StaffFixture(provider);
        fixture.Create("jumin01");
        StaffException Refused(NewStaffMember member, string password = Password) =>
            Assert.Throws<StaffException>(() => fixture.Directory.Create(member, password));

        Assert.Equal(StaffException.StaffExists, Refused(new(StaffId.Parse("jumin01"), "別人", StaffRole.Clerk, [])).Code);
        var unknown = Refused(new(StaffId.Parse("kazei01"), "税務課", StaffRole.Clerk, ["local-tax", "no-such-affair"]));
        Assert.Equal(StaffException.UnknownAffair, unknown.Code);
        Assert.Contains("no-such-affair", unknown.Message);
        var weak = Refused(new(StaffId.Parse("kazei01"), "税務課", StaffRole.Clerk, []), "hunter2");
        Assert.Equal(StaffException.WeakPassword, weak.Code);
        Assert.DoesNotContain("hunter2", weak.Message);
        Assert.Equal(StaffException.InvalidDisplayName, Refused(new(StaffId.Parse("kazei01"), "  ", StaffRole.Clerk, [])).Code);

        Assert.Null(fixture.Directory.Find(StaffId.Parse("kazei01")));
        Assert.Single(fixture.Directory.List());
        Assert.Equal(StaffException.InvalidStaffId, Assert.Throws<StaffException>(() => StaffId.Parse("a b")).Code);
        Assert.False(StaffId.TryParse("x", out _));
        Assert.False(StaffId.TryParse("-abc", out _));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Login_needs_both_factors_and_says_which_failed(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01", StaffRole.Clerk, "local-tax");
        var directory = fixture.Directory;

        Assert.Equal(AuthenticationOutcome.InvalidCredentials, directory.Authenticate("kazei01", "wrong horse battery", Code(secret, Morning), Morning).Outcome);
        Assert.Equal(AuthenticationOutcome.SecondFactorFailed, directory.Authenticate("kazei01", Password, "000000", Morning).Outcome);
        Assert.Equal(AuthenticationOutcome.SecondFactorFailed,
            directory.Authenticate("kazei01", Password, Code(secret, Morning.AddMinutes(-2)), Morning).Outcome);

        var result = directory.Authenticate("KAZEI01", Password, Code(secret, Morning), Morning);
        Assert.True(result.Succeeded);
        var session = result.Session!;
        Assert.Equal("kazei01", session.StaffId.Value);
        Assert.Equal(["local-tax"], session.AssignedAffairs);
        Assert.Null(session.ChosenAffair);
        Assert.Equal(Morning, session.OpenedAt);
        Assert.Equal(0, directory.Find(session.StaffId)!.FailedLogins);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void The_same_code_never_works_twice(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01");
        var code = Code(secret, Morning);
        Assert.True(fixture.Directory.Authenticate("kazei01", Password, code, Morning).Succeeded);
        Assert.Equal(AuthenticationOutcome.SecondFactorFailed, fixture.Directory.Authenticate("kazei01", Password, code, Morning.AddSeconds(10)).Outcome);
        // Not through another server process either, and not with the previous step's code.
        var other = fixture.NewDirectory();
        Assert.Equal(AuthenticationOutcome.SecondFactorFailed, other.Authenticate("kazei01", Password, code, Morning.AddSeconds(20)).Outcome);
        Assert.Equal(AuthenticationOutcome.SecondFactorFailed,
            other.Authenticate("kazei01", Password, Code(secret, Morning.AddSeconds(-30)), Morning.AddSeconds(20)).Outcome);
        Assert.True(other.Authenticate("kazei01", Password, Code(secret, Morning.AddSeconds(30)), Morning.AddSeconds(30)).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Unknown_ids_get_the_same_answers_as_wrong_passwords_including_lockout(string provider)
    {
        using var fixture = new StaffFixture(provider);
        fixture.Create("kazei01");
        var known = new List<AuthenticationOutcome>();
        var unknown = new List<AuthenticationOutcome>();
        for (var i = 0; i < 6; i++)
        {
            known.Add(fixture.Directory.Authenticate("kazei01", "wrong horse battery", "123456", Morning.AddMinutes(i)).Outcome);
            unknown.Add(fixture.Directory.Authenticate("nobody01", "wrong horse battery", "123456", Morning.AddMinutes(i)).Outcome);
        }
        Assert.Equal(known, unknown);
        Assert.Equal(
            [AuthenticationOutcome.InvalidCredentials, AuthenticationOutcome.InvalidCredentials, AuthenticationOutcome.InvalidCredentials,
             AuthenticationOutcome.InvalidCredentials, AuthenticationOutcome.Locked, AuthenticationOutcome.Locked], known);
        Assert.Equal(AuthenticationOutcome.InvalidCredentials, fixture.Directory.Authenticate("not an id!", Password, "123456", Morning).Outcome);
        Assert.Equal(AuthenticationOutcome.InvalidCredentials, fixture.Directory.Authenticate(null, null, null, Morning).Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Five_failures_lock_for_fifteen_minutes_and_a_good_login_afterwards_resets(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01");
        var at = Morning;
        void Tick(TimeSpan by) { at += by; fixture.Clock.Advance(by); }
        StaffMember Kazei() => fixture.Directory.Find(StaffId.Parse("kazei01"))!;

        // Mixed factor failures count together.
        for (var i = 0; i < 2; i++) { Tick(TimeSpan.FromMinutes(1)); fixture.Directory.Authenticate("kazei01", "wrong horse battery", "000000", at); }
        for (var i = 0; i < 2; i++) { Tick(TimeSpan.FromMinutes(1)); fixture.Directory.Authenticate("kazei01", Password, "000000", at); }
        Assert.Equal(4, Kazei().FailedLogins);
        Assert.False(Kazei().Locked);
        Tick(TimeSpan.FromMinutes(1));
        Assert.Equal(AuthenticationOutcome.Locked, fixture.Directory.Authenticate("kazei01", Password, "000000", at).Outcome);
        var lockedAt = at;
        Assert.True(Kazei().Locked);
        Assert.Equal(lockedAt + TimeSpan.FromMinutes(15), Kazei().LockedUntil);

        // Locked: even both factors right open no session, and attempts neither count nor lengthen the lockout.
        Tick(TimeSpan.FromMinutes(14));
        var locked = fixture.Directory.Authenticate("kazei01", Password, Code(secret, at), at);
        Assert.Equal(AuthenticationOutcome.Locked, locked.Outcome);
        Assert.Null(locked.Session);
        Assert.Equal(lockedAt + TimeSpan.FromMinutes(15), Kazei().LockedUntil);
        Assert.Equal(0, Kazei().FailedLogins);

        // Fifteen minutes on, the lockout is over; a good login clears the lockout history too.
        Tick(TimeSpan.FromMinutes(1));
        Assert.False(Kazei().Locked);
        Assert.True(fixture.Directory.Authenticate("kazei01", Password, Code(secret, at), at).Succeeded);
        Assert.Null(Kazei().LockedUntil);
        for (var i = 0; i < 5; i++) { Tick(TimeSpan.FromMinutes(1)); fixture.Directory.Authenticate("kazei01", "wrong horse battery", "000000", at); }
        Assert.Equal(at + TimeSpan.FromMinutes(15), Kazei().LockedUntil);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Each_further_lockout_lasts_twice_as_long_up_to_a_day(string provider)
    {
        using var fixture = new StaffFixture(provider);
        fixture.Create("kazei01");
        var at = Morning;
        var observed = new List<TimeSpan>();
        for (var lockout = 0; lockout < 9; lockout++)
        {
            for (var i = 0; i < 4; i++)
                Assert.Equal(AuthenticationOutcome.InvalidCredentials, fixture.Directory.Authenticate("kazei01", "wrong horse battery", "000000", at).Outcome);
            Assert.Equal(AuthenticationOutcome.Locked, fixture.Directory.Authenticate("kazei01", "wrong horse battery", "000000", at).Outcome);
            fixture.Clock.Advance(at - fixture.Clock.GetUtcNow());
            var member = fixture.Directory.Find(StaffId.Parse("kazei01"))!;
            Assert.True(member.Locked);
            observed.Add(member.LockedUntil!.Value - at);
            at = member.LockedUntil.Value; // the moment it ends, the next five failures lock again
        }
        Assert.Equal(new[] { 15, 30, 60, 120, 240, 480, 960, 1440, 1440 }.Select(m => TimeSpan.FromMinutes(m)), observed);
    }

    [Fact]
    public void Lockout_durations_double_and_stop_at_the_cap()
    {
        var options = new StaffDirectoryOptions { FirstLockout = TimeSpan.FromMinutes(15), MaxLockout = TimeSpan.FromHours(24) };
        Assert.Equal(TimeSpan.FromMinutes(15), options.LockoutDuration(1));
        Assert.Equal(TimeSpan.FromMinutes(30), options.LockoutDuration(2));
        Assert.Equal(TimeSpan.FromHours(24), options.LockoutDuration(8));
        Assert.Equal(TimeSpan.FromHours(24), options.LockoutDuration(long.MaxValue));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void An_administrator_unlocks_early_with_a_reason_in_the_operation_log(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01");
        fixture.Create("admin01", StaffRole.Administrator);
        fixture.Create("jumin01");
        var directory = fixture.Directory;
        for (var i = 0; i < 5; i++) directory.Authenticate("kazei01", "wrong horse battery", "000000", Morning);
        Assert.True(directory.Find(StaffId.Parse("kazei01"))!.Locked);
        StaffException Refused(string by, string target, string? reason) =>
            Assert.Throws<StaffException>(() => directory.Unlock(StaffId.Parse(by), StaffId.Parse(target), reason, fixture.Log, "SHINAGAWA-T001"));

        // Only an active administrator, with a reason that is one line of text without a number.
        Assert.Equal(StaffException.NotAdministrator, Refused("jumin01", "kazei01", "本人確認済み").Code);
        Assert.Equal(StaffException.NotAdministrator, Refused("nobody01", "kazei01", "本人確認済み").Code);
        Assert.Equal(StaffException.InvalidReason, Refused("admin01", "kazei01", "  ").Code);
        Assert.Equal(StaffException.InvalidReason, Refused("admin01", "kazei01", new string('理', StaffDirectory.MaxUnlockReasonLength + 1)).Code);
        var withNumber = Refused("admin01", "kazei01", "番号 " + SampleNumber + " の確認");
        Assert.Equal(StaffException.InvalidReason, withNumber.Code);
        Assert.DoesNotContain(SampleNumber, withNumber.Message);
        Assert.Equal(StaffException.UnknownStaff, Refused("admin01", "nobody01", "本人確認済み").Code);
        Assert.True(directory.Find(StaffId.Parse("kazei01"))!.Locked);

        directory.Unlock(StaffId.Parse("admin01"), StaffId.Parse("kazei01"), "  本人から電話、本人確認済み  ", fixture.Log, "SHINAGAWA-T001");
        Assert.False(directory.Find(StaffId.Parse("kazei01"))!.Locked);
        Assert.Equal(0, directory.Find(StaffId.Parse("kazei01"))!.FailedLogins);
        Assert.True(directory.Authenticate("kazei01", Password, Code(secret, Morning), Morning).Succeeded);

        var entries = fixture.Log.Read().Select(r => r.Entry).Where(e => e.Action == Renkei.Municipality.Audit.OperationAction.AccountUnlocked).ToList();
        Assert.Equal(7, entries.Count); // six refusals, one unlock
        var unlocked = Assert.Single(entries, e => e.Result == Renkei.Municipality.Audit.OperationResult.Success);
        Assert.Equal(("admin01", "SHINAGAWA-T001"), (unlocked.StaffId, unlocked.Terminal));
        Assert.Contains("staff=kazei01", unlocked.Detail);
        Assert.Contains("reason=本人から電話、本人確認済み", unlocked.Detail);
        Assert.Equal(["jumin01", "nobody01"], entries.Where(e => e.Detail!.Contains("not an active administrator")).Select(e => e.StaffId));
        Assert.All(entries, e => Assert.DoesNotContain(Password, e.Detail));
        Assert.All(entries, e => Assert.DoesNotContain(SampleNumber, e.Detail));

        // An administrator who is disabled or locked out cannot unlock.
        directory.SetActive(StaffId.Parse("admin01"), false);
        Assert.Equal(StaffException.NotAdministrator, Refused("admin01", "kazei01", "本人確認済み").Code);
        directory.SetActive(StaffId.Parse("admin01"), true);
        for (var i = 0; i < 5; i++) directory.Authenticate("admin01", "wrong horse battery", "000000", Morning);
        Assert.Equal(StaffException.NotAdministrator, Refused("admin01", "kazei01", "本人確認済み").Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_disabled_account_opens_no_session_and_says_so_only_after_both_factors(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01");
        fixture.Directory.SetActive(StaffId.Parse("kazei01"), false);
        Assert.False(fixture.Directory.Find(StaffId.Parse("kazei01"))!.Active);

        Assert.Equal(AuthenticationOutcome.InvalidCredentials,
            fixture.Directory.Authenticate("kazei01", "wrong horse battery", Code(secret, Morning), Morning).Outcome);
        var result = fixture.Directory.Authenticate("kazei01", Password, Code(secret, Morning), Morning);
        Assert.Equal(AuthenticationOutcome.Disabled, result.Outcome);
        Assert.Null(result.Session);

        fixture.Directory.SetActive(StaffId.Parse("kazei01"), true);
        Assert.True(fixture.Directory.Authenticate("kazei01", Password, Code(secret, Morning.AddMinutes(1)), Morning.AddMinutes(1)).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Totp_secret_is_encrypted_at_rest_and_bound_to_its_account_and_key(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01");
        fixture.Create("jumin01");

        var stored = ReadSecret(fixture.Database, "kazei01");
        Assert.Equal(1 + 12 + 20 + 16, stored.Length);
        Assert.False(stored.AsSpan().IndexOf(secret) >= 0, "the raw secret is stored");

        // Copying kazei01's encrypted secret onto jumin01's row does not give jumin01 kazei01's codes.
        using (var connection = fixture.Database.Open())
            connection.Command("UPDATE staff_accounts SET totp_secret = @s WHERE staff_id = 'jumin01'").With("@s", stored).ExecuteNonQuery();
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            fixture.Directory.Authenticate("jumin01", Password, Code(secret, Morning), Morning));

        // Another key file cannot read it either.
        using var otherKeys = new TempDirectory();
        var stranger = fixture.NewDirectory(keyFile: otherKeys.File("other.key"));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() =>
            stranger.Authenticate("kazei01", Password, Code(secret, Morning), Morning));
        Assert.True(fixture.Directory.Authenticate("kazei01", Password, Code(secret, Morning), Morning).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_raised_iteration_count_rehashes_on_the_next_login(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kazei01");
        Assert.Equal(1_000, PasswordHashing.IterationsOf(ReadHash(fixture.Database, "kazei01")));

        var stronger = fixture.NewDirectory(PasswordHashing.InsecureForTestsAndDemos(2_000));
        Assert.Equal(AuthenticationOutcome.InvalidCredentials, stronger.Authenticate("kazei01", "wrong horse battery", "000000", Morning).Outcome);
        Assert.Equal(1_000, PasswordHashing.IterationsOf(ReadHash(fixture.Database, "kazei01")));
        Assert.True(stronger.Authenticate("kazei01", Password, Code(secret, Morning), Morning).Succeeded);
        Assert.Equal(2_000, PasswordHashing.IterationsOf(ReadHash(fixture.Database, "kazei01")));
        Assert.True(stronger.Authenticate("kazei01", Password, Code(secret, Morning.AddMinutes(1)), Morning.AddMinutes(1)).Succeeded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Password_change_totp_reset_and_reassignment(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var oldSecret = fixture.Create("kazei01", StaffRole.Clerk, "local-tax");
        var id = StaffId.Parse("kazei01");

        fixture.Directory.ChangePassword(id, "a brand new passphrase");
        Assert.Equal(AuthenticationOutcome.InvalidCredentials, fixture.Directory.Authenticate("kazei01", Password, Code(oldSecret, Morning), Morning).Outcome);
        Assert.Equal(StaffException.WeakPassword, Assert.Throws<StaffException>(() => fixture.Directory.ChangePassword(id, "short")).Code);

        var newSecret = Base32.Decode(fixture.Directory.ResetTotp(id).SecretBase32);
        Assert.NotEqual(oldSecret, newSecret);
        var at = Morning.AddMinutes(5);
        Assert.Equal(AuthenticationOutcome.SecondFactorFailed,
            fixture.Directory.Authenticate("kazei01", "a brand new passphrase", Code(oldSecret, at), at).Outcome);
        Assert.True(fixture.Directory.Authenticate("kazei01", "a brand new passphrase", Code(newSecret, at), at).Succeeded);

        fixture.Directory.AssignAffairs(id, ["library", "local-tax"]);
        Assert.Equal(["library", "local-tax"], fixture.Directory.Find(id)!.Affairs);
        Assert.Equal(StaffException.UnknownAffair, Assert.Throws<StaffException>(() => fixture.Directory.AssignAffairs(id, ["nope"])).Code);
        Assert.Equal(["library", "local-tax"], fixture.Directory.Find(id)!.Affairs);
        Assert.Equal(StaffException.UnknownStaff,
            Assert.Throws<StaffException>(() => fixture.Directory.AssignAffairs(StaffId.Parse("nobody01"), ["library"])).Code);
        Assert.Equal(StaffException.UnknownStaff, Assert.Throws<StaffException>(() => fixture.Directory.SetActive(StaffId.Parse("nobody01"), false)).Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void Refresh_drops_sessions_of_disabled_or_locked_accounts_and_unassigned_affairs(string provider)
    {
        using var fixture = new StaffFixture(provider);
        var secret = fixture.Create("kodomo01", StaffRole.Clerk, "child-allowance", "library");
        var session = fixture.Login("kodomo01", secret, Morning).ChooseAffair("child-allowance");

        Assert.Equal("child-allowance", fixture.Directory.Refresh(session)!.ChosenAffair);
        fixture.Directory.AssignAffairs(session.StaffId, ["library"]);
        var refreshed = fixture.Directory.Refresh(session)!;
        Assert.Null(refreshed.ChosenAffair);
        Assert.Equal(["library"], refreshed.AssignedAffairs);

        fixture.Directory.SetActive(session.StaffId, false);
        Assert.Null(fixture.Directory.Refresh(session));
        fixture.Directory.SetActive(session.StaffId, true);
        for (var i = 0; i < 5; i++) fixture.Directory.Authenticate("kodomo01", "wrong horse battery", "000000", Morning.AddMinutes(i + 1));
        Assert.Null(fixture.Directory.Refresh(session));
    }

    [Fact]
    public void Lockout_needs_a_positive_threshold()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            using var keys = new TempDirectory();
            using var db = TestDatabase.CreateSqlite();
            _ = new StaffDirectory(db.Database, Renkei.Municipality.Affairs.AffairCatalogue.LoadDefault(), keys.File("k"),
                new StaffDirectoryOptions { MaxFailedLogins = 0 });
        });
    }

    private static byte[] ReadSecret(Database database, string id)
    {
        using var connection = database.Open();
        return (byte[])connection.Command("SELECT totp_secret FROM staff_accounts WHERE staff_id = @id").With("@id", id).ExecuteScalar()!;
    }

    private static string ReadHash(Database database, string id)
    {
        using var connection = database.Open();
        return (string)connection.Command("SELECT password_hash FROM staff_accounts WHERE staff_id = @id").With("@id", id).ExecuteScalar()!;
    }
}
