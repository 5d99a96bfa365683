using System.Text;
using System.Text.RegularExpressions;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Demo;

/// <summary>
/// Trust rule 1 over a whole demo run: every message body the network received (tokens in bulk and one at a time,
/// linkage queries, the providers' sealed answers) is captured with <c>renkei demo --capture-network</c> and scanned
/// for every demo resident's individual number and name.
/// </summary>
public class DemoNetworkCaptureTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task Nothing_the_network_receives_in_a_demo_run_carries_a_number_or_a_resident_name()
    {
        var capture = Path.Combine(_data.Path, "network-capture.txt");
        var outcome = await CliProcess.RunAsync(_data.Path, "demo", "--port-base", "0", "--residents", "900", "--seed", "5", "--once", "--capture-network", capture);
        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        foreach (var expected in new[] { "情報提供ネットワークシステム", "日本年金機構", "東京デモ健康保険組合", "符号一斉取得", "情報連携" })
            Assert.Contains(expected, outcome.StandardOutput);

        var lines = File.ReadAllLines(capture);
        var routes = lines.Select(l => l.Split('\t')[0]).ToHashSet();
        // The capture saw the traffic it should: bulk and single token issuance, immediate linkage and the providers' answers.
        foreach (var route in new[] { "tokens/batches", "tokens/issue", "linkage/immediate", "node:network/provide" })
            Assert.Contains(route, routes);
        var received = string.Join("\n", lines.Select(l => Encoding.UTF8.GetString(Convert.FromBase64String(l.Split('\t')[2]))));
        Assert.True(received.Length > 10_000, "the capture is too small to mean anything");

        // No twelve-digit run at all (tokens have 16 digits, resident-record codes 11), and no valid individual number
        // inside any longer run either.
        Assert.DoesNotMatch(OperationLogReader.TwelveDigits, received);

        var layout = new DataLayout(new DirectoryInfo(_data.Path));
        var checkedPeople = 0;
        var leaks = 0;
        foreach (var code in new[] { "131091", "131113", "131199" })
        {
            using var register = layout.MunicipalityDatabase(LocalGovernmentCode.ParseOrThrow(code)).Open();
            using var people = register.Command("""
                SELECT r.family_name, r.given_name, r.family_name_kana, r.given_name_kana, n.individual_number
                FROM residents r JOIN resident_numbers n ON n.resident_id = r.id
                """);
            using var reader = people.ExecuteReader();
            while (reader.Read())
            {
                checkedPeople++;
                var (family, given, familyKana, givenKana) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                var needles = new[] { reader.GetInt64(4).ToString("D12"), family + given, familyKana + givenKana, family + " " + given }
                    .Where(needle => needle.Length >= (needle.All(char.IsAscii) ? 5 : 2));
                foreach (var needle in needles)
                    if (received.Contains(needle, StringComparison.Ordinal)) leaks++;
            }
        }
        Assert.True(checkedPeople > 800);
        Assert.Equal(0, leaks); // counted, never printed

        // Control: the same capture does hold what the network may see, the tokens (16 digits) of the people it links.
        Assert.Matches("\"[0-9]{16}\"", received);
    }
}
