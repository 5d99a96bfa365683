using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Renkei.Cli.Demo;
using Renkei.Network.Contracts;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Renkei.Portal.Tests;

/// <summary>
/// わたしの情報 in headless Chromium on the demo country after the attachments scenario: the family's parent fetches their own
/// information through the network — 大田区's local tax among it, as a readable table — and every query the page made is a
/// provision record the network holds about them and the history shows.
/// </summary>
[Collection(PortalCountryCollection.Name)]
public sealed class MyInformationBrowserTests(PortalCountry country, ITestOutputHelper output)
{
    private const string TwelveDigits = "(?<![0-9a-fA-F])[0-9]{12}(?![0-9a-fA-F])";

    [Fact]
    public async Task The_parent_sees_their_local_tax_from_the_previous_ward_and_each_query_is_in_the_history()
    {
        var before = await country.NetworkRecordsAboutAsync(country.Scenario.ParentCardFile);
        await using var context = await country.NewContextAsync();
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);

        await page.GotoAsync("/my-information");
        await Expect(page.Locator("#not-stored")).ToContainTextAsync("この情報はこの画面の表示のためだけに取得し、保存しません");
        await page.Locator("#fetch-button").ClickAsync();
        await Expect(page.Locator("#fetched-at")).ToBeVisibleAsync(new() { Timeout = 90_000 });

        // 大田区 (the 1 January municipality) holds the parent's residence tax: shown with Japanese labels, yen and the era.
        var ota = page.Locator($"section.info-source[data-institution='{DemoWard.Ota.Code.Digits}']");
        await Expect(ota.Locator("h2")).ToHaveTextAsync("大田区");
        var tax = ota.Locator("section.info-kind[data-kind='local-tax']");
        await Expect(tax).ToHaveAttributeAsync("data-state", "Provided");
        await Expect(tax.Locator("h3")).ToHaveTextAsync("地方税関係情報");
        await Expect(tax.Locator("th", new() { HasTextString = "賦課年度" }).Locator("xpath=following-sibling::td")).ToContainTextAsync("令和");
        await Expect(tax.Locator("th", new() { HasTextString = "課税区分" }).Locator("xpath=following-sibling::td")).ToHaveTextAsync(new Regex("^(非)?課税$"));
        await Expect(tax.Locator("th", new() { HasTextString = "所得割額" }).Locator("xpath=following-sibling::td")).ToContainTextAsync("円");
        // 品川区, where the family lives now, is asked too.
        await Expect(page.Locator($"section.info-source[data-institution='{DemoWard.Shinagawa.Code.Digits}']")).ToHaveCountAsync(1);
        await PortalPages.ScreenshotAsync(page, "portal-my-information", output);

        // Every query the page made: one per (institution, kind) shown, each answered (provided or 該当なし), none forged.
        var items = await page.Locator("section.info-kind").EvaluateAllAsync<ShownItem[]>(
            "sections => sections.map(s => ({ institution: s.closest('section.info-source').dataset.institution, kind: s.dataset.kind, state: s.dataset.state, sequence: Number(s.dataset.sequence || 0) }))");
        Assert.NotEmpty(items);
        Assert.DoesNotContain(items, i => i.State == "NotAuthentic");
        Assert.Contains(items, i => i.State == "NotHeld" || i.State == "Provided");
        Assert.All(items, i => Assert.True(i.Sequence > 0, $"{i.Institution}/{i.Kind} has no provision record"));

        // …are exactly the network's new self-display records about this person, from the portal, with matching results.
        var after = await country.NetworkRecordsAboutAsync(country.Scenario.ParentCardFile);
        var added = after.Where(r => before.All(b => b.Sequence != r.Sequence) && r.Affair == SelfDisplay.Affair).ToList();
        Assert.Equal(items.Select(i => i.Sequence).Order(), added.Select(r => r.Sequence).Order());
        foreach (var item in items)
        {
            var record = added.Single(r => r.Sequence == item.Sequence);
            Assert.Equal(PortalRoutes.DemoPortalCode, record.Inquirer);
            Assert.Equal(item.Institution, record.Provider);
            Assert.Equal(item.Kind, record.Kind);
            Assert.Equal(item.State == "Provided" ? ProvisionResult.Provided : ProvisionResult.NotHeld, record.Result);
        }

        // No number on the page.
        Assert.DoesNotMatch(TwelveDigits, await page.Locator("main").InnerTextAsync());

        // やりとり履歴 shows the queries: the portal asked 大田区 for the local tax.
        var taxSequence = items.Single(i => i.Institution == DemoWard.Ota.Code.Digits && i.Kind == "local-tax").Sequence;
        await page.GotoAsync("/history");
        // The fetch's queries read as one line of the history, which opens to each record.
        var group = page.Locator("tbody.self-display-group", new() { Has = page.Locator($"tr[data-sequence='{taxSequence}']") });
        await Expect(group).ToHaveCountAsync(1);
        await Expect(group.Locator("tr[data-sequence]")).ToHaveCountAsync(items.Length);
        await Expect(group.Locator(".group-header")).ToContainTextAsync($"あなたの操作による照会 {items.Length} 件");
        await Expect(group.Locator(".group-header")).ToContainTextAsync("大田区");
        var row = group.Locator($"tr[data-sequence='{taxSequence}']");
        await Expect(row).ToBeHiddenAsync();
        await group.Locator("button.group-toggle").ClickAsync();
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator("td[data-label='事務']")).ToHaveTextAsync(SelfDisplay.AffairName); // by name, from the signed table
        await Expect(group.Locator("button.group-toggle")).ToHaveAttributeAsync("aria-expanded", "true");
        await PortalPages.ScreenshotAsync(page, "portal-history-self-display", output);
        await Expect(row.Locator("td[data-label='提供機関']")).ToHaveTextAsync("大田区");
        await Expect(row.Locator("td[data-label='結果']")).ToHaveTextAsync("提供");
        var shown = await page.Locator("#history-table tbody tr[data-sequence]").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.sequence))");
        Assert.All(items, i => Assert.Contains(i.Sequence, shown));
    }

    [Fact]
    public async Task The_page_fetches_nothing_until_asked()
    {
        var before = await country.NetworkRecordsAboutAsync(country.Scenario.ParentCardFile);
        await using var context = await country.NewContextAsync(width: 375);
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);

        await page.GotoAsync("/my-information");
        await Expect(page.Locator("#fetch-button")).ToBeVisibleAsync();
        await Expect(page.Locator("section.info-source")).ToHaveCountAsync(0);

        var after = await country.NetworkRecordsAboutAsync(country.Scenario.ParentCardFile);
        Assert.DoesNotContain(after, r => r.Affair == SelfDisplay.Affair && before.All(b => b.Sequence != r.Sequence));
    }

    private sealed class ShownItem
    {
        public string Institution { get; set; } = "";
        public string Kind { get; set; } = "";
        public string State { get; set; } = "";
        public long Sequence { get; set; }
    }
}
