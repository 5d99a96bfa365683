using Renkei.Core.Policy;
using System.Globalization;
using System.Text;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Kiosk;

namespace Renkei.Municipality.Tests.Kiosk;

/// <summary>The ward's kiosk service rules: hours in Japan time from any offset, the year end, maintenance, a narrowed ward, the file's checks.</summary>
public sealed class KioskServiceRulesTests
{
    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static KioskServiceRules Rules(string opens = "06:30", string closes = "23:00", string yearEnd = "closed", string maintenance = "[]",
        string? menu = null) =>
        KioskServiceRules.Parse(Encoding.UTF8.GetBytes($$"""
            {
              "version": "test-1",
              "source": "test",
              "opens": "{{opens}}",
              "closes": "{{closes}}",
              "yearEndHolidays": "{{yearEnd}}",
              "maintenance": {{maintenance}},
              "menu": {{menu ?? """[{ "kind": "juminhyo", "name": "住民票の写し", "feeYen": 200 }]"""}}
            }
            """), "kiosk-test.json");

    [Theory]
    [InlineData("2027-02-10T06:29:59+09:00", false)]
    [InlineData("2027-02-10T06:30:00+09:00", true)]
    [InlineData("2027-02-10T22:59:59+09:00", true)]
    [InlineData("2027-02-10T23:00:00+09:00", false)]
    [InlineData("2027-02-09T21:30:00Z", true)] // 06:30 JST on 2/10
    [InlineData("2027-02-09T21:29:00Z", false)] // 06:29 JST
    [InlineData("2027-02-10T14:00:00Z", false)] // 23:00 JST
    [InlineData("2027-02-10T08:59:00-05:00", true)] // 13:59Z = 22:59 JST
    [InlineData("2027-02-10T09:00:00-05:00", false)] // 14:00Z = 23:00 JST
    public void The_national_hours_are_judged_in_Japan_time_whatever_the_offset(string instant, bool open)
    {
        var time = At(instant);
        var japan = time.ToOffset(TimeSpan.FromHours(9));
        // Independently: open from 06:30 up to (not including) 23:00 Japan time.
        var expected = japan.TimeOfDay >= new TimeSpan(6, 30, 0) && japan.TimeOfDay < new TimeSpan(23, 0, 0);
        var opening = KioskServiceRules.LoadDefault().At(time);
        Assert.Equal(expected, opening.Open);
        Assert.Equal(open, opening.Open);
        if (!opening.Open) Assert.Equal("サービス時間外です（6時30分から23時まで）。", opening.Reason);
        else Assert.Null(opening.Reason);
    }

    [Theory]
    [InlineData("2026-12-28T22:59:00+09:00", true)]
    [InlineData("2026-12-29T10:00:00+09:00", false)]
    [InlineData("2026-12-28T16:00:00Z", false)] // 12/29 01:00 JST: closed for the year end, not only the hours
    [InlineData("2027-01-01T12:00:00+09:00", false)]
    [InlineData("2027-01-03T22:00:00+09:00", false)]
    [InlineData("2027-01-03T21:30:00Z", true)] // 1/4 06:30 JST
    [InlineData("2027-01-04T06:30:00+09:00", true)]
    public void The_year_end_holidays_close_the_service_from_12_29_to_1_3(string instant, bool open)
    {
        var opening = KioskServiceRules.LoadDefault().At(At(instant));
        Assert.Equal(open, opening.Open);
        var japan = At(instant).ToOffset(TimeSpan.FromHours(9));
        if (japan is { Month: 12, Day: >= 29 } or { Month: 1, Day: <= 3 })
            Assert.Equal("年末年始（12月29日から1月3日まで）は休止しています。", opening.Reason);
    }

