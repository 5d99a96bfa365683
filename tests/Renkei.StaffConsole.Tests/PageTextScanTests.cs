using Renkei.TestSupport.Browser;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// The scan every browser test runs (<see cref="PageTextScan"/>, attached by <see cref="Chromium.NewContextAsync"/>): a page
/// that shows an English sentence fails the test when its context closes, naming the line; Japanese with codes, ids and
/// file names passes.
/// </summary>
public sealed class PageTextScanTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly Uri Blank = new("http://127.0.0.1/");

    [Fact]
    public async Task A_page_with_an_English_sentence_fails_the_test_naming_the_line()
    {
        var context = await browser.NewContextAsync(Blank);
        var page = await context.NewPageAsync();
        await page.SetContentAsync("<main><h1>住民検索</h1><p>the request was refused</p><p>kodomo01 131091 notice-12.pdf PDF</p></main>");
        var failure = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => context.DisposeAsync().AsTask());
        Assert.Contains("the request was refused", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kodomo01", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Japanese_page_with_codes_and_ids_passes()
    {
        var context = await browser.NewContextAsync(Blank);
        var page = await context.NewPageAsync();
        await page.SetContentAsync("<main><h1>操作記録</h1><p>職員ID kodomo01、転出地 大田区（131113）、決定通知書 notice-12.pdf（PDF）</p></main>");
        await context.DisposeAsync();
    }
}
