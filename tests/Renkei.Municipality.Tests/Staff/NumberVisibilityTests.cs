using Renkei.Core.Numbers;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Affairs;
using static Renkei.Municipality.Tests.Staff.StaffFixture;

namespace Renkei.Municipality.Tests.Staff;

/// <summary>Trust rule 7: a number shows only to a clerk or supervisor acting in an assigned affair that may use numbers that day.</summary>
public class NumberVisibilityTests : IDisposable
{
    private static readonly IndividualNumber Number = IndividualNumber.FromBody(12345678901);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Morning.Date);

    private readonly StaffFixture _fixture = new("sqlite");
    private DateTimeOffset _clock = Morning;

    public void Dispose() => _fixture.Dispose();

    private StaffSession Login(StaffRole role, params string[] affairs)
    {
        var id = role.ToString().ToLowerInvariant() + _fixture.Directory.List().Count;
        var secret = _fixture.Create(id, role, affairs);
        _clock = _clock.AddMinutes(1);
        return _fixture.Login(id, secret, _clock);
    }

    [Fact]
    public void A_clerk_in_an_assigned_number_affair_sees_the_digits()
    {
        var session = Login(StaffRole.Clerk, "child-allowance", "library").ChooseAffair(" Child-Allowance ");
        var decision = NumberVisibility.Decide(session, Today);
        Assert.True(decision.Visible);
        Assert.Equal(NumberVisibilityDecision.VisibleReason, decision.ReasonCode);
        Assert.Equal("child-allowance", decision.AffairCode);
        Assert.Equal(session.StaffId, decision.Staff);
        Assert.Equal(Number.Digits, NumberMask.Display(Number, decision));
        Assert.Equal(Number.Digits, NumberMask.Display(Number, session, Today));

        var supervisor = Login(StaffRole.Supervisor, "ord-child-medical-aid").ChooseAffair("ord-child-medical-aid");
        Assert.True(NumberVisibility.CanSeeNumbers(supervisor, Today));
    }

    [Fact]
    public void Without_a_chosen_affair_numbers_are_masked()
    {
        var session = Login(StaffRole.Clerk, "child-allowance");
        Assert.False(NumberVisibility.CanSeeNumbers(session, Today));
        Assert.Equal(NumberVisibilityDecision.NoAffairChosen, NumberVisibility.Decide(session, Today).ReasonCode);
        Assert.Equal("************", NumberMask.Display(Number, session, Today));

        var left = session.ChooseAffair("child-allowance").LeaveAffair();
        Assert.Equal("************", NumberMask.Display(Number, left, Today));
        Assert.Equal(NumberVisibilityDecision.NoSession, NumberVisibility.Decide(null, Today).ReasonCode);
        Assert.Equal("************", NumberMask.Display(Number, null, Today));
    }

    [Fact]
    public void An_unassigned_affair_cannot_be_chosen()
    {
        var session = Login(StaffRole.Clerk, "library");
        var refused = Assert.Throws<StaffException>(() => session.ChooseAffair("child-allowance"));
        Assert.Equal(StaffException.AffairNotAssigned, refused.Code);
        Assert.Throws<StaffException>(() => session.ChooseAffair("no-such-affair"));
        Assert.Null(session.ChosenAffair);
    }

    [Fact]
    public void An_affair_without_number_use_masks()
    {
        var session = Login(StaffRole.Clerk, "library", "resident-certificate-general").ChooseAffair("library");
        var decision = NumberVisibility.Decide(session, Today);
        Assert.False(decision.Visible);
        Assert.Equal("affair-without-number-use", decision.ReasonCode);
        Assert.Equal("************", NumberMask.Display(Number, decision));
        Assert.False(NumberVisibility.CanSeeNumbers(session.ChooseAffair("resident-certificate-general"), Today));
    }

    [Fact]
    public void An_affair_not_yet_in_force_or_expired_masks()
    {
        var session = Login(StaffRole.Clerk, "pension-recipient-support-benefit").ChooseAffair("pension-recipient-support-benefit");
        Assert.Equal("affair-not-in-force", NumberVisibility.Decide(session, new DateOnly(2019, 9, 30)).ReasonCode);
        Assert.True(NumberVisibility.CanSeeNumbers(session, new DateOnly(2019, 10, 1)));

        using var fixture = new StaffFixture("sqlite", PolicyFixtures.Basic());
        var secret = fixture.Create("clerk01", StaffRole.Clerk, "ord-old-aid", "ord-new-aid");
        var clerk = fixture.Login("clerk01", secret, Morning);
        Assert.True(NumberVisibility.CanSeeNumbers(clerk.ChooseAffair("ord-old-aid"), new DateOnly(2019, 9, 30)));
        Assert.False(NumberVisibility.CanSeeNumbers(clerk.ChooseAffair("ord-old-aid"), new DateOnly(2019, 10, 1)));
        Assert.False(NumberVisibility.CanSeeNumbers(clerk.ChooseAffair("ord-new-aid"), Today));
    }

    [Theory]
    [InlineData(StaffRole.Auditor)]
    [InlineData(StaffRole.Administrator)]
    public void Auditors_and_administrators_never_see_numbers_even_when_assigned(StaffRole role)
    {
        var session = Login(role, "local-tax").ChooseAffair("local-tax");
        var decision = NumberVisibility.Decide(session, Today);
        Assert.False(decision.Visible);
        Assert.Equal(NumberVisibilityDecision.RoleWithoutNumbers, decision.ReasonCode);
        Assert.Equal("************", NumberMask.Display(Number, decision));
    }

    [Fact]
    public void A_refreshed_session_masks_once_the_affair_is_unassigned()
    {
        var session = Login(StaffRole.Clerk, "local-tax", "library").ChooseAffair("local-tax");
        Assert.True(NumberVisibility.CanSeeNumbers(session, Today));
        _fixture.Directory.AssignAffairs(session.StaffId, ["library"]);
        Assert.False(NumberVisibility.CanSeeNumbers(_fixture.Directory.Refresh(session), Today));
    }

    [Fact]
    public void No_number_stays_no_number_and_masking_never_leaks_digits()
    {
        var session = Login(StaffRole.Clerk, "local-tax").ChooseAffair("local-tax");
        var visible = NumberVisibility.Decide(session, Today);
        Assert.Null(NumberMask.Display((IndividualNumber?)null, visible));
        Assert.Equal(Number.Digits, NumberMask.Display((IndividualNumber?)Number, visible));
        var masked = NumberVisibility.Decide(session.LeaveAffair(), Today);
        Assert.DoesNotContain(Number.Digits, NumberMask.Display(Number, masked) + masked.Message + session);
    }
}
