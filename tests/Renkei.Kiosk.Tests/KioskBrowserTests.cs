using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Renkei.Cli.Commands;
using Renkei.Cli.Demo;
using Renkei.Country;
using Renkei.Core.Numbers;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.TestSupport;
using Renkei.TestSupport.Browser;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Renkei.Kiosk.Tests;

/// <summary>
/// The demo country exactly as <c>renkei demo</c> seeds it, with its issuance centre and kiosk, and one headless Chromium
/// at the kiosk's portrait touch screen (1080×1920). The kiosk's calls to the centre are captured (bodies in both
/// directions) to be scanned for numbers and resident-record codes.
/// </summary>
public sealed class KioskCountry : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly BrowserFixture _browser = new();

    internal DataLayout Layout { get; private set; } = null!;
    internal DemoCountry Country { get; private set; } = null!;
    public IBrowser Browser => _browser.Browser;

    public async Task InitializeAsync()
    {
        Layout = new DataLayout(new DirectoryInfo(_data.Path));
        var generator = new DemoCountryGenerator(6, 900);
        // The kiosk service hours decided as at a weekday's 10:00 Japan time (the test runs at any hour and on any day).
        var weekdayMorning = new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.FromHours(9));
        Country = await DemoCountry.StartAsync(Layout, generator.Wards, CancellationToken.None, kioskClockShift: weekdayMorning - DateTimeOffset.UtcNow,
            adjust: builder => builder.Kiosks.Single().With(new KioskOutgoingHandler(() => new CapturingHandler(Traffic) { InnerHandler = new SocketsHttpHandler() })));
        await DemoCommand.SeedAsync(Layout, Country, generator, CancellationToken.None);
        await _browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        if (Country is not null) await Country.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>Every body the kiosk sent to the centre and got back, as text.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Traffic { get; } = new();

    public KioskTerminal Terminal => Country.Kiosk.Services.GetRequiredService<KioskTerminal>();

    /// <summary>A card of a current 品川区 resident living with others (世帯全員 then lists several people), with its holder.</summary>
    public (string CardFile, Resident Holder, Household Household) ShinagawaCard()
    {
        var ward = Country.Ward(LocalGovernmentCode.ParseOrThrow("131091"));
        var candidates = Directory.GetFiles(Path.Combine(DemoCards.Directory(Layout), "131091"), "*.card").Order(StringComparer.Ordinal)
            .Select(file => (File: file, Resident: ward.Register.Find(long.Parse(Path.GetFileNameWithoutExtension(file), System.Globalization.CultureInfo.InvariantCulture))))
            .Where(c => c.Resident is { Status: RegisterStatus.Resident })
            .Select(c => (c.File, c.Resident!, ward.Register.FindHousehold(c.Resident!.HouseholdNumber)!))
            .ToList();
        Assert.NotEmpty(candidates);
        return candidates.OrderByDescending(c => c.Item3.Members.Count).First();
    }

    public Task<IBrowserContext> NewContextAsync(int width = 1080, int height = 1920) => Chromium.NewContextAsync(Browser, new BrowserNewContextOptions
    {
        BaseURL = Country.Kiosk.BaseAddress.ToString(),
        Locale = "ja-JP",
        TimezoneId = "Asia/Tokyo",
        ViewportSize = new ViewportSize { Width = width, Height = height },
        AcceptDownloads = true,
    });
}

/// <summary>
/// A resident at the kiosk as in a store: card, PIN, 住民票の写し（世帯全員）, payment, the card taken back, the certificate
/// out; the PDF's text matches the register and carries no number or resident-record code; afterwards the kiosk holds
/// nothing of the transaction (its terminal, its screen, the card reader's copy of the card).
/// </summary>
public sealed class KioskBrowserTests(KioskCountry demo, ITestOutputHelper output) : IClassFixture<KioskCountry>
{
    private const string Pin = DemoCards.UserPin;

