using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Renkei.Cli.Commands;
using Renkei.Cli.Demo;
using Renkei.Core.Dates;
using Renkei.Core.People;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Business;
using Renkei.TestSupport;
using Renkei.TestSupport.Browser;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Renkei.Portal.Tests;

/// <summary>
/// The demo country exactly as a fresh <c>renkei demo</c> seeds it — no scenario walked: the wards' own copy feeds have
/// sent the register and tax copies, the generator's moves brought families from 大田区 to 品川区. One headless Chromium.
/// </summary>
public sealed class FreshDemoCountry : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly BrowserFixture _browser = new();

    internal DemoCountryGenerator Generator { get; } = new(6, 900);
    internal DemoCountry Country { get; private set; } = null!;
    public IBrowser Browser => _browser.Browser;

    public async Task InitializeAsync()
    {
        var layout = new DataLayout(new DirectoryInfo(_data.Path));
        Country = await DemoCountry.StartAsync(layout, Generator.Wards, CancellationToken.None);
        await DemoCommand.SeedAsync(layout, Country, Generator, CancellationToken.None);
        await _browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        if (Country is not null) await Country.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// The counter's flagship flow on a fresh demo, in the browser: the child-allowance clerk files 児童手当 for a household that
/// arrived from 大田区 during seeding, both attachments are omitted with their provenance, the decision is 認定, and the
/// notice is a PDF whose text names the applicant, their address, 品川区長, a 令和 date, the amount and the 教示.
/// </summary>
public sealed class FreshDemoCounterTests(FreshDemoCountry demo, ITestOutputHelper output) : IClassFixture<FreshDemoCountry>
{
    private const string Omitted = "省略（情報連携で確認）";

    [Fact]
    public async Task A_family_that_arrived_from_Ota_during_seeding_gets_its_child_allowance_decided_from_linked_data_with_a_PDF_notice()
    {
        // The family the generator guarantees: moved from 大田区 to 品川区 with a child under 15.
        var generator = demo.Generator;
        var family = generator.Moves
            .Where(m => m.From == DemoWard.Ota.Code && m.To == DemoWard.Shinagawa.Code)
            .Select(m => generator.Residents(DemoWard.Ota).Where(r => r.HouseholdNumber == m.HouseholdNumber).ToList())
            .First(members => members.Any(r => r.Relationship == Relationship.Child
                && r.BirthDate > generator.ReferenceDate.AddYears(-DemoCountryGenerator.YoungChildAge)));
        var shinagawa = demo.Country.Ward(DemoWard.Shinagawa.Code);
        var head = shinagawa.Register.FindByCode(family.Single(r => r.Relationship == Relationship.Head).ResidentCode)!;
        var children = family.Where(r => r.Relationship == Relationship.Child)
            .Select(r => shinagawa.Register.FindByCode(r.ResidentCode)!).ToList();
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime); // the counter's day in Japan
        var monthly = ChildAllowanceRules.Amounts(children.Select(c => c.BirthDate), today).Sum(a => a.MonthlyAmount);
        Assert.True(monthly > 0, "the family's children are counted by the allowance");

        var context = await Chromium.NewContextAsync(demo.Browser, new BrowserNewContextOptions
        {
            BaseURL = shinagawa.ConsoleHost.BaseAddress.ToString(),
            Locale = "ja-JP",
            TimezoneId = "Asia/Tokyo",
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            AcceptDownloads = true,
        });
        await using var _ = context;
        var page = await context.NewPageAsync();

        // kodomo01 logs in with the authenticator's code and works in the child-allowance affair.
        var clerk = shinagawa.Staff.Single(a => a.Id.Value == "kodomo01");
        await page.GotoAsync("/login");
        await page.GetByLabel("職員ID", new() { Exact = true }).FillAsync(clerk.Id.Value);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(clerk.Password);
        await page.GetByLabel("ワンタイムパスワード（確認コード）").FillAsync(clerk.CodeAt(DateTimeOffset.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/affair$"));
        await page.Locator("#affair-child-allowance").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/residents$"));

        // 児童手当 認定請求（転入世帯） for the head: 前住所地 大田区 comes from the arrival, the children are preselected.
        await page.GetByRole(AriaRole.Link, new() { Name = "申請（添付書類の省略）" }).ClickAsync();
        await page.Locator($"#new-{WorkflowCatalogue.ChildAllowanceArrival}").ClickAsync();
        await page.GetByLabel("氏名").FillAsync(head.Name.Full);
        await page.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = $"{head.Name.Full} さんの申請を作成" }).ClickAsync();
        Assert.Equal(DemoWard.Ota.Code.Digits, await page.Locator("#previous").InputValueAsync());
        await page.Locator("#open").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex(@"/applications/\d+$"));

        // Linkage: both attachments omitted, each answer provided by 大田区 with the network's and the ward's record numbers.
        await page.Locator("#run-linkage").ClickAsync();
        await Expect(page.Locator("#message")).ToContainTextAsync("情報照会を実行しました");
        Assert.Equal([Omitted, Omitted], await page.Locator("table[aria-labelledby=attachments] tbody tr td:nth-child(3)").AllTextContentsAsync());
        Assert.Equal(["大田区（131113）", "大田区（131113）"], await page.Locator("#results-table td.provider").AllTextContentsAsync());
        Assert.All(await page.Locator("#results-table td.record").AllTextContentsAsync(), t => Assert.Matches(@"^ネットワーク \d+ ／ 当区 \d+$", t));

        // 認定 after the confirmation step.
        await page.Locator("#decide").ClickAsync();
        await Expect(page.Locator("#proposed-outcome")).ToHaveTextAsync("認定");
        await page.Locator("#confirm-decision").ClickAsync();
        await Expect(page.Locator("#decision-outcome")).ToHaveTextAsync("認定");
        Assert.Equal("情報連携により添付書類を省略して決定", await page.Locator("#decision-linkage").TextContentAsync());
        var amount = monthly.ToString("N0", CultureInfo.InvariantCulture);
        Assert.EndsWith($"月額{amount}円", (await page.Locator("#decision-summary").TextContentAsync())!.Trim());

        // The notice as municipal paper, read back.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#export-notice-pdf").ClickAsync());
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.True(PdfText.IsPdf(pdf));
        var text = PdfText.Read(pdf);
        Assert.Contains(head.Name.Full, text);
        Assert.Contains(head.Address, text);
        Assert.Contains("品川区長", text);
        Assert.Contains(JapaneseEraDate.Format(today), text);
        Assert.StartsWith("令和", JapaneseEraDate.Format(today));
        Assert.Contains($"{amount}円", text);
        Assert.Contains("審査請求", text);
        Assert.Contains("取消訴訟", text);
        Assert.Contains("住民票の写し（前住所地）", text);
        Assert.Contains("前住所地の住民票関係情報", text); // the information used, by name, not by kind code
        Assert.Contains("大田区", text); // the provider by name
        Assert.DoesNotContain("131113", text);
        Assert.DoesNotContain("resident-record", text);
        Assert.DoesNotContain("local-tax", text);
        Assert.False(family.Select(r => shinagawa.Register.FindByCode(r.ResidentCode)!.IndividualNumber!.Value.Digits).Any(text.Contains),
            "the notice holds an individual number");
        output.WriteLine($"notice: {pdf.Length:N0} bytes, {children.Count} child(ren), 月額{amount}円");
    }
}
