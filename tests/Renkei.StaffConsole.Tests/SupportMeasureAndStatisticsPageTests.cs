using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Renkei.Documents;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>支援措置 on the person's page (placed, shown, released; only with the register's change right) and the dashboard's issuance statistics.</summary>
public sealed partial class SupportMeasureAndStatisticsPageTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_clerk_places_a_resident_under_a_support_measure_and_releases_it_in_the_registers_affair(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        var hanako = ward.Resident("山田", "花子");
        var path = $"/residents/{hanako.Id}/support-measure";

        // A tax clerk may view the register but not change it: the page opens, placing is refused (403) and nothing is stored.
        using (var tax = new ConsoleClient(ward.BaseAddress))
        {
            await tax.LoginAsync(ward, ward.Account("kazei01"));
            await tax.ChooseAffairAsync("local-tax");
            Assert.Equal(HttpStatusCode.OK, (await tax.GetAsync(path)).Status);
            var refused = await tax.PostAsync(path + "?handler=Place", ("Kind", "domestic-violence"), ("Day", ""));
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Null(new SupportMeasures(ward.Database).Current(hanako.Id));
        }

        using var client = new ConsoleClient(ward.BaseAddress);
        await client.LoginAsync(ward, ward.Account("jumin01"));
        await client.ChooseAffairAsync("resident-register");
        var person = await client.GetAsync($"/residents/{hanako.Id}");
        Assert.Contains("id=\"support-measure\"", person.Body);
        Assert.DoesNotContain("支援措置対象者です", person.Text);
        var page = await client.GetAsync(path);
        Assert.Contains("支援措置の対象者ではありません。", page.Text);

        var badKind = await client.PostAsync(path + "?handler=Place", ("Kind", "neighbour-dispute"), ("Day", ""));
        Assert.Equal(HttpStatusCode.BadRequest, badKind.Status);
        Assert.Contains("支援措置の種別：一覧から選んでください。", badKind.Text);
        Assert.DoesNotContain("neighbour-dispute", badKind.Text);
        var future = await client.PostAsync(path + "?handler=Place", ("Kind", "stalking"), ("Day", "2025-06-03"));
        Assert.Equal(HttpStatusCode.Conflict, future.Status);
        Assert.Contains("開始日は過去1年以内", future.Text);

        var placed = await client.PostAsync(path + "?handler=Place", ("Kind", "domestic-violence"), ("Day", "令和7年5月20日"));
        Assert.Equal(HttpStatusCode.OK, placed.Status);
        Assert.Contains("支援措置の対象者として記録しました。", placed.Text);
        Assert.Contains("配偶者からの暴力（DV）", placed.Text);
        var measure = new SupportMeasures(ward.Database).Current(hanako.Id)!;
        Assert.Equal((SupportMeasureKind.DomesticViolence, new DateOnly(2025, 5, 20), "jumin01"), (measure.Kind, measure.From, measure.RecordedBy));
        Assert.Contains("支援措置対象者です", (await client.GetAsync($"/residents/{hanako.Id}")).Text);
        var twice = await client.PostAsync(path + "?handler=Place", ("Kind", "stalking"), ("Day", ""));
        Assert.Equal(HttpStatusCode.Conflict, twice.Status);
        Assert.Contains("既に支援措置の対象者です。", twice.Text);

        var released = await client.PostAsync(path + "?handler=Release", ("Day", ""));
        Assert.Contains("支援措置を終了しました。", released.Text);
        Assert.Contains("終了した支援措置", released.Text);
        Assert.Null(new SupportMeasures(ward.Database).Current(hanako.Id));

        var all = ward.Log.Read().Select(r => r.Entry).ToList();
        var entries = all.Where(e => e.StaffId == "jumin01" && e.Action == OperationAction.Change && e.Detail!.StartsWith("支援措置", StringComparison.Ordinal)).ToList();
        Assert.Equal([OperationResult.Refused, OperationResult.Refused, OperationResult.Success, OperationResult.Refused, OperationResult.Success],
            entries.Select(e => e.Result));
        Assert.Contains(all, e => e.StaffId == "kazei01" && e.Result == OperationResult.Refused);
        Assert.All(entries.Where(e => e.Result == OperationResult.Success), e => Assert.Equal(ward.AddresseeOf(hanako.Id), e.SubjectAddresseeNumber));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_dashboard_counts_certificates_per_kind_and_month_counter_against_kiosk_without_voided_ones(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        var ledger = new CertificateLedger(ward.Database);
        var taro = ward.Resident("山田", "太郎");
        // (day, kind, kiosk?, copies, voided?) — what the ledger is given, and what the page must add up.
        var issued = new (string Day, CertificateKind Kind, bool Kiosk, int Copies, bool Voided)[]
        {
            ("2025-04-03", CertificateKind.ResidenceRecord, false, 2, false),
            ("2025-04-10", CertificateKind.ResidenceRecord, true, 1, false),
            ("2025-04-11", CertificateKind.ResidenceRecord, true, 1, true),
            ("2025-04-20", CertificateKind.TaxAssessment, false, 1, false),
            ("2025-05-01", CertificateKind.ResidenceRecord, true, 1, false),
            ("2025-05-02", CertificateKind.SealRegistration, true, 1, false),
            ("2025-05-09", CertificateKind.SealRegistration, false, 3, false),
            ("2025-05-30", CertificateKind.TaxAssessment, true, 1, false),
        };
        foreach (var i in issued)
        {
            var day = DateOnly.Parse(i.Day, CultureInfo.InvariantCulture);
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.FromHours(9));
            var entry = new CertificateIssuance(0, i.Kind, taro.Id, at, day, i.Kiosk ? "kiosk-issuance-server" : "jumin01", i.Kiosk ? "KIOSK-1" : "COUNTER-1",
                "resident-register", CertificateRequester.Self, i.Copies, 200L * i.Copies, "");
            var transaction = Guid.NewGuid();
            (i.Kiosk ? ledger.ForKiosk(new KioskTransaction(transaction, "fp", 500)) : ledger).Record(entry, id => id);
            if (i.Voided) Assert.NotNull(ledger.Void(transaction, "print-failed", at.AddMinutes(1)));
        }

        using var client = new ConsoleClient(ward.BaseAddress);
        await client.LoginAsync(ward, ward.Account("jumin01"));
        var page = await client.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, page.Status);

        var counted = issued.Where(i => !i.Voided).ToList();
        static string Share(long kiosk, long all) => (100.0 * kiosk / all).ToString("0.#", CultureInfo.InvariantCulture) + "%";
        foreach (var kind in counted.Select(i => i.Kind).Distinct())
        {
            var (counter, kiosk) = (counted.Where(i => i.Kind == kind && !i.Kiosk).Sum(i => i.Copies), counted.Where(i => i.Kind == kind && i.Kiosk).Sum(i => i.Copies));
            Assert.Equal([counter.ToString(CultureInfo.InvariantCulture), kiosk.ToString(CultureInfo.InvariantCulture),
                (counter + kiosk).ToString(CultureInfo.InvariantCulture), Share(kiosk, counter + kiosk)], Cells(page.Body, $"data-kind=\"{kind.Code()}\""));
        }
        foreach (var month in new[] { "2025-04", "2025-05" })
        {
            var inMonth = counted.Where(i => i.Day.StartsWith(month, StringComparison.Ordinal)).ToList();
            var (counter, kiosk) = (inMonth.Where(i => !i.Kiosk).Sum(i => i.Copies), inMonth.Where(i => i.Kiosk).Sum(i => i.Copies));
            Assert.Equal([counter.ToString(CultureInfo.InvariantCulture), kiosk.ToString(CultureInfo.InvariantCulture),
                (counter + kiosk).ToString(CultureInfo.InvariantCulture), Share(kiosk, counter + kiosk)], Cells(page.Body, $"data-month=\"{month}\""));
        }
        var (allCounter, allKiosk) = (counted.Where(i => !i.Kiosk).Sum(i => i.Copies), counted.Where(i => i.Kiosk).Sum(i => i.Copies));
        Assert.Contains($"id=\"kiosk-share\">{Share(allKiosk, allCounter + allKiosk)}<", page.Body);
        Assert.Contains("2025年4月", page.Text);
    }

    /// <summary>The numeric cells (counter, kiosk, total, share) of the row marked <paramref name="marker"/>.</summary>
    private static List<string> Cells(string html, string marker)
    {
        var start = html.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, marker);
        var row = html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
        return Cell().Matches(row).Select(m => m.Groups[1].Value.Trim()).ToList();
    }

    [GeneratedRegex("<td class=\"(?:counter|kiosk|total|share)\">([^<]*)</td>")]
    private static partial Regex Cell();
}
