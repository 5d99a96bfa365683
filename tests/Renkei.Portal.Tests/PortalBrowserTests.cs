using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Storage;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Network.Contracts;
using Renkei.TestSupport.Browser;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Renkei.Portal.Tests;

/// <summary>
/// The citizen portal in headless Chromium against the seeded demo country after the attachments scenario: the family's
/// parent logs in with their card file through the in-page card reader; the history shows exactly the network's records
/// about them; a record's proof verifies in the page and a tampered one does not; CSV export; notices; wrong and locked
/// PINs; suspended and revoked certificates.
/// </summary>
[Collection(PortalCountryCollection.Name)]
public sealed class PortalBrowserTests(PortalCountry country, ITestOutputHelper output)
{
    private const string TwelveDigits = "(?<![0-9a-fA-F])[0-9]{12}(?![0-9a-fA-F])";
    private const string SixteenDigits = "(?<![0-9a-fA-F])[0-9]{16}(?![0-9a-fA-F])";

    [Fact]
    public async Task The_parent_sees_exactly_the_network_records_about_them_verifies_one_and_a_tampered_proof_fails()
    {
        var expected = await country.NetworkRecordsAboutAsync(country.Scenario.ParentCardFile);
        Assert.NotEmpty(expected);
        Assert.All(country.Scenario.NetworkRecordSequences, s => Assert.Contains(expected, r => r.Sequence == s));

        await using var context = await country.NewContextAsync();
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);
        var recorder = new ResponseRecorder(page);
        await page.GotoAsync("/history");

