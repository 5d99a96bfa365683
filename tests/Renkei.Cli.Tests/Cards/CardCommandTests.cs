using System.Diagnostics;
using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Contracts;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Cards;

public class CardValidityCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Seed_example_prints_the_exact_json()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "card", "validity", "--birth", "1980-01-15", "--issued", "2016-05-10", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("{\"cardExpires\":\"2026-01-15\",\"userCertificateExpires\":\"2021-01-15\",\"signingCertificateExpires\":\"2021-01-15\",\"renewalFrom\":\"2025-10-15\"}",
            outcome.StandardOutput.Trim());
    }

    [Fact]
    public async Task A_child_gets_five_years_and_no_signing_certificate()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "card", "validity", "--birth", "2014-08-20", "--issued", "2022-04-01", "--json");

        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("{\"cardExpires\":\"2026-08-20\",\"userCertificateExpires\":\"2026-08-20\",\"signingCertificateExpires\":null,\"renewalFrom\":\"2026-05-20\"}",
            outcome.StandardOutput.Trim());
    }

    [Theory]
    [InlineData("1980-02-30", "2016-05-10", "--birth must be a calendar date")]
    [InlineData("1980-01-15", "10 May 2016", "--issued must be a calendar date")]
    [InlineData("2017-01-01", "2016-05-10", "before the birth date")]
    [InlineData("1980-01-15", "2015-12-31", "first issued on 2016-01-01")]
    public async Task Bad_dates_exit_2_with_the_reason(string birth, string issued, string reason)
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "card", "validity", "--birth", birth, "--issued", issued, "--json");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(reason, outcome.StandardError);
        Assert.Equal("", outcome.StandardOutput.Trim());
    }
}

/// <summary>The lifecycle through the real command, on a data directory whose J-LIS has designated a number.</summary>
public class CardLifecycleCommandTests : IDisposable
{
    private const string Passphrase = "cli-test-jpki-passphrase";
    private const string SigningPin = "CLITEST2026";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private IndividualNumber DesignateNumber()
    {
        var layout = new DataLayout(new DirectoryInfo(_data.Path));
        using var numbering = NumberingService.Open(layout.JlisDatabase(), layout.JlisKeyFile);
        return numbering.DeriveNumber(new DeriveNumberRequest(Guid.NewGuid(), LocalGovernmentCode.ParseOrThrow("131091"), ResidentCode.FromBody(4_711_000_123)))
            .IndividualNumber;
    }

    private async Task<CliProcess.Outcome> Run(string? standardInput, params string[] arguments)
    {
        // Every J-LIS-facing card command acts as a ward, signing with its key: here 品川区, the holder's ward.
        if (arguments is ["card", not "validity", ..] && !arguments.Contains("--municipality")) arguments = [.. arguments, "--municipality", "131091"];
        var info = CliProcess.StartInfo(_data.Path, arguments);
        info.Environment["RENKEI_JPKI_PASSPHRASE"] = Passphrase;
        info.RedirectStandardInput = true;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(standardInput ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliProcess.Outcome(process.ExitCode, await output, await error);
    }

    private static JsonElement Json(CliProcess.Outcome outcome)
    {
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        return JsonDocument.Parse(outcome.StandardOutput).RootElement.Clone();
    }

    [Fact]
    public async Task Apply_issue_handover_suspend_resume_unlock_and_revoke()
    {
        var number = DesignateNumber();
        var cardFile = Path.Combine(_data.Path, "holder.card");
        var outputs = new List<CliProcess.Outcome>();
        async Task<CliProcess.Outcome> Step(string? input, params string[] arguments)
        {
            var outcome = await Run(input, arguments);
            outputs.Add(outcome);
            return outcome;
        }

        var applied = Json(await Step(null, "card", "apply", "--municipality", "131091", "--number", number.Digits, "--name", "番号 太郎",
            "--address", "東京都品川区広町二丁目1番36号", "--birth", "1980-01-15", "--sex", "male", "--channel", "notification-letter", "--json"));
        Assert.Equal("new", applied.GetProperty("kind").GetString());

        var issued = Json(await Step(null, "card", "issue", "--application", applied.GetProperty("applicationId").GetString()!, "--operator", "jlis-issuance", "--json"));
        var cardNumber = issued.GetProperty("cardNumber").GetString()!;
        Assert.Equal("awaitingHandover", issued.GetProperty("state").GetString());

        var noCheck = await Step("user-authentication=4821\n", "card", "handover", "--card", cardNumber, "--card-file", cardFile);
        Assert.Equal(2, noCheck.ExitCode);
        Assert.Contains("identity must be checked", noCheck.StandardError);

        var handed = Json(await Step($"user-authentication=4821\nsigning={SigningPin}\n", "card", "handover", "--card", cardNumber, "--card-file", cardFile,
            "--checked-by", "clerk-07", "--document", "drivers-licence", "--notification-card-collected", "--operator", "clerk-07", "--json"));
        Assert.Equal("active", handed.GetProperty("state").GetString());
        Assert.Equal("good", handed.GetProperty("signingCertificate").GetProperty("status").GetString());
        Assert.True(File.Exists(cardFile));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cardFile));

        var suspended = Json(await Step(null, "card", "suspend", "--number", number.Digits, "--reason", "lost", "--channel", "phone",
            "--operator", "call-centre-03", "--json"));
        Assert.Equal("suspended", suspended.GetProperty("state").GetString());
        Assert.Equal("suspended", suspended.GetProperty("userCertificate").GetProperty("status").GetString());

