using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Renkei.Cli.Demo;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Records;
using Renkei.Municipality.Business;
using Renkei.Municipality.Certificates;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>Reads a ward's operation log back through <c>renkei audit verify</c> and <c>renkei audit export --format json</c>.</summary>
internal static class OperationLogReader
{
    public sealed record Entry(string StaffId, string Terminal, string? AffairCode, string Action, string Result, string? Detail);

    /// <summary>Twelve digits not inside a longer run of digits or hex (entry hashes are hex).</summary>
    public const string TwelveDigits = "(?<![0-9a-fA-F])[0-9]{12}(?![0-9a-fA-F])";

    public static async Task<(List<Entry> Entries, string Text)> ReadAsync(string data, string ward)
    {
        var verify = await CliProcess.RunAsync(data, "audit", "verify", "--municipality", ward);
        Assert.True(verify.ExitCode == 0, verify.StandardOutput + verify.StandardError);
        var export = await CliProcess.RunAsync(data, "audit", "export", "--municipality", ward, "--format", "json");
        Assert.True(export.ExitCode == 0, export.StandardError);
        using var json = JsonDocument.Parse(export.StandardOutput);
        var entries = json.RootElement.GetProperty("entries").EnumerateArray().Select(e => new Entry(
            e.GetProperty("staffId").GetString()!, e.GetProperty("terminal").GetString()!, e.GetProperty("affairCode").GetString(),
            e.GetProperty("action").GetString()!, e.GetProperty("result").GetString()!, e.GetProperty("detail").GetString())).ToList();
        return (entries, export.StandardOutput);
    }
}

internal static class DemoPortBlock
{
    /// <summary>A base whose every port is free now (the tests run in parallel: each picks its own block).</summary>
    public static DemoPorts Free()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var ports = new DemoPorts(20_000 + Random.Shared.Next(0, 400) * 100);
            if (ports.FirstTaken(3) is null) return ports;
        }
        throw new InvalidOperationException("no free block of ports for the demo");
    }
}