        // Exactly the network's records about the person, newest first — no one else's.
        var shown = (await page.Locator("#history-table tbody tr[data-sequence]").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.sequence))")).ToList();
        Assert.Equal(expected.Select(r => r.Sequence).Order(), shown.Order());
        Assert.Equal(expected.OrderByDescending(r => r.RecordedAt).ThenByDescending(r => r.Sequence).Select(r => r.Sequence), shown);

        // The scenario's linkage: 品川区 asked 大田区, by name, with the affair and kind named, and the time in the era.
        var sequence = country.Scenario.NetworkRecordSequences[0];
        var row = page.Locator($"#history-table tr[data-sequence='{sequence}']");
        await Expect(row.Locator("td[data-label='照会機関']")).ToHaveTextAsync("品川区");
        await Expect(row.Locator("td[data-label='提供機関']")).ToHaveTextAsync("大田区");
        await Expect(row.Locator("td[data-label='結果']")).ToHaveTextAsync("提供");
        await Expect(row.Locator("td[data-label='日時']")).ToContainTextAsync("令和");
        var record = expected.Single(r => r.Sequence == sequence);
        Assert.NotEqual(record.Affair, (await row.Locator("td[data-label='事務']").TextContentAsync())!.Trim());

        // 検証: every step passes against the network's signed tree head.
        await row.Locator("button.verify").ClickAsync();
        var verdict = page.Locator($"#verify-{sequence} .verdict");
        await Expect(verdict).ToContainTextAsync("検証済み", new() { Timeout = 30_000 });
        // Leaf, hash, position, path, head signature, name-table signature, shown names, consistency with the kept head.
        Assert.Equal(8, await page.Locator($"#verify-{sequence} li.passed").CountAsync());
        await Expect(row.Locator("td[data-label='記録番号']")).ToHaveTextAsync(sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var kept = await page.EvaluateAsync<string>("() => localStorage.getItem('renkei.provisionRecords.lastVerifiedHead')");
        Assert.Contains("\"rootHash\"", kept);
        await PortalPages.ScreenshotAsync(page, "portal-history", output);

        // A proof altered on the way (one sibling hash of the audit path) fails in the page.
        await page.RouteAsync("**/history/proof?*", async route =>
        {
            var response = await route.FetchAsync();
            var proof = JsonNode.Parse(await response.TextAsync())!;
            var path = proof["auditPath"]!.AsArray();
            var first = path[0]!.GetValue<string>();
            path[0] = (first[0] == '0' ? "1" : "0") + first[1..];
            await route.FulfillAsync(new() { Response = response, Body = proof.ToJsonString() });
        });
        await row.Locator("button.verify").ClickAsync();
        await Expect(verdict).ToContainTextAsync("検証失敗", new() { Timeout = 30_000 });
        await Expect(page.Locator($"#verify-{sequence} li.failed")).ToContainTextAsync("監査パスの検証");
        await page.UnrouteAsync("**/history/proof?*");

        // A leaf that says something other than the row (another affair) fails at the comparison.
        await page.RouteAsync("**/history/proof?*", async route =>
        {
            var response = await route.FetchAsync();
            var proof = JsonNode.Parse(await response.TextAsync())!;
            var leaf = JsonNode.Parse(Convert.FromBase64String(proof["leafData"]!.GetValue<string>()))!;
            leaf["affair"] = "public-assistance";
            proof["leafData"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(leaf.ToJsonString()));
            await route.FulfillAsync(new() { Response = response, Body = proof.ToJsonString() });
        });
        await row.Locator("button.verify").ClickAsync();
        await Expect(verdict).ToContainTextAsync("検証失敗", new() { Timeout = 30_000 });
        await Expect(page.Locator($"#verify-{sequence} li.failed")).ToContainTextAsync("事務");
        await page.UnrouteAsync("**/history/proof?*");

        // A visible name altered in the page (the provider shown as another ward) fails: names are bound to the leaf
        // through the network's signed name table, not only the hidden codes.
        await row.Locator("td[data-label='提供機関']").EvaluateAsync("cell => cell.textContent = '板橋区'");
        await row.Locator("button.verify").ClickAsync();
        await Expect(verdict).ToContainTextAsync("検証失敗", new() { Timeout = 30_000 });
        await Expect(page.Locator($"#verify-{sequence} li.failed")).ToContainTextAsync("表示名称との照合");
        await row.Locator("td[data-label='提供機関']").EvaluateAsync("cell => cell.textContent = '大田区'");
        await row.Locator("button.verify").ClickAsync();
        await Expect(verdict).ToContainTextAsync("検証済み", new() { Timeout = 30_000 });

        // A head kept from a log that was since rewritten (another root at an earlier size) is not extended by today's:
        // the consistency step fails, and the kept head stays as evidence.
        const string Fork = """
            () => {
              const kept = JSON.parse(localStorage.getItem('renkei.provisionRecords.lastVerifiedHead'));
              kept.treeSize = Math.max(1, kept.treeSize - 1);
              kept.rootHash = 'ab'.repeat(32);
              localStorage.setItem('renkei.provisionRecords.lastVerifiedHead', JSON.stringify(kept));
              return localStorage.getItem('renkei.provisionRecords.lastVerifiedHead');
            }
            """;
        var forked = await page.EvaluateAsync<string>(Fork);
        await row.Locator("button.verify").ClickAsync();
        await Expect(verdict).ToContainTextAsync("検証失敗", new() { Timeout = 30_000 });
        await Expect(page.Locator($"#verify-{sequence} li.failed")).ToContainTextAsync("前回確認した記録との一貫性");
        Assert.Equal(forked, await page.EvaluateAsync<string>("() => localStorage.getItem('renkei.provisionRecords.lastVerifiedHead')"));
        await page.EvaluateAsync("() => localStorage.removeItem('renkei.provisionRecords.lastVerifiedHead')");

        // A record the network has no proof of about the person: the page shows the problem's detail.
        var verify = page.Locator($"#history-table button.verify[aria-controls='verify-{sequence}']");
        await row.EvaluateAsync("r => r.dataset.sequence = '999999999'");
        await verify.ClickAsync();
        await Expect(verdict).ToHaveTextAsync("検証失敗 — この記録の証明はありません。", new() { Timeout = 30_000 });
        await verify.EvaluateAsync($"b => b.closest('tr').dataset.sequence = '{sequence}'");

        // CSV: UTF-8 with BOM, Japanese headers, one line per shown record.
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#csv-export").ClickAsync());
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("記録番号,日時,照会機関,提供機関,事務,情報,結果", lines[0]);
        Assert.Equal(shown.Select(s => s.ToString()), lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Contains(lines, l => l.StartsWith(sequence + ",", StringComparison.Ordinal) && l.Contains(",品川区,大田区,") && l.EndsWith(",提供"));

        // The institution filter keeps the records where 大田区 is inquirer or provider.
        await page.Locator("#institution").SelectOptionAsync(new SelectOptionValue { Label = "大田区" });
        await page.Locator("form[aria-label='絞り込み'] button[type=submit]").ClickAsync();
        var filtered = await page.Locator("#history-table tbody tr[data-sequence]").EvaluateAllAsync<long[]>("rows => rows.map(r => Number(r.dataset.sequence))");
        Assert.Equal(expected.Where(r => r.Inquirer == "131113" || r.Provider == "131113").Select(r => r.Sequence).Order(), filtered.Order());
        // A period that ended before the records gives none.
        await page.GotoAsync("/history?from=2000-01-01&to=2000-12-31");
        await Expect(page.Locator("#history-count")).ToContainTextAsync("0 件");

        // Nothing the portal sent holds an individual number or a 16-digit token.
        foreach (var (url, _, body) in await recorder.AllAsync())
        {
            Assert.DoesNotMatch(TwelveDigits, body);
            Assert.DoesNotMatch(SixteenDigits, body);
            Assert.DoesNotMatch(SixteenDigits, url);
        }

        // Logout ends the session and takes the card out of the browser's reader: the history asks for a login again,
        // and the card file is no longer in this browser's storage.
        await page.GotoAsync("/");
        Assert.NotNull(await page.EvaluateAsync<string?>("() => localStorage.getItem('renkei.card-reader.inserted-card')"));
        await page.Locator("form.logout button").ClickAsync();
        await page.WaitForURLAsync("**/login?done=logout");
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('renkei.card-reader.inserted-card')"));
        await page.GotoAsync("/history");
        Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task The_history_fits_a_phone_sized_screen()
    {
        await using var context = await country.NewContextAsync(width: 375);
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);
        await page.GotoAsync("/history");
        await Expect(page.Locator("#history-table tbody tr[data-sequence]").First).ToBeVisibleAsync();
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow}px at 375px");
        await PortalPages.ScreenshotAsync(page, "portal-history-phone", output);
    }

    [Fact]
    public async Task Wrong_PINs_show_the_remaining_attempts_and_the_third_locks_the_card_even_against_the_right_PIN()
    {
        var cardFile = country.OtherCards()[0];
        await using var context = await country.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await PortalPages.InsertCardAsync(page, cardFile);
        var error = page.Locator("#login-error");

        await PortalPages.SubmitPinAsync(page, "0000");
        await Expect(error).ToContainTextAsync("暗証番号が違います");
        await Expect(error).ToContainTextAsync("残り2回");
        await PortalPages.SubmitPinAsync(page, "0001");
        await Expect(error).ToContainTextAsync("残り1回");
        await PortalPages.SubmitPinAsync(page, "0002");
        await Expect(error).ToContainTextAsync("暗証番号がロックされています。お住まいの市区町村の窓口で暗証番号の再設定を行ってください");
        await Expect(page.Locator("[data-reader-status]")).ToContainTextAsync("ロック中");

        // Locked: the right PIN is refused too, and nothing was posted.
        await PortalPages.SubmitPinAsync(page, PortalPages.UserPin);
        await Expect(error).ToHaveAttributeAsync("data-code", "pin-locked");
        await Expect(error).ToContainTextAsync("暗証番号がロックされています");
        Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
        // A PIN of the wrong form is not a try (and says what is wrong).
        await PortalPages.SubmitPinAsync(page, "12a");
        await Expect(error).ToContainTextAsync("数字4桁");

        // The honest limit: the counters live in the browser's copy; the card file itself was not touched.
        Assert.Equal(3, SoftwareCard.Open(new SoftwareCardFile(cardFile)).RemainingAttempts(CardPinKind.UserAuthentication));
    }

    [Fact]
    public async Task A_suspended_and_a_revoked_certificate_cannot_log_in_and_each_says_why()
    {
        var cards = country.OtherCards();
        var suspended = cards[1];
        var revoked = cards[2];
        await country.CardServiceFor(suspended).SuspendAsync(new SuspendCardRequest(Guid.NewGuid(), SoftwareCard.Open(new SoftwareCardFile(suspended)).Number, null,
            SuspensionReason.Lost, SuspensionChannel.Phone, "portal-test"));
        await country.CardServiceFor(revoked).RevokeAsync(new RevokeCardRequest(Guid.NewGuid(), SoftwareCard.Open(new SoftwareCardFile(revoked)).Number, null,
            CardRevocationReason.Surrendered, "portal-test"));

        await using var context = await country.NewContextAsync();
        foreach (var (file, code, text) in new[]
        {
            (suspended, PortalLoginRefusalCodes.CertificateSuspended, "一時保留（利用停止）中"),
            (revoked, PortalLoginRefusalCodes.CertificateRevoked, "失効しています"),
        })
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/login");
            await PortalPages.InsertCardAsync(page, file);
            await PortalPages.SubmitPinAsync(page, PortalPages.UserPin);
            var refused = page.Locator("#login-refused");
            await Expect(refused).ToHaveAttributeAsync("data-code", code, new() { Timeout = 60_000 });
            await Expect(refused).ToContainTextAsync(text);
            await page.GotoAsync("/history");
            Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
        }
    }

    [Fact]
    public async Task A_notice_pushed_by_the_ward_shows_unread_opens_and_is_then_read()
    {
        // 品川区 pushes a notice to the parent by its own token, sealed to the portal, as the ward's systems would.
        var ward = country.Country.Wards.Single(w => w.Descriptor.Code.Digits == "131091");
        var addressee = new AddresseeSystem(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = "portal-test" })
            .ForResident(country.Scenario.Parent) ?? throw new InvalidOperationException("the parent has no addressee number");
        var token = (await new TokenStore(ward.IntermediateDatabase).TokenOfAsync("131091", addressee.ToInt64()))
            ?? throw new InvalidOperationException("品川区 holds no token for the parent");
        var portal = country.Country.Network.Registry.Find(PortalRoutes.DemoPortalCode)!;
        var noticeId = Guid.NewGuid();
        var content = new NoticeContent("児童手当の認定について", "情報連携により、添付書類なしで児童手当を認定しました。\n支給は翌月からです。", "子育て", null);
        var sealedContent = MessageSealing.Seal(Convert.FromBase64String(portal.SealingPublicKey), JsonSerializer.SerializeToUtf8Bytes(content, JsonDefaults.Options),
            MessageSealing.AssociatedData(PushNoticeRequest.SealingContext(noticeId, "131091")));
        using (var keys = InstitutionKeys.LoadOrCreate(country.Layout.MunicipalityInstitutionKeyDirectory(ward.Descriptor.Code)))
        using (var http = SigningHandler.CreateClient(country.Country.Network.BaseAddress, "131091", keys.Signing, NodeRoutes.NetworkInstitutionCode))
            await new NetworkHttpClient(http).PushNoticeAsync(new PushNoticeRequest(noticeId, "131091", token, PortalRoutes.DemoPortalCode, sealedContent));

        await using var context = await country.NewContextAsync();
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);
        await Expect(page.Locator("main")).ToContainTextAsync("未読のお知らせが");
        await page.GotoAsync("/notices");
        var row = page.Locator($"#notices-table tr[data-notice='{noticeId}']");
        await Expect(row).ToHaveClassAsync("unread");
        await Expect(row.Locator("td[data-label='差出人']")).ToHaveTextAsync("品川区");
        // Unread notices come first.
        Assert.Equal(noticeId.ToString(), await page.Locator("#notices-table tbody tr").First.GetAttributeAsync("data-notice"));
        await PortalPages.ScreenshotAsync(page, "portal-notices", output);

        await row.Locator("a").ClickAsync();
        await Expect(page.Locator("#notice h1")).ToHaveTextAsync("児童手当の認定について");
        await Expect(page.Locator("#notice")).ToContainTextAsync("支給は翌月からです。");
        await page.GotoAsync("/notices");
        await Expect(page.Locator($"#notices-table tr[data-notice='{noticeId}']")).ToHaveClassAsync("read");
        await Expect(page.Locator($"#notices-table tr[data-notice='{noticeId}'] .badge")).ToHaveTextAsync("既読");
    }

    [Fact]
    public async Task Pages_carry_a_script_policy_of_the_portal_only_and_are_never_cached()
    {
        using var http = new HttpClient { BaseAddress = country.Portal };
        using var response = await http.GetAsync("/login");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString());
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch("<script(?![^>]*src=)", html); // no inline script
        using var script = await http.GetAsync("/assets/card-reader.js");
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        using var missing = await http.GetAsync("/assets/..%2Fportal.css");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("name=\"__RequestVerificationToken\"", html);
    }
}
