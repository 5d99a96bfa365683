using Microsoft.Playwright;
using Xunit;

namespace Renkei.TestSupport.Browser;

/// <summary>
/// Headless Chromium for browser tests, driven by Playwright. The browser is Debian's <c>/usr/bin/chromium</c> (installed
/// by <c>./test</c> with fonts-noto-cjk); Playwright never downloads one. The Playwright driver (Node and its package) comes
/// inside the Microsoft.Playwright NuGet package and is copied to the test output by its build targets.
/// </summary>
public static class Chromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Headless, no sandbox (tests run as root in containers), no GPU, and nothing that talks to the Internet.</summary>
    public static readonly string[] Arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    /// <summary>
    /// How long a test waits for an action or a navigation: generous, because CI runs two test projects at once on two
    /// cores, each with its own services and browser, and a page that answers in a second alone can take tens then.
    /// </summary>
    public const float ActionTimeoutMs = 90_000;

    /// <summary>
    /// A browser context with <see cref="ActionTimeoutMs"/> for actions and navigations, whose pages are scanned for English
    /// sentences (<see cref="PageTextScan"/>: closing or disposing the context fails the test if a page showed one).
    /// </summary>
    public static async Task<IBrowserContext> NewContextAsync(IBrowser browser, BrowserNewContextOptions options)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout(ActionTimeoutMs);
        context.SetDefaultNavigationTimeout(ActionTimeoutMs);
        return PageTextScan.Attach(context);
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: run the tests with ./test, which installs Debian's chromium and fonts-noto-cjk");
        // Belt and braces: even if something asked the driver to install browsers, it must not download one.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = Arguments,
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }
}

/// <summary>One Chromium shared by the tests of a class (each test opens its own context: its own cookies).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync() => (_playwright, Browser) = await Chromium.LaunchAsync();

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>A fresh context (no cookies) in Japanese, with a desktop-sized window.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseAddress) => Chromium.NewContextAsync(Browser, new BrowserNewContextOptions
    {
        BaseURL = baseAddress.ToString(),
        Locale = "ja-JP",
        TimezoneId = "Asia/Tokyo",
        ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
    });
}

/// <summary>
/// Keeps the body of every response a page receives, so a test can scan everything the server sent (redirects have no
/// body and are kept as empty).
/// </summary>
public sealed class ResponseRecorder
{
    private readonly Lock _gate = new();
    private readonly List<Task<(string Url, int Status, string Body)>> _captures = [];

    public ResponseRecorder(IPage page) => page.Response += (_, response) =>
    {
        lock (_gate) _captures.Add(CaptureAsync(response));
    };

    private static async Task<(string, int, string)> CaptureAsync(IResponse response)
    {
        try
        {
            return (response.Url, response.Status, await response.TextAsync());
        }
        catch (PlaywrightException) when (response.Status is >= 300 and < 400)
        {
            return (response.Url, response.Status, "");
        }
        catch (PlaywrightException e) when (e.Message.Contains("navigated away", StringComparison.Ordinal))
        {
            // On a loaded machine the page may follow a link before the body was read: Chromium has dropped it. The page the
            // navigation led to is recorded and scanned in its turn; this one's body cannot be had any more.
            return (response.Url, response.Status, "");
        }
    }

    public async Task<IReadOnlyList<(string Url, int Status, string Body)>> AllAsync()
    {
        Task<(string, int, string)>[] captures;
        lock (_gate) captures = [.. _captures];
        return await Task.WhenAll(captures);
    }
}