public class DemoCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Demo_seeds_three_wards_numbers_everyone_and_prints_what_runs_where()
    {
        var ports = DemoPortBlock.Free();
        var outcome = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", ports.Base.ToString(CultureInfo.InvariantCulture), "--residents", "600", "--seed", "3", "--once");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        foreach (var expected in new[] { "J-LIS", "品川区 (131091)", "大田区 (131113)", "板橋区 (131199)", "個人番号未指定 0" })
            Assert.Contains(expected, outcome.StandardOutput);
        // Fixed, documented ports: the network at the base, J-LIS next, 品川区's API, console and intermediate server at +10, +11, +12.
        foreach (var port in new[] { ports.Network, ports.Jlis, ports.Portal, ports.WardApi(0), ports.WardIntermediate(2), ports.Holder(1) })
            Assert.Contains($"http://127.0.0.1:{port}/", outcome.StandardOutput);
        Assert.Contains($"http://127.0.0.1:{ports.WardConsole(0)}/login", outcome.StandardOutput);

        var changes = new List<OperationLogReader.Entry>();
        var linkages = 0;
        foreach (var code in new[] { "131091", "131113", "131199" })
        {
            var status = await CliProcess.RunAsync(_data.Path, "registry", "status", "--municipality", code, "--json");
            Assert.Equal(0, status.ExitCode);
            using var counts = JsonDocument.Parse(status.StandardOutput);
            Assert.True(counts.RootElement.GetProperty("residents").GetInt64() > 50);
            Assert.Equal(0, counts.RootElement.GetProperty("residentsWithoutNumber").GetInt64());

            // The moves went through each ward's API as its resident-register clerk, logged in and logged.
            var (entries, text) = await OperationLogReader.ReadAsync(_data.Path, code);
            Assert.DoesNotMatch(OperationLogReader.TwelveDigits, text);
            var moves = entries.Where(e => e.Action == "change").ToList();
            Assert.All(moves, e => Assert.Equal(("jumin01", "resident-register", "success"), (e.StaffId, e.AffairCode, e.Result)));
            Assert.All(moves, e => Assert.StartsWith("renkei-demo@127.0.0.1", e.Terminal));
            if (moves.Count > 0)
                Assert.Equal(["login", "affairChosen", "logout"], entries.Where(e => e.Action != "change" && !IsLinkage(e)).Select(e => e.Action).Distinct());
            changes.AddRange(moves);

            // Every linkage the ward made (its intermediate server's inquirer records) names the staff member, terminal and
            // affair, and the ward's operation log holds an entry for it with the same three.
            var made = LinkagesMadeBy(code);
            var logged = entries.Where(IsLinkage).GroupBy(e => (e.StaffId, e.Terminal, e.AffairCode)).ToDictionary(g => g.Key, g => g.Count());
            foreach (var linkage in made.GroupBy(r => (r.Staff!, r.Terminal!, (string?)r.Affair)))
                Assert.True(logged.GetValueOrDefault(linkage.Key) >= linkage.Count(),
                    $"{code}: {linkage.Count()} linkage(s) by {linkage.Key} but {logged.GetValueOrDefault(linkage.Key)} operation-log entries");
            Assert.All(entries.Where(IsLinkage), e => Assert.False(string.IsNullOrEmpty(e.StaffId) || string.IsNullOrEmpty(e.AffairCode), "a linkage without staff or affair"));
            linkages += made.Count;
        }
        Assert.True(linkages > 0, "the demo made no linkage");
        var moved = System.Text.RegularExpressions.Regex.Match(outcome.StandardOutput, @"(\d+) person\(s\) moved between wards");
        Assert.True(moved.Success, outcome.StandardOutput);
        Assert.True(int.Parse(moved.Groups[1].Value) > 0, "the demo moved nobody");
        // Each person moved is a departure at one ward and an arrival at another.
        Assert.Equal(2 * int.Parse(moved.Groups[1].Value), changes.Count);
    }

    private static bool IsLinkage(OperationLogReader.Entry entry) => entry.Action.StartsWith("linkage", StringComparison.Ordinal);

    /// <summary>The queries a ward made: the inquirer records of its intermediate server's provision records (read from its database).</summary>
    private List<PartyRecordEntry> LinkagesMadeBy(string code)
    {
        var layout = new Renkei.Country.DataLayout(new DirectoryInfo(_data.Path));
        using var store = new Renkei.Infrastructure.Audit.AuditLogStore(layout.IntermediateDatabase(code), PartyRecordLog.TableName, null);
        var made = store.ReadEntries().Select(e => PartyRecordEntry.FromPayload(e.Payload)!).Where(r => r.Role == PartyRole.Inquirer).ToList();
        Assert.All(made, r => Assert.False(string.IsNullOrEmpty(r.Staff) || string.IsNullOrEmpty(r.Terminal), "a linkage recorded without staff or terminal"));
        return made;
    }

    [Fact]
    public async Task Demo_intermediate_servers_hold_copies_but_no_resident_number_or_name()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "900", "--seed", "4", "--once");
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        Assert.Contains("職員用画面", outcome.StandardOutput);
        Assert.Contains("中間サーバー", outcome.StandardOutput);

        var layout = new Renkei.Country.DataLayout(new DirectoryInfo(_data.Path));
        foreach (var code in new[] { "131091", "131113", "131199" })
        {
            var ward = LocalGovernmentCode.ParseOrThrow(code);
            var intermediateFile = Path.Combine(_data.Path, "intermediate", code, "intermediate.db");
            Assert.True(File.Exists(intermediateFile));
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var stored = string.Concat(new[] { intermediateFile, intermediateFile + "-wal" }.Where(File.Exists)
                .Select(f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f))));

            using (var copies = layout.IntermediateDatabase(ward).Open())
            using (var count = copies.Command("SELECT count(*) FROM intermediate_copies"))
                Assert.True(count.ScalarInt64() > 100, "the ward's business systems sent their copies");

            using var register = layout.MunicipalityDatabase(ward).Open();
            using var people = register.Command("""
                SELECT r.family_name, r.given_name, r.family_name_kana, r.given_name_kana, n.individual_number
                FROM residents r JOIN resident_numbers n ON n.resident_id = r.id AND n.valid_to IS NULL
                """);
            using var reader = people.ExecuteReader();
            // Control: the same scan finds people in the register's own file, so a leak could not hide from it.
            var registerFile = Path.Combine(layout.MunicipalityDirectory(ward), "register.db");
            var registerText = string.Concat(new[] { registerFile, registerFile + "-wal" }.Where(File.Exists)
                .Select(f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f))));
            var checkedPeople = 0;
            var leaks = 0;
            var foundInRegister = 0;
            while (reader.Read())
            {
                checkedPeople++;
                var (family, given, familyKana, givenKana) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                if (registerText.Contains(family + given, StringComparison.Ordinal)) foundInRegister++;
                var needles = new[] { reader.GetInt64(4).ToString("D12"), family + given, familyKana + givenKana, family, given, familyKana, givenKana }
                    // Short romanised names ("MA", "LI") occur inside SQL keywords of the stored schema ("PRIMARY"); they are
                    // still covered by the full-name needles.
                    .Where(needle => needle.Length >= (needle.All(char.IsAscii) ? 5 : 2));
                foreach (var needle in needles)
                    if (stored.Contains(needle, StringComparison.Ordinal)) leaks++;
            }
            Assert.True(checkedPeople > 100);
            Assert.True(foundInRegister > checkedPeople / 2);
            Assert.Equal(0, leaks); // counted, never printed: a leak must not put numbers into test output
        }
    }

    [Fact]
    public async Task Retention_runs_over_every_business_system_of_a_seeded_ward()
    {
        // --fresh into a data directory that does not exist yet creates it.
        var data = Path.Combine(_data.Path, "not-yet");
        var seeded = await CliProcess.RunAsync(data, "demo", "--port-base", "0", "--residents", "300", "--fresh", "--once");
        Assert.True(seeded.ExitCode == 0, seeded.StandardError);

        var run = await CliProcess.RunAsync(data, "retention", "run", "--municipality", "131091", "--date", "2026-11-22", "--json");

        Assert.True(run.ExitCode == 0, run.StandardError);
        using var report = JsonDocument.Parse(run.StandardOutput);
        var systems = report.RootElement.GetProperty("systems").EnumerateArray().Select(s => s.GetProperty("systemCode").GetString()).ToList();
        Assert.Equal(5, systems.Count);
        Assert.Contains("individual-residence-tax", systems);
        Assert.Equal(2, (await CliProcess.RunAsync(data, "retention", "run", "--municipality", "131092")).ExitCode); // bad check digit
    }

    [Fact]
    public async Task A_second_run_reuses_the_demo_and_a_different_size_needs_fresh()
    {
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "300", "--once")).ExitCode);
        var again = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "300", "--once");
        Assert.Equal(0, again.ExitCode);
        Assert.DoesNotContain("seeded", again.StandardOutput);

        var other = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "400", "--once");
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("--fresh", other.StandardError);

        var fresh = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "400", "--once", "--fresh");
        Assert.Equal(0, fresh.ExitCode);
        Assert.Contains("seeded 400 residents", fresh.StandardOutput);
    }
}

