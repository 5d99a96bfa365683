using System.Text;
using Renkei.Network.Contracts;
using Renkei.Portal.SelfInformation;

namespace Renkei.Portal.Tests;

/// <summary>The history's filter parsing and CSV export, without a browser.</summary>
public sealed class HistoryTests
{
    [Fact]
    public void A_filter_with_a_bad_date_or_a_reversed_period_says_which()
    {
        HistoryFilter.Parse("2026-13-01", null, null, out var error);
        Assert.Contains("期間（開始）", error);
        var reversed = HistoryFilter.Parse("2026-05-01", "2026-04-01", null, out error);
        Assert.Contains("開始日が終了日より後", error);
        Assert.Null(reversed.To);
        HistoryFilter.Parse(null, null, "13<script>", out error);
        Assert.Contains("機関の指定", error);
        var fine = HistoryFilter.Parse("2026-04-01", "2026-04-30", "131091", out error);
        Assert.Null(error);
        Assert.Equal((new DateOnly(2026, 4, 1), new DateOnly(2026, 4, 30), "131091"), (fine.From!.Value, fine.To!.Value, fine.Institution));
    }

    [Fact]
    public void The_institution_filter_keeps_records_where_it_asked_or_provided()
    {
        var records = new[] { Record(1, "131091", "131113"), Record(2, "131113", "PENSION1"), Record(3, "131199", "PENSION1") };
        var kept = HistoryFilter.Parse(null, null, "131113", out _).Apply(records).Select(r => r.Sequence);
        Assert.Equal([1L, 2L], kept);
    }

    [Fact]
    public void The_csv_has_a_bom_japanese_headers_quotes_and_defuses_formulas()
    {
        var rows = new[]
        {
            new HistoryRow(Record(7, "131091", "131113"), "令和8年11月22日 09:00", "品川区", "大田区, 区役所", "児童手当", "=HYPERLINK(\"x\")", "提供"),
        };
        var bytes = History.Csv(rows);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        Assert.Equal("記録番号,日時,照会機関,提供機関,事務,情報,結果\r\n"
            + "7,令和8年11月22日 09:00,品川区,\"大田区, 区役所\",児童手当,\"'=HYPERLINK(\"\"x\"\")\",提供\r\n", text);
    }

    [Fact]
    public void Each_my_information_fetch_is_one_group_and_every_other_record_stands_alone()
    {
        var at = new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        var (first, second, third) = (SelfDisplayFetch.Start(), SelfDisplayFetch.Start(), SelfDisplayFetch.Start());
        ProvisionRecord Self(long sequence, SelfDisplayFetch fetch, string provider, string kind) =>
            new(sequence, at.AddSeconds(sequence), fetch.NextRequestId(), "PORTAL01", provider, SelfDisplay.Affair, kind, ProvisionResult.Provided, null);
        var records = new[]
        {
            Self(1, first, "131113", "local-tax"), Self(2, first, "JPS001", "pension"), Self(3, first, "131091", "resident-record"),
            Self(4, second, "131113", "local-tax"), Self(5, second, "JPS001", "pension"),  // the next fetch, a second later
            Record(6, "131091", "131113"),                                                  // a ward's linkage in between
            Self(7, second, "131091", "resident-record"),                                   // (the same fetch, after it: apart)
            Self(8, third, "JPS001", "pension"),
            Self(9, third, "131113", "local-tax") with { Inquirer = "PORTAL02" },          // another portal's query is not ours to group
        };
        Assert.Equal(records.Length, records.Select(r => r.RequestId).Distinct().Count());
        var rows = records.Reverse().Select(r => new HistoryRow(r, "", "", r.Provider, "", r.Kind, "")).ToList();

        var groups = History.Groups(rows, "PORTAL01");

        Assert.Equal([[9L], [8L], [7L], [6L], [5L, 4L], [3L, 2L, 1L]], groups.Select(g => g.Rows.Select(r => r.Record.Sequence).ToArray()));
        Assert.Equal([false, true, true, false, true, true], groups.Select(g => g.IsSelfDisplay));
        Assert.Equal(["131091", "JPS001", "131113"], groups[^1].Providers);
    }

    private static ProvisionRecord Record(long sequence, string inquirer, string provider) =>
        new(sequence, DateTimeOffset.UnixEpoch.AddDays(sequence), Guid.NewGuid(), inquirer, provider, "child-allowance", "local-tax", ProvisionResult.Provided, null);
}