    private static async Task InsertCardAndPinAsync(IPage page, string cardFile, string pin)
    {
        await page.Locator("#start").ClickAsync();
        await Expect(page.Locator("#screen-consent")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.Locator("#agree").ClickAsync();
        await page.Locator("#card-file").SetInputFilesAsync(cardFile);
        await Expect(page.Locator("#screen-pin")).ToBeVisibleAsync();
        foreach (var digit in pin) await page.Locator($"[data-digit='{digit}']").ClickAsync();
        await page.Locator("#pin-ok").ClickAsync();
    }

    [Fact]
    public async Task A_resident_gets_a_household_residence_record_at_the_kiosk_and_the_kiosk_keeps_nothing()
    {
        var (cardFile, holder, household) = demo.ShinagawaCard();
        await using var context = await demo.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.Locator("#location")).ToHaveTextAsync(DemoCountry.KioskLocation);
        await Screenshots.SaveAsync(page, "kiosk-1-welcome", output);

        await InsertCardAndPinAsync(page, cardFile, Pin);
        await Expect(page.Locator("#screen-menu")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#menu-ward")).ToHaveTextAsync("品川区");
        await Screenshots.SaveAsync(page, "kiosk-2-menu", output);

        await page.Locator("[data-kind='juminhyo']").ClickAsync();
        await Screenshots.SaveAsync(page, "kiosk-3-scope", output);
        await page.Locator("[data-option='household']").ClickAsync();
        await Expect(page.Locator("#confirm-option")).ToHaveTextAsync("世帯全員");
        var fee = await page.Locator("#confirm-fee").TextContentAsync();
        Assert.Equal("200円", fee);
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page.Locator("#pay-ok")).ToBeDisabledAsync();
        await page.Locator("[data-coin='100']").ClickAsync();
        await Expect(page.Locator("#pay-ok")).ToBeDisabledAsync(); // 100円 is not enough
        await page.Locator("[data-coin='500']").ClickAsync();
        await Screenshots.SaveAsync(page, "kiosk-4-payment", output);
        await page.Locator("#pay-ok").ClickAsync();

        // The card must come back before anything is printed.
        await Expect(page.Locator("#screen-take-card")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "kiosk-5-take-card", output);
        Assert.True(demo.Terminal.HoldsTransaction);
        await page.Locator("#take-card").ClickAsync();
        await Expect(page.Locator("#screen-done")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#done-change")).ToHaveTextAsync("400円");
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('renkei.card-reader.inserted-card')"));
        await Screenshots.SaveAsync(page, "kiosk-6-take-certificate", output);

        var printed = await page.Locator("#done-output").GetAttributeAsync("href");
        Assert.StartsWith("/api/output/", printed);
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#done-output").ClickAsync());
        var pdf = await File.ReadAllBytesAsync(await download.PathAsync());
        DocumentSamples.Save("kiosk-residence-record", pdf);
        await Expect(page.Locator("#screen-thanks")).ToBeVisibleAsync();

        // The paper: the register's household, the ward as issuer, no number and no resident-record code.
        var text = PdfText.Read(pdf);
        Assert.Contains("住民票", text);
        Assert.Contains("品川区長", text);
        foreach (var member in household.Members)
        {
            Assert.Contains(Compact(member.Name.Full), Compact(text));
            if (member.IndividualNumber is { } number) Assert.DoesNotContain(number.Digits, Digits(text));
            Assert.DoesNotContain(member.ResidentCode.Digits, Digits(text));
        }
        Assert.Contains(Compact(holder.Address), Compact(text));

        // Anyone can verify the paper (renkei certificate verify, trust from J-LIS); one changed character, or the 2D code of
        // another certificate (a counter one of the same person, made by the CLI on the ward's data), is refused.
        var directory = Path.Combine(demo.Layout.Root.FullName, "verify");
        Directory.CreateDirectory(directory);
        var kioskFile = Path.Combine(directory, "kiosk.pdf");
        await File.WriteAllBytesAsync(kioskFile, pdf);
        Assert.Equal((0, true, "131091"), await VerifyAsync(kioskFile));
        var edited = Path.Combine(directory, "edited.pdf");
        await File.WriteAllBytesAsync(edited, PdfTamper.ChangeOneCharacter(pdf));
        Assert.Equal((1, false, "131091"), await VerifyAsync(edited));
        var counterFile = Path.Combine(directory, "counter.pdf");
        var counter = await CliProcess.RunAsync(demo.Layout.Root.FullName, "certificate", "issue", "--municipality", "131091", "--kind", "juminhyo",
            "--resident", holder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", counterFile);
        Assert.True(counter.ExitCode == 0, counter.StandardError);
        Assert.Equal((0, true, "131091"), await VerifyAsync(counterFile));
        var copied = Path.Combine(directory, "copied-code.pdf");
        await File.WriteAllBytesAsync(copied, PdfTamper.CopyCode(await File.ReadAllBytesAsync(counterFile), pdf));
        Assert.Equal(1, (await VerifyAsync(copied)).ExitCode);

        // The centre's public verification page (真正性確認) says the same and shows the signed fields.
        var verifyPage = await context.NewPageAsync();
        await verifyPage.GotoAsync(new Uri(demo.Country.IssuanceCentre.BaseAddress, "verify").ToString());
        await verifyPage.Locator("#file").SetInputFilesAsync(kioskFile);
        await verifyPage.GetByRole(AriaRole.Button, new() { Name = "確認する" }).ClickAsync();
        await Expect(verifyPage.Locator("#verify-result")).ToHaveAttributeAsync("data-reason", "genuine");
        await Expect(verifyPage.Locator("#verify-fields")).ToContainTextAsync("品川区（131091）");
        await Expect(verifyPage.Locator("#verify-fields")).ToContainTextAsync("令和");
        await Screenshots.SaveAsync(verifyPage, "kiosk-verify-genuine", output);
        await verifyPage.Locator("#file").SetInputFilesAsync(edited);
        await verifyPage.GetByRole(AriaRole.Button, new() { Name = "確認する" }).ClickAsync();
        await Expect(verifyPage.Locator("#verify-result")).ToHaveAttributeAsync("data-reason", "text-mismatch");

        // Nothing that crossed the wire between the kiosk and the centre names anyone's number or resident-record code.
        var traffic = string.Join("\n", demo.Traffic);
        Assert.Contains("sessionId", traffic, StringComparison.OrdinalIgnoreCase);
        foreach (var member in household.Members)
        {
            if (member.IndividualNumber is { } number) Assert.DoesNotContain(number.Digits, traffic, StringComparison.Ordinal);
            Assert.DoesNotContain(member.ResidentCode.Digits, traffic, StringComparison.Ordinal);
        }

        // The kiosk holds nothing: no transaction, nothing to download again, nothing on the screen, no card in the reader.
        Assert.False(demo.Terminal.HoldsTransaction);
        var again = await context.APIRequest.GetAsync(printed!);
        Assert.Equal(409, again.Status);
        Assert.Equal("#", await page.Locator("#done-output").GetAttributeAsync("href"));
        var screen = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain(Compact(holder.Name.Full), Compact(screen));
    }

    [Fact]
    public async Task A_wrong_PIN_says_how_many_tries_are_left_and_nothing_is_asked_of_the_centre()
    {
        var (cardFile, _, _) = demo.ShinagawaCard();
        await using var context = await demo.NewContextAsync(1280, 800);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        await InsertCardAndPinAsync(page, cardFile, "9999");
        await Expect(page.Locator("#pin-error")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(page.Locator("#pin-error")).ToHaveAttributeAsync("data-code", "wrong-pin");
        await Expect(page.Locator("#pin-error")).ToContainTextAsync("2");
        await Screenshots.SaveAsync(page, "kiosk-wrong-pin", output);
        // やめる: the card is ejected and the terminal holds nothing.
        await page.Locator("#screen-pin [data-cancel]").ClickAsync();
        await Expect(page.Locator("#screen-welcome")).ToBeVisibleAsync();
        for (var i = 0; i < 50 && demo.Terminal.HoldsTransaction; i++) await Task.Delay(100);
        Assert.False(demo.Terminal.HoldsTransaction);
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('renkei.card-reader.inserted-card')"));
    }

    private async Task<(int ExitCode, bool Genuine, string? Issuer)> VerifyAsync(string file)
    {
        var outcome = await CliProcess.RunAsync(demo.Layout.Root.FullName, "certificate", "verify", file, "--jlis", demo.Country.JlisAddress.ToString(), "--json");
        output.WriteLine(outcome.StandardOutput);
        using var json = System.Text.Json.JsonDocument.Parse(outcome.StandardOutput);
        return (outcome.ExitCode, json.RootElement.GetProperty("genuine").GetBoolean(), json.RootElement.GetProperty("issuer").GetString());
    }

    private static string Compact(string text) => new(text.Where(c => !char.IsWhiteSpace(c) && c != '　').ToArray());

    private static string Digits(string text) => new(text.Where(char.IsAsciiDigit).ToArray());
}

/// <summary>Records the bodies of the kiosk's requests to the centre and of the centre's answers.</summary>
internal sealed class CapturingHandler(System.Collections.Concurrent.ConcurrentQueue<string> traffic) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null) traffic.Enqueue(await request.Content.ReadAsStringAsync(cancellationToken));
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        traffic.Enqueue(await response.Content.ReadAsStringAsync(cancellationToken));
        return response;
    }
}