public class RegistryCommandTests : IDisposable
{
    private const string Header = "household_number,resident_code,family_name,given_name,family_name_kana,given_name_kana,birth_date,sex,relationship,address,resident_since,foreign_resident,nationality,individual_number";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Seal_commands_register_and_abolish_and_certificate_issue_prints_the_seal_on_the_card_and_the_removed_record()
    {
        var csv = WriteCsv("seal.csv", new UTF8Encoding(false), Row("1", 3000000001, "太郎", "世帯主"), Row("1", 3000000002, "花子", "妻"),
            Row("2", 3000000003, "三郎", "世帯主", birth: "1950-02-03"));
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
        var image = _data.File("inkan.png");
        await File.WriteAllBytesAsync(image, SealImages.Png());
        var notImage = _data.File("inkan.txt");
        await File.WriteAllTextAsync(notImage, "品川太郎の実印");
        string[] register = ["seal", "register", "--municipality", "131091", "--side-mm", "15", "--identity-check", "drivers-licence"];

        var registered = await CliProcess.RunAsync(_data.Path, [.. register, "--resident", "1", "--image", image]);
        Assert.True(registered.ExitCode == 0, registered.StandardError);
        var card = registered.StandardOutput.Trim();
        Assert.Matches("^[0-9]{8}$", card);
        var side = await CliProcess.RunAsync(_data.Path, ["seal", "register", "--municipality", "131091", "--side-mm", "30", "--identity-check", "passport",
            "--resident", "2", "--image", image]);
        var text = await CliProcess.RunAsync(_data.Path, [.. register, "--resident", "3", "--image", notImage]);
        var second = await CliProcess.RunAsync(_data.Path, [.. register, "--resident", "1", "--image", image]);
        Assert.Equal((1, 1, 1), (side.ExitCode, text.ExitCode, second.ExitCode));
        Assert.Contains("sideMillimetres:", side.StandardError);
        Assert.Contains("image:", text.StandardError);
        Assert.DoesNotContain("実印", text.StandardError);
        Assert.Contains("seal-already-registered", (await OperationLogReader.ReadAsync(_data.Path, "131091")).Entries[^1].Detail);

        string[] inkan = ["certificate", "issue", "--municipality", "131091", "--kind", "inkan", "--resident", "1"];
        var pdf = _data.File("inkan.pdf");
        var wrong = await CliProcess.RunAsync(_data.Path, [.. inkan, "--seal-card", Renkei.Municipality.Seals.SealCardNumber.FromSequence(9_999_999).Digits, "--out", pdf]);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("sealCard:", wrong.StandardError);
        Assert.Equal(2, (await CliProcess.RunAsync(_data.Path, [.. inkan, "--out", pdf])).ExitCode); // no card presented
        var issued = await CliProcess.RunAsync(_data.Path, [.. inkan, "--seal-card", card, "--out", pdf]);
        Assert.True(issued.ExitCode == 0, issued.StandardError);
        var bytes = await File.ReadAllBytesAsync(pdf);
        foreach (var expected in new[] { "印鑑登録証明書", "品川　太郎", "東京都品川区大井一丁目1番1号", "昭和55年4月1日", "品川区長", "令和", "登録されている印影と相違ない" })
            Assert.Contains(expected, PdfText.Read(bytes));
        Assert.Single(Assert.Single(PdfText.Images(bytes)));

        var show = await CliProcess.RunAsync(_data.Path, "seal", "show", "--municipality", "131091", "--resident", "1");
        Assert.Contains("******" + card[6..] + "\t", show.StandardOutput);
        Assert.DoesNotContain(card, show.StandardOutput);
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "seal", "abolish", "--municipality", "131091", "--resident", "1", "--reason", "request")).ExitCode);
        var abolished = await CliProcess.RunAsync(_data.Path, [.. inkan, "--seal-card", card, "--out", _data.File("refused.pdf")]);
        Assert.Equal(1, abolished.ExitCode);
        Assert.Contains("abolished", abolished.StandardError);
        Assert.False(File.Exists(_data.File("refused.pdf")));

        // 住民票の除票の写し: refused for a resident; issued after a departure (recorded directly in the ward's register).
        string[] johyo = ["certificate", "issue", "--municipality", "131091", "--kind", "johyo", "--resident", "3"];
        Assert.Equal(1, (await CliProcess.RunAsync(_data.Path, [.. johyo, "--out", _data.File("johyo.pdf")])).ExitCode);
        var ward = new Renkei.Municipality.Registry.ResidentRegister(new Renkei.Country.DataLayout(new DirectoryInfo(_data.Path)).MunicipalityDatabase(
            LocalGovernmentCode.ParseOrThrow("131091")), LocalGovernmentCode.ParseOrThrow("131091"));
        using (var nowhere = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }) // a departure never calls J-LIS
            await new Renkei.Municipality.Registry.RegisterEvents(ward, new Renkei.Jlis.Contracts.JlisHttpClient(nowhere))
                .DepartureAsync(new Renkei.Municipality.Contracts.DepartureRequest(Guid.NewGuid(), 3, new DateOnly(2025, 3, 31), "千葉県千葉市中央区千葉港1番1号"));
        var removed = await CliProcess.RunAsync(_data.Path, [.. johyo, "--out", _data.File("johyo.pdf")]);
        Assert.True(removed.ExitCode == 0, removed.StandardError);
        var removedText = PdfText.Read(await File.ReadAllBytesAsync(_data.File("johyo.pdf")));
        foreach (var expected in new[] { "住民票の除票の写し", "品川　三郎", "転出日令和7年3月31日", "転出先千葉県千葉市中央区千葉港1番1号", "品川区長" })
            Assert.Contains(expected, removedText);

        var (entries, log) = await OperationLogReader.ReadAsync(_data.Path, "131091");
        Assert.Contains(entries, e => e is { Action: "change", Result: "success", AffairCode: "seal-registration" } && e.Detail!.StartsWith("印鑑登録 登録", StringComparison.Ordinal));
        Assert.Contains(entries, e => e is { Action: "export", Result: "refused" } && e.Detail!.Contains("seal-card-mismatch", StringComparison.Ordinal));
        Assert.Contains(entries, e => e is { Action: "export", Result: "success" } && e.Detail!.StartsWith("住民票の除票の写し交付", StringComparison.Ordinal));
        Assert.DoesNotContain(card, log);
    }

    private static string Row(string household, long codeBody, string given, string relationship, string birth = "1980-04-01", string sex = "1") =>
        $"{household},{ResidentCode.FromBody(codeBody).Digits},品川,{given},シナガワ,タロウ,{birth},{sex},{relationship},東京都品川区大井一丁目1番1号,2000-01-01,0,,";

    private string WriteCsv(string name, Encoding encoding, params string[] rows)
    {
        var path = _data.File(name);
        File.WriteAllText(path, string.Join("\n", [Header, .. rows]) + "\n", encoding);
        return path;
    }

    [Fact]
    public async Task Tax_pay_records_payments_and_certificate_issue_nozei_prints_the_ledger_with_what_is_unpaid()
    {
        var csv = WriteCsv("taxpayers.csv", new UTF8Encoding(false), Row("1", 3000000011, "太郎", "世帯主"), Row("2", 3000000012, "三郎", "世帯主"));
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091")).ExitCode);
        // The residence-tax system's assessment, as its yearly import stores it.
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
        var year = ResidenceTaxRules.FiscalYearOf(today);
        var assessment = ResidenceTaxRules.Assess(year, new ResidenceTaxInput(4_000_000, 500_000, false, 0, 0, 0));
        var code = Core.Numbers.LocalGovernmentCode.ParseOrThrow("131091");
        var layout = new Renkei.Country.DataLayout(new DirectoryInfo(_data.Path));
        string name;
        using (var log = Commands.AuditCommands.OpenOperationLog(layout, code))
        {
            var register = new Municipality.Registry.ResidentRegister(layout.MunicipalityDatabase(code), code);
            var addressee = new Municipality.Addressee.AddresseeSystem(register, log);
            addressee.SyncFromRegister();
            new ResidenceTaxSystem(addressee).Record(addressee.ForResident(1)!.Value, new DateOnly(2000, 1, 1), assessment);
            name = register.Find(1)!.Name.Full;
        }
        var first = ResidenceTaxInstallments.Schedule(year, assessment.TotalTax)[0].Amount;
        string[] pay = ["tax", "pay", "--municipality", "131091", "--resident", "1", "--fiscal-year", year.ToString(CultureInfo.InvariantCulture)];
        static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";

        var paid = await CliProcess.RunAsync(_data.Path, [.. pay, "--installment", "1", "--amount", first.ToString(CultureInfo.InvariantCulture), "--paid-on",
            $"{year}-04-01"]);
        Assert.True(paid.ExitCode == 0, paid.StandardError);
        Assert.Contains("未納額 " + Yen(assessment.TotalTax - first), paid.StandardOutput);
        var over = await CliProcess.RunAsync(_data.Path, [.. pay, "--installment", "2", "--amount", "98765432"]);
        var noYear = await CliProcess.RunAsync(_data.Path, ["tax", "pay", "--municipality", "131091", "--resident", "1", "--fiscal-year", "2001", "--installment", "1", "--amount", "1000"]);
        var badYear = await CliProcess.RunAsync(_data.Path, ["tax", "account", "--municipality", "131091", "--resident", "1", "--fiscal-year", "99999"]);
        Assert.Equal((1, 1, 2), (over.ExitCode, noYear.ExitCode, badYear.ExitCode));
        Assert.Contains("--fiscal-year:", badYear.StandardError);
        Assert.Contains("納付額（amount）", over.StandardError);
        Assert.DoesNotContain("98765432", over.StandardError);
        Assert.Contains("年度（fiscalYear）", noYear.StandardError);

        var pdf = _data.File("nozei.pdf");
        string[] nozei = ["certificate", "issue", "--municipality", "131091", "--kind", "nozei", "--fiscal-year", year.ToString(CultureInfo.InvariantCulture), "--out", pdf];
        var issued = await CliProcess.RunAsync(_data.Path, [.. nozei, "--resident", "1", "--affair", "local-tax"]);
        Assert.True(issued.ExitCode == 0, issued.StandardError);
        var text = PdfText.Read(await File.ReadAllBytesAsync(pdf));
        foreach (var expected in new[] { "納税証明書", name, "年度" + CounterCertificates.ResidenceTaxYear(year), "税額" + Yen(assessment.TotalTax), "納付済額" + Yen(first),
                     "未納額" + Yen(assessment.TotalTax - first), "品川区長", "令和" })
            Assert.Contains(expected, text);
        File.Delete(pdf);
        var outsideAffair = await CliProcess.RunAsync(_data.Path, [.. nozei, "--resident", "1"]);
        var noRecord = await CliProcess.RunAsync(_data.Path, [.. nozei, "--resident", "2", "--affair", "local-tax"]);
        Assert.Equal((2, 1), (outsideAffair.ExitCode, noRecord.ExitCode));
        Assert.Contains("fiscalYear:", noRecord.StandardError);
        Assert.False(File.Exists(pdf));

        var (entries, logText) = await OperationLogReader.ReadAsync(_data.Path, "131091");
        var tax = entries.Where(e => e.AffairCode == "local-tax").Select(e => (e.Action, e.Result)).ToList();
        Assert.Equal([("change", "success"), ("change", "refused"), ("change", "refused"), ("export", "success"), ("export", "failed")], tax);
        Assert.Contains(entries, e => e.Detail?.Contains("refused: " + ResidenceTaxSystem.Overpayment, StringComparison.Ordinal) == true);
        Assert.DoesNotContain("98765432", logText);
        Assert.DoesNotMatch(OperationLogReader.TwelveDigits, logText);
    }

    [Fact]
    public async Task Refused_import_reports_line_numbers_and_leaves_nothing_behind()
    {
        var badCode = ResidentCode.FromBody(1000000003).Digits[..10] + "0"; // wrong check digit unless it happens to be 0
        if (ResidentCode.Parse(badCode).IsValid) badCode = badCode[..10] + "1";
        var csv = WriteCsv("register.csv", new UTF8Encoding(false),
            Row("1", 1000000001, "太郎", "世帯主"),
            $"1,{badCode},品川,花子,シナガワ,ハナコ,1982-05-05,2,妻,東京都品川区大井一丁目1番1号,2000-01-01,0,,",
            Row("2", 1000000002, "次郎", "世帯主", birth: "1990-13-40"));

        var refused = await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("line 3", refused.StandardError);
        Assert.Contains("line 4", refused.StandardError);
        Assert.DoesNotContain(badCode, refused.StandardError + refused.StandardOutput);
        var status = await CliProcess.RunAsync(_data.Path, "registry", "status", "--municipality", "131091", "--json");
        using (var counts = JsonDocument.Parse(status.StandardOutput))
            Assert.Equal(0, counts.RootElement.GetProperty("residents").GetInt64());

        var skipped = await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091", "--on-error", "skip", "--json");
        Assert.Equal(0, skipped.ExitCode);
        using var result = JsonDocument.Parse(skipped.StandardOutput);
        Assert.Equal(1, result.RootElement.GetProperty("imported").GetInt64());
        Assert.Equal(2, result.RootElement.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task Shift_jis_register_imports_assigns_numbers_and_exports_the_notification_list()
    {
        var csv = WriteCsv("sjis.csv", CodePagesShiftJis(),
            Row("1", 2000000001, "太郎", "世帯主"),
            Row("1", 2000000002, "花子", "妻", birth: "1982-05-05", sex: "2"),
            Row("2", 2000000003, "三郎", "世帯主", birth: "1950-01-01"));

        var import = await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091");
        Assert.True(import.ExitCode == 0, import.StandardError);

        var assign = await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091", "--json");
        Assert.True(assign.ExitCode == 0, assign.StandardError);
        using (var report = JsonDocument.Parse(assign.StandardOutput))
            Assert.Equal(3, report.RootElement.GetProperty("assigned").GetInt64());

        var output = _data.File("notify.csv");
        var export = await CliProcess.RunAsync(_data.Path, "registry", "notification-list", "--municipality", "131091", "--output", output);
        Assert.Equal(0, export.ExitCode);
        var text = await File.ReadAllTextAsync(output);
        Assert.Contains("太郎", text);
        Assert.Contains("花子", text);
        Assert.Contains("三郎", text);
        Assert.Contains("2 household(s), 3 member(s)", export.StandardError);

        // The export of a file full of numbers is in the operation log, under the batch operator, without a number.
        var (entries, log) = await OperationLogReader.ReadAsync(_data.Path, "131091");
        var entry = Assert.Single(entries);
        Assert.Equal(("export", "success", "resident-register"), (entry.Action, entry.Result, entry.AffairCode));
        Assert.Equal("batch:" + Environment.UserName, entry.StaffId);
        Assert.Equal(Environment.MachineName, entry.Terminal);
        Assert.Contains("households=2; residents-with-number=3; to=file", entry.Detail);
        Assert.DoesNotMatch(OperationLogReader.TwelveDigits, log);
    }

    [Fact]
    public async Task Certificate_shows_a_number_only_for_an_affair_that_may_use_numbers()
    {
        var csv = WriteCsv("one.csv", new UTF8Encoding(false), Row("1", 3000000001, "太郎", "世帯主"));
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091")).ExitCode);

        var plain = await CliProcess.RunAsync(_data.Path, "registry", "certificate", "--municipality", "131091", "--resident", "1");
        Assert.True(plain.ExitCode == 0, plain.StandardError);
        using (var certificate = JsonDocument.Parse(plain.StandardOutput))
            Assert.False(certificate.RootElement.GetProperty("numbersIncluded").GetBoolean());
        Assert.DoesNotMatch(@"\d{12}", plain.StandardOutput);

        foreach (var notPermitted in new[] { new[] { "--with-number" }, ["--with-number", "--affair", "library"], ["--with-number", "--affair", "no-such-affair"] })
        {
            var refused = await CliProcess.RunAsync(_data.Path, ["registry", "certificate", "--municipality", "131091", "--resident", "1", .. notPermitted]);
            Assert.Equal(1, refused.ExitCode);
            Assert.DoesNotMatch(@"\d{12}", refused.StandardOutput + refused.StandardError);
        }

        var permitted = await CliProcess.RunAsync(_data.Path, "registry", "certificate", "--municipality", "131091", "--resident", "1", "--with-number", "--affair", "resident-register");
        Assert.True(permitted.ExitCode == 0, permitted.StandardError);
        using var withNumber = JsonDocument.Parse(permitted.StandardOutput);
        Assert.True(withNumber.RootElement.GetProperty("numbersIncluded").GetBoolean());
        Assert.Matches(@"\d{12}", permitted.StandardOutput);

        // Every issuance and every refusal is in the operation log, in order, and the log holds no number.
        var (entries, log) = await OperationLogReader.ReadAsync(_data.Path, "131091");
        Assert.Equal(
            [("view", "success", null), ("view", "refused", null), ("view", "refused", "library"), ("view", "refused", null), ("view", "success", "resident-register")],
            entries.Select(e => (e.Action, e.Result, e.AffairCode)));
        Assert.All(entries, e => Assert.Equal(("batch:" + Environment.UserName, Environment.MachineName), (e.StaffId, e.Terminal)));
        Assert.Contains("numbers=not-included", entries[0].Detail);
        Assert.Contains("affair-without-number-use", entries[2].Detail);
        Assert.Contains("numbers=included; resident-ids=1", entries[4].Detail);
        Assert.DoesNotMatch(OperationLogReader.TwelveDigits, log);
    }

    [Fact]
    public async Task Certificate_issue_writes_a_residence_record_pdf_with_the_number_only_when_asked_in_a_number_using_affair()
    {
        var csv = WriteCsv("household.csv", new UTF8Encoding(false), Row("1", 3000000001, "太郎", "世帯主"), Row("1", 3000000002, "花子", "妻"),
            Row("2", 3000000003, "三郎", "世帯主"));
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
        Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091")).ExitCode);
        string[] issue = ["certificate", "issue", "--municipality", "131091", "--kind", "juminhyo"];

        var household = _data.File("household.pdf");
        var plain = await CliProcess.RunAsync(_data.Path, [.. issue, "--resident", "2", "--household", "--with-relationship", "--copies", "2", "--out", household]);
        Assert.True(plain.ExitCode == 0, plain.StandardError);
        var text = PdfText.Read(await File.ReadAllBytesAsync(household));
        foreach (var expected in new[] { "住民票の写し", "太郎", "花子", "世帯主", "妻", "本籍省略", "品川区長", "令和", "記載人数 2人" })
            Assert.Contains(expected, text);
        Assert.DoesNotContain("三郎", text);
        Assert.False(System.Text.RegularExpressions.Regex.IsMatch(text, @"\d{12}"), "a number is printed without being asked for");
        Assert.Contains("2 person(s), 2 copy(ies), fee 600 yen", plain.StandardError);

        var numbered = _data.File("numbered.pdf");
        var withNumber = await CliProcess.RunAsync(_data.Path, [.. issue, "--resident", "1", "--with-number", "--affair", "resident-register", "--out", numbered]);
        Assert.True(withNumber.ExitCode == 0, withNumber.StandardError);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(PdfText.Read(await File.ReadAllBytesAsync(numbered)), @"\d{12}"), "the number asked for is not printed");

        // Refused: a number in an affair that may not use numbers, a member of another household, an unknown kind or resident.
        var refusedPdf = _data.File("refused.pdf");
        var library = await CliProcess.RunAsync(_data.Path, [.. issue, "--resident", "1", "--with-number", "--affair", "library", "--out", refusedPdf]);
        var outsider = await CliProcess.RunAsync(_data.Path, [.. issue, "--resident", "1", "--members", "1,3", "--out", refusedPdf]);
        var kind = await CliProcess.RunAsync(_data.Path, ["certificate", "issue", "--municipality", "131091", "--kind", "passport", "--resident", "1", "--out", refusedPdf]);
        var unknown = await CliProcess.RunAsync(_data.Path, [.. issue, "--resident", "99", "--out", refusedPdf]);
        Assert.Equal((1, 1, 2, 1), (library.ExitCode, outsider.ExitCode, kind.ExitCode, unknown.ExitCode));
        // A tax certificate only in the residence-tax affair, and only for a person the tax system has an assessment of.
        string[] kazei = ["certificate", "issue", "--municipality", "131091", "--kind", "kazei", "--resident", "1", "--out", refusedPdf];
        var taxOutsideAffair = await CliProcess.RunAsync(_data.Path, kazei);
        var noTaxRecord = await CliProcess.RunAsync(_data.Path, [.. kazei, "--affair", "local-tax"]);
        Assert.Equal((2, 1), (taxOutsideAffair.ExitCode, noTaxRecord.ExitCode));
        Assert.Contains("--affair:", taxOutsideAffair.StandardError);
        Assert.Contains("課税台帳に記録がありません", noTaxRecord.StandardError);
        Assert.Contains("members:", outsider.StandardError);
        Assert.Contains("--kind:", kind.StandardError);
        Assert.Contains("residentId:", unknown.StandardError);
        Assert.False(File.Exists(refusedPdf));

        // The operation log has each issuance and refusal (the bad kind is a usage error before the ward is opened), no number.
        var (entries, log) = await OperationLogReader.ReadAsync(_data.Path, "131091");
        Assert.Equal(
            [("export", "success", null), ("export", "success", "resident-register"), ("export", "refused", "library"), ("export", "refused", null), ("export", "failed", null),
                ("export", "failed", "local-tax")],
            entries.Select(e => (e.Action, e.Result, e.AffairCode)));
        Assert.Contains("numbers=not-included; resident-ids=1,2", entries[0].Detail);
        Assert.Contains("member-not-in-household", entries[3].Detail);
        Assert.DoesNotMatch(OperationLogReader.TwelveDigits, log);
    }

    [Fact]
    public async Task Assign_numbers_talks_to_a_separately_served_jlis()
    {
        using var jlisData = new TempDirectory();
        // J-LIS on plain HTTP and a free port, its database and key where its data directory keeps them.
        var jlisConfig = Path.Combine(jlisData.Path, "jlis.json");
        File.WriteAllText(jlisConfig, new System.Text.Json.Nodes.JsonObject
        {
            ["Jlis"] = new System.Text.Json.Nodes.JsonObject
            {
                ["Database"] = "sqlite:" + Path.Combine(jlisData.Path, "jlis", "jlis.db"), ["KeyFilePath"] = Path.Combine(jlisData.Path, "jlis", "keys", "numbering.key"),
            },
        }.ToJsonString());
        using var jlis = System.Diagnostics.Process.Start(CliProcess.StartInfo(jlisData.Path, "serve", "--role", "jlis", "--config", jlisConfig))!;
        try
        {
            var banner = await jlis.StandardOutput.ReadLineAsync() ?? "";
            var url = System.Text.RegularExpressions.Regex.Match(banner, @"http://127\.0\.0\.1:\d+/").Value;
            Assert.False(string.IsNullOrEmpty(url), "J-LIS printed where it listens");

            var csv = WriteCsv("served.csv", new UTF8Encoding(false), Row("1", 4000000001, "太郎", "世帯主"), Row("2", 4000000002, "次郎", "世帯主"));
            Assert.Equal(0, (await CliProcess.RunAsync(_data.Path, "registry", "import", csv, "--municipality", "131091")).ExitCode);
            var stranger = await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091", "--jlis-url", url, "--json");
            Assert.NotEqual(0, stranger.ExitCode);
            Assert.Contains("unknown-institution", stranger.StandardError);
            // The ward is registered at the served J-LIS with its public key (J-LIS answers only wards it knows).
            var wardKey = await CliProcess.RunAsync(_data.Path, "jlis", "ward-key", "--municipality", "131091");
            Assert.True(wardKey.ExitCode == 0, wardKey.StandardError);
            var keyFile = Path.Combine(jlisData.Path, "131091.json");
            File.WriteAllText(keyFile, wardKey.StandardOutput);
            var registered = await CliProcess.RunAsync(jlisData.Path, "jlis", "register", "--code", "131091", "--name", "品川区", "--role", "municipality",
                "--public-keys", keyFile);
            Assert.True(registered.ExitCode == 0, registered.StandardError);

            var assign = await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091", "--jlis-url", url, "--json");
            Assert.True(assign.ExitCode == 0, assign.StandardError);
            using (var report = JsonDocument.Parse(assign.StandardOutput))
                Assert.Equal(2, report.RootElement.GetProperty("assigned").GetInt64());
            Assert.True(File.Exists(Path.Combine(jlisData.Path, "jlis", "jlis.db")), "the served J-LIS did the numbering in its own data directory");
            Assert.False(Directory.Exists(Path.Combine(_data.Path, "jlis")), "the ward started no J-LIS of its own");

            var bad = await CliProcess.RunAsync(_data.Path, "registry", "assign-numbers", "--municipality", "131091", "--jlis-url", "not-a-url");
            Assert.Equal(2, bad.ExitCode);
            Assert.Contains("http or https", bad.StandardError);
        }
        finally
        {
            jlis.Kill(entireProcessTree: true);
            await jlis.WaitForExitAsync();
        }
    }

    private static Encoding CodePagesShiftJis()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("shift_jis");
    }
}

