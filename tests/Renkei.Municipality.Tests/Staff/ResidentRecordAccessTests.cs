using Renkei.Municipality.Affairs;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Affairs;
using static Renkei.Municipality.Tests.Staff.StaffFixture;

namespace Renkei.Municipality.Tests.Staff;

/// <summary>The need-to-know rule for the resident register (<see cref="ResidentRecordAccess"/>), and the input bounds it sits beside.</summary>
public sealed class ResidentRecordAccessTests : IDisposable
{
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

    private static (bool Search, bool View, bool Change) Uses(StaffSession? session) =>
        (ResidentRecordAccess.Decide(session, ResidentRecordUse.Search, Today).Allowed,
         ResidentRecordAccess.Decide(session, ResidentRecordUse.View, Today).Allowed,
         ResidentRecordAccess.Decide(session, ResidentRecordUse.Change, Today).Allowed);

    [Fact]
    public void Each_affair_allows_what_its_need_to_know_lists_and_nothing_else()
    {
        var clerk = Login(StaffRole.Clerk, "resident-register", "resident-certificate-general", "child-allowance", "library", "child-allowance-employees");
        Assert.Equal((true, true, true), Uses(clerk.ChooseAffair("resident-register")));
        Assert.Equal((true, true, false), Uses(clerk.ChooseAffair("resident-certificate-general")));
        Assert.Equal((true, true, false), Uses(clerk.ChooseAffair("child-allowance")));
        Assert.Equal((false, false, false), Uses(clerk.ChooseAffair("library")));
        Assert.Equal((false, false, false), Uses(clerk.ChooseAffair("child-allowance-employees")));
        Assert.Equal((false, false, false), Uses(clerk));
        Assert.Equal((false, false, false), Uses(null));

        var library = ResidentRecordAccess.Decide(clerk.ChooseAffair("library"), ResidentRecordUse.View, Today);
        Assert.Equal((ResidentRecordAccessDecision.AffairWithoutUse, "library"), (library.ReasonCode, library.AffairCode));
        Assert.Contains("住民記録の閲覧", library.Message);
        Assert.Equal(ResidentRecordAccessDecision.NoAffairChosen, ResidentRecordAccess.Decide(clerk, ResidentRecordUse.Search, Today).ReasonCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => ResidentRecordAccess.Decide(clerk, ResidentRecordUse.Search | ResidentRecordUse.View, Today));
    }

    [Theory]
    [InlineData(StaffRole.Auditor)]
    [InlineData(StaffRole.Administrator)]
    public void Auditors_and_administrators_have_no_need_to_know_even_in_the_register_affair(StaffRole role)
    {
        var session = Login(role, "resident-register").ChooseAffair("resident-register");
        Assert.Equal((false, false, false), Uses(session));
        Assert.Equal(ResidentRecordAccessDecision.RoleWithoutResidentRecords, ResidentRecordAccess.Decide(session, ResidentRecordUse.View, Today).ReasonCode);
    }

    [Fact]
    public void An_affair_not_in_force_allows_nothing()
    {
        using var fixture = new StaffFixture("sqlite", PolicyFixtures.ParseCatalogue(PolicyFixtures.Catalogue(
            PolicyFixtures.AffairLine("ord-new-aid", from: "2030-04-01", extra: ", \"residentRecords\": [\"search\", \"view\"]"))));
        var secret = fixture.Create("clerk01", StaffRole.Clerk, "ord-new-aid");
        var session = fixture.Login("clerk01", secret, Morning).ChooseAffair("ord-new-aid");
        var decision = ResidentRecordAccess.Decide(session, ResidentRecordUse.Search, Today);
        Assert.Equal((false, AffairNumberUseDecision.NotInForce), (decision.Allowed, decision.ReasonCode));
        Assert.True(ResidentRecordAccess.Decide(session, ResidentRecordUse.Search, new DateOnly(2030, 4, 1)).Allowed);
    }

    [Theory]
    [InlineData("東京都品川区大崎1-11-1 ゲートシティ大崎2301号", false)]
    [InlineData("〒141-0032 東京都品川区大崎一丁目11番1号", false)]
    [InlineData("品川区1234567890", false)]
    [InlineData("品川区12345678901", true)]
    [InlineData("品川区1234-5678-9012", true)]
    [InlineData("品川区1234 5678 9012", true)]
    [InlineData("品川区１２３４５６７８９０１２", true)]
    [InlineData("品川区12345--678901", false)]
    public void Digit_runs_that_look_like_a_number_are_found(string text, bool found) =>
        Assert.Equal(found, RegisterInputRules.HasNumberLikeDigits(text));

    [Theory]
    [InlineData("高橋", "高橋")]
    [InlineData("高%", @"高\%")]
    [InlineData("_a", @"\_a")]
    [InlineData(@"a\b", @"a\\b")]
    public void LIKE_metacharacters_are_escaped(string term, string escaped) => Assert.Equal(escaped, RegisterInputRules.EscapeLike(term));

    [Fact]
    public void Text_and_dates_are_checked_against_the_bounds_without_repeating_the_value()
    {
        Assert.Null(RegisterInputRules.CheckText("東京都品川区広町二丁目1番36号", "address"));
        Assert.Equal("missing-field", RegisterInputRules.CheckText("  ", "address")!.Value.Code);
        var tooLong = RegisterInputRules.CheckText(new string('あ', RegisterInputRules.MaxAddress + 1), "address")!.Value;
        Assert.Equal("field-too-long", tooLong.Code);
        Assert.DoesNotContain("ああ", tooLong.Message);
        Assert.Null(RegisterInputRules.CheckText(new string('あ', RegisterInputRules.MaxAddress), "address"));
        Assert.Equal("field-too-long", RegisterInputRules.CheckText(new string('高', RegisterInputRules.MaxNamePart + 1), "familyName")!.Value.Code);
        Assert.Equal("bad-text", RegisterInputRules.CheckText("品川\u0007区", "address")!.Value.Code);
        Assert.Null(RegisterInputRules.CheckDate(new DateOnly(1868, 1, 1), "date", Today));
        Assert.Null(RegisterInputRules.CheckDate(Today.AddYears(1), "date", Today));
        Assert.Equal("date-out-of-range", RegisterInputRules.CheckDate(new DateOnly(1867, 12, 31), "date", Today)!.Value.Code);
        Assert.Equal("date-out-of-range", RegisterInputRules.CheckDate(Today.AddYears(1).AddDays(1), "date", Today)!.Value.Code);
    }
}
