using System.Net;
using Renkei.Municipality.Audit;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// 特定個人情報保護評価の比較 (<c>/pia/reference</c>): for the auditor only, as <c>/pia</c>; it shows the ward's live levels
/// beside 品川区's 表7 and 板橋区's 44 with the notes, and /pia links to it.
/// </summary>
public class PiaReferencePageTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_auditor_sees_the_comparison_and_a_clerk_is_refused_and_logged(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);

        using (var clerk = new ConsoleClient(ward.BaseAddress))
        {
            await clerk.LoginAsync(ward, ward.Account("jumin01"));
            await clerk.ChooseAffairAsync("resident-register");
            var refused = await clerk.GetAsync("/pia/reference");
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.DoesNotContain("板橋区", refused.Text);
        }
        Assert.Contains(ward.Log.Read(new OperationLogQuery(StaffId: "jumin01")).Select(r => r.Entry),
            e => e is { Action: OperationAction.View, Result: OperationResult.Refused } && e.Detail == "特定個人情報保護評価の比較: 権限がありません");

        using var auditor = new ConsoleClient(ward.BaseAddress);
        await auditor.LoginAsync(ward, ward.Account("kansa01"));
        Assert.Contains("href=\"/pia/reference\"", (await auditor.GetAsync("/pia")).Body);
        var page = await auditor.GetAsync("/pia/reference");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Contains("品川区：31 件（全項目評価 2件、重点項目評価 4件、基礎項目評価 25件）", page.Text);
        Assert.Contains("板橋区：44 件（全項目評価 2件、重点項目評価 5件、基礎項目評価 37件）", page.Text);

        // The register row: the ward's few residents call for no assessment, both wards publish 全項目評価, and the note says why.
        var row = Row(page.Body, "cmp-resident-register");
        Assert.Contains("data-differs=\"true\"", row);
        Assert.Contains("data-computed=\"none\"", row);
        Assert.Contains($"住民基本台帳ファイル、対象人数 {ward.Residents.Count}人", WebUtility.HtmlDecode(row));
        Assert.Contains("全項目評価（住民基本台帳に関する事務）", WebUtility.HtmlDecode(row));
        Assert.Contains("より低い区分です", WebUtility.HtmlDecode(row));
        Assert.Contains("板橋区はこの事務を3件の評価", WebUtility.HtmlDecode(Row(page.Body, "cmp-local-tax")));
        Assert.Contains("特別区たばこ税の賦課に関する事務", page.Text);
        Assert.Contains(ward.Log.Read(new OperationLogQuery(StaffId: "kansa01")).Select(r => r.Entry),
            e => e is { Action: OperationAction.View, Result: OperationResult.Success } && e.Detail!.StartsWith("特定個人情報保護評価の比較（", StringComparison.Ordinal));
        NumberScan.AssertNoNumber(ward, [("comparison page", page.Body)]);
    }

    private static string Row(string html, string id)
    {
        var start = html.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no row {id}");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
