using Microsoft.Playwright;
using Renkei.TestSupport.Browser;
using static Microsoft.Playwright.Assertions;

namespace Renkei.StaffConsole.Tests;

/// <summary>The comparison page in headless Chromium, in Japanese only (the page-text scan runs on close).</summary>
public class PiaReferenceBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_auditor_sees_the_comparison_in_Japanese()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var auditor = ward.Account("kansa01");
        await page.GotoAsync("/login");
        await page.GetByLabel("職員ID", new() { Exact = true }).FillAsync(auditor.Id.Value);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(auditor.Password);
        await page.GetByLabel("ワンタイムパスワード（確認コード）").FillAsync(ward.NextCode(auditor));
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        await page.Locator("#login-error, #affair-none, .notice, #accounts-hint, #password-hint").First.WaitForAsync();

        // From /pia (a fresh ward: no assessment version yet) by its link; the scan reads both pages' text on close.
        await page.GotoAsync("/pia");
        await page.Locator("#pia-reference-link a").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("特定個人情報保護評価の比較");
        var register = page.Locator("#cmp-resident-register");
        await Expect(register).ToHaveAttributeAsync("data-differs", "true");
        await Expect(register.Locator(".published-shinagawa")).ToContainTextAsync("全項目評価（住民基本台帳に関する事務）");
        await Expect(register.Locator(".published-itabashi")).ToContainTextAsync("全項目評価（住民基本台帳に関する事務）");
        await Expect(page.Locator("#pia-reference-lists li[data-key=itabashi]")).ToContainTextAsync("板橋区：44 件");
    }
}