    [Fact]
    public void A_ward_may_open_the_year_end_and_narrow_its_hours_but_never_widen_them()
    {
        var narrowed = Rules(opens: "08:00", closes: "20:00", yearEnd: "open");
        Assert.False(narrowed.At(At("2027-01-01T07:59:00+09:00")).Open);
        Assert.True(narrowed.At(At("2027-01-01T08:00:00+09:00")).Open);
        Assert.True(narrowed.At(At("2027-01-01T19:59:00+09:00")).Open);
        var evening = narrowed.At(At("2027-01-01T11:00:00Z")); // 20:00 JST
        Assert.Equal((false, "サービス時間外です（8時から20時まで）。"), (evening.Open, evening.Reason));

        foreach (var (opens, closes) in new[] { ("06:00", "23:00"), ("06:30", "23:30"), ("10:00", "09:00") })
        {
            var wide = Assert.Throws<PolicyFileException>(() => Rules(opens, closes));
            Assert.Equal(("kiosk-test.json", 1), (wide.File, wide.Line));
            Assert.Contains("within 06:30–23:00", wide.Message);
        }
    }

    [Fact]
    public void An_announced_maintenance_window_closes_the_service_from_its_start_up_to_its_end()
    {
        var rules = Rules(maintenance: """[{ "from": "2027-02-14T10:00+09:00", "to": "2027-02-14T12:30+09:00", "note": "システム更新" }]""");
        Assert.True(rules.At(At("2027-02-14T09:59:00+09:00")).Open);
        var inside = rules.At(At("2027-02-14T01:00:00Z")); // 10:00 JST
        Assert.Equal((false, "保守作業のため休止しています（2月14日12時30分まで）。システム更新"), (inside.Open, inside.Reason));
        Assert.False(rules.At(At("2027-02-14T12:29:00+09:00")).Open);
        Assert.True(rules.At(At("2027-02-14T03:30:00Z")).Open); // 12:30 JST, the window's end
    }

    [Fact]
    public void The_shipped_menu_offers_all_four_kinds_at_200_yen_cheaper_than_the_counter()
    {
        var menu = KioskServiceRules.LoadDefault().Menu;
        Assert.Equal(KioskCertificateKinds.All, menu.Select(m => m.Kind));
        Assert.All(menu, m => Assert.True(m.FeeYen < new Renkei.Municipality.Service.WardOptions().CertificateFee));
        Assert.Equal(("住民票の写し", 200L), (menu[0].Name, menu[0].FeeYen));
    }

    [Theory]
    [InlineData("""[{ "kind": "passport", "name": "x", "feeYen": 1 }]""", "menu entry 1: kind: one of")]
    [InlineData("""[{ "kind": "juminhyo", "name": "a", "feeYen": 1 },{ "kind": "juminhyo", "name": "b", "feeYen": 1 }]""", "menu entry 2: duplicate kind")]
    [InlineData("""[{ "kind": "juminhyo", "name": "a", "feeYen": -5 }]""", "menu entry 1: feeYen")]
    [InlineData("""[{ "kind": "juminhyo", "feeYen": 5 }]""", "menu entry 1: name")]
    [InlineData("""[{ "kind": "juminhyo", "name": "a", "fee": 5 }]""", "menu entry 1:")]
    public void A_bad_menu_entry_refuses_the_file_naming_its_line_and_entry(string menu, string expected)
    {
        var refused = Assert.Throws<PolicyFileException>(() => Rules(menu: menu));
        Assert.Contains(expected, refused.Message);
        Assert.Equal(8, refused.Line);
    }

    [Fact]
    public void A_maintenance_window_without_an_offset_or_ending_first_is_refused()
    {
        Assert.Contains("maintenance entry 1: from", Assert.Throws<PolicyFileException>(() =>
            Rules(maintenance: """[{ "from": "2027-02-14T01:00", "to": "2027-02-14T05:00+09:00" }]""")).Message);
        Assert.Contains("maintenance entry 1: to must be after from", Assert.Throws<PolicyFileException>(() =>
            Rules(maintenance: """[{ "from": "2027-02-14T05:00+09:00", "to": "2027-02-14T01:00+09:00" }]""")).Message);
    }
}