        var refused = await Step(null, "card", "resume", "--card", cardNumber);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("identity-check-required", refused.StandardError);

        var resumed = Json(await Step(null, "card", "resume", "--card", cardNumber, "--checked-by", "clerk-07", "--document", "passport", "--json"));
        Assert.Equal("active", resumed.GetProperty("state").GetString());
        Assert.Equal("good", resumed.GetProperty("userCertificate").GetProperty("status").GetString());

        // Lock the user PIN on the card file, then unlock it at the counter.
        var card = Renkei.Core.Cards.SoftwareCard.Open(new SoftwareCardFile(cardFile));
        for (var i = 0; i < 3; i++)
            Assert.Throws<Renkei.Core.Cards.CardPinException>(() =>
                card.VerifyPin(Renkei.Core.Cards.CardPin.Parse(Renkei.Core.Cards.CardPinKind.UserAuthentication, "0000")));
        var locked = Json(await Step(null, "card", "status", "--card-file", cardFile, "--json"));
        Assert.Contains(locked.GetProperty("pins").EnumerateArray(), p => p.GetProperty("pin").GetString() == "user-authentication" && p.GetProperty("locked").GetBoolean());

        var unlockRefused = await Step("user-authentication=1357\n", "card", "unlock", "--card-file", cardFile, "--pin", "user-authentication");
        Assert.Equal(1, unlockRefused.ExitCode);
        Assert.Contains("identity-check-required", unlockRefused.StandardError);
        Assert.True(card.IsLocked(Renkei.Core.Cards.CardPinKind.UserAuthentication));

        var unlocked = Json(await Step("user-authentication=1357\n", "card", "unlock", "--card-file", cardFile, "--pin", "user-authentication",
            "--checked-by", "clerk-07", "--document", "individual-number-card", "--json"));
        Assert.Equal(3, unlocked.GetProperty("remainingAttempts").GetInt32());
        card.VerifyPin(Renkei.Core.Cards.CardPin.Parse(Renkei.Core.Cards.CardPinKind.UserAuthentication, "1357"));

        var moved = Json(await Step("text-entry-support=4821\n", "card", "change-address", "--card-file", cardFile, "--address", "東京都品川区大井一丁目14番1号",
            "--checked-by", "clerk-07", "--document", "drivers-licence", "--json"));
        Assert.Equal(JsonValueKind.Null, moved.GetProperty("signingCertificate").ValueKind);
        Assert.Equal("good", moved.GetProperty("userCertificate").GetProperty("status").GetString());

        // `renkei pki export` writes the chain and current CRLs; OpenSSL accepts the card's user certificate with them ...
        var userCertificate = Path.Combine(_data.Path, "user.pem");
        File.WriteAllText(userCertificate, card.Certificate(Renkei.Core.Cards.CardPinKind.UserAuthentication)!.ExportCertificatePem());
        var exported = Path.Combine(_data.Path, "pki-before");
        Assert.Equal(0, (await Step(null, "pki", "export", exported)).ExitCode);
        var good = await OpenSslVerifyAsync(exported, userCertificate);
        Assert.True(good.ExitCode == 0, good.Output);

        var ended = Json(await Step(null, "card", "revoke", "--number", number.Digits, "--reason", "death", "--json"));
        Assert.Equal("ended", ended.GetProperty("state").GetString());
        Assert.Equal("revoked", ended.GetProperty("userCertificate").GetProperty("status").GetString());

        // ... and, with the CRL exported after the revocation, rejects it as revoked.
        var exportedAfter = Path.Combine(_data.Path, "pki-after");
        Assert.Equal(0, (await Step(null, "pki", "export", exportedAfter)).ExitCode);
        var revoked = await OpenSslVerifyAsync(exportedAfter, userCertificate);
        Assert.NotEqual(0, revoked.ExitCode);
        Assert.Contains("certificate revoked", revoked.Output);

        var events = Json(await Step(null, "card", "status", "--card", cardNumber, "--json")).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("event").GetString()).ToList();
        Assert.Equal(["applied", "issued", "handed-over", "suspended", "resumed", "pin-unlocked", "facts-changed", "revoked"], events);

        // No PIN and no number in anything the command printed.
        foreach (var outcome in outputs)
        {
            var printed = outcome.StandardOutput + outcome.StandardError;
            Assert.DoesNotContain(number.Digits, printed);
            Assert.DoesNotContain(SigningPin, printed);
        }
    }

    /// <summary><c>openssl verify</c> of a user-authentication certificate against an exported chain, with its CRL.</summary>
    private static async Task<(int ExitCode, string Output)> OpenSslVerifyAsync(string exported, string certificate)
    {
        var info = new ProcessStartInfo("openssl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "verify", "-crl_check", "-CAfile", Path.Combine(exported, "root-ca.pem"),
                     "-untrusted", Path.Combine(exported, "user-authentication-ca.pem"),
                     "-CRLfile", Path.Combine(exported, "user-authentication-crl.pem"), certificate })
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    [Fact]
    public async Task Pins_of_the_wrong_format_exit_2_without_repeating_them()
    {
        var outcome = await Run("user-authentication=12x4\n", "card", "handover", "--card", "0123456789AB", "--card-file", Path.Combine(_data.Path, "x.card"),
            "--checked-by", "clerk", "--document", "passport");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("only digits", outcome.StandardError);
        Assert.DoesNotContain("12x4", outcome.StandardError);
        Assert.False(File.Exists(Path.Combine(_data.Path, "x.card")));
    }
}