public class DemoShutdownTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task A_taken_port_is_named_and_nothing_is_seeded()
    {
        var ports = DemoPortBlock.Free();
        using var squatter = new TcpListener(IPAddress.Loopback, ports.Jlis);
        squatter.Start();
        var outcome = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", ports.Base.ToString(CultureInfo.InvariantCulture), "--residents", "300", "--once");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains($"ポート {ports.Jlis} (jlis)", outcome.StandardError);
        Assert.Contains("--port-base", outcome.StandardError);
        Assert.False(File.Exists(Path.Combine(_data.Path, "demo.json")), "a demo that could not start seeded nothing");

        var wrong = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "80", "--once");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--port-base must be 0", wrong.StandardError);
    }

    /// <summary>Several services share the demo's process: a signal must stop them all and end the process.</summary>
    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task The_running_demo_stops_on_a_signal(string signal)
    {
        using var process = System.Diagnostics.Process.Start(CliProcess.StartInfo(_data.Path, "demo", "--port-base", "0", "--residents", "200"))!;
        var error = process.StandardError.ReadToEndAsync();
        string? line;
        while ((line = await process.StandardOutput.ReadLineAsync()) is not null && !line.Contains("Ctrl+C")) { }
        Assert.NotNull(line); // the demo reached the point where it serves until stopped

        using (var kill = System.Diagnostics.Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the demo was still running 30 s after SIG{signal}");
        }
        await process.StandardOutput.ReadToEndAsync();
        await error;
    }
}
