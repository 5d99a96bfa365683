using Microsoft.Playwright;
using Renkei.TestSupport.Browser;
using Xunit.Abstractions;

namespace Renkei.Portal.Tests;

/// <summary>What the browser tests do on the portal's pages.</summary>
internal static class PortalPages
{
    public const string UserPin = Renkei.Cli.Demo.DemoCards.UserPin;

    /// <summary>Puts the card file in the page's card reader and waits until the reader shows it inserted.</summary>
    public static async Task InsertCardAsync(IPage page, string cardFile)
    {
        await page.Locator("#card-file").SetInputFilesAsync(cardFile);
        await Microsoft.Playwright.Assertions.Expect(page.Locator("[data-reader-status]")).ToContainTextAsync("カードが挿入されています");
    }

    /// <summary>Types the PIN and presses ログイン (the page signs in the browser and posts).</summary>
    public static async Task SubmitPinAsync(IPage page, string pin)
    {
        await page.Locator("#pin").FillAsync(pin);
        await page.Locator("#login-button").ClickAsync();
    }

    /// <summary>Logs in with the card and waits for the top page.</summary>
    public static async Task<IPage> LoginAsync(IBrowserContext context, string cardFile)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await InsertCardAsync(page, cardFile);
        await SubmitPinAsync(page, UserPin);
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/", new() { Timeout = 60_000 });
        return page;
    }

    /// <summary>A full-page screenshot into the test output and, when RENKEI_SCREENSHOTS is set, there (docs/screenshots).</summary>
    public static Task ScreenshotAsync(IPage page, string name, ITestOutputHelper output) => Screenshots.SaveAsync(page, name, output);
}
