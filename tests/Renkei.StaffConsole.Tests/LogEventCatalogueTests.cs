using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Renkei.Core.Text;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Notices;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// The operation-log catalogue (<see cref="EventText"/>) against what the code base logs: every event name a program writes
/// as the head of a detail, and every refusal code the ward's parts write into details, has Japanese words; each reads as a
/// Japanese sentence with no key=value text.
/// </summary>
public sealed partial class LogEventCatalogueTests
{
    /// <summary>Where event names are declared: the staff API's register events, its route names and its details' heads.</summary>
    [GeneratedRegex("""MapEvent<\w+>\(app,\s*[^,]+,\s*"(?<name>[^"]+)"|RequireStaff\((?:OperationAction\.\w+|null),\s*"(?<name>[^"]+)"\)|AuthenticateAsync\(http,\s*[^,]+,\s*"(?<name>[^"]+)"\)|Detail\("(?<name>[^"]+)"|var kind = [^;]*?"(?<name>[^"]+)"\s*:\s*"(?<other>[^"]+)";""")]
    private static partial Regex EventDeclarations();

    /// <summary>The register's refusal codes, and the login outcomes as the staff API writes them.</summary>
    [GeneratedRegex("""new RegisterException\("(?<code>[a-z-]+)"|AuthenticationOutcome\.\w+\s*=>\s*"(?<code>[a-z-]+)(?=")""")]
    private static partial Regex RegisterCodes();

    [GeneratedRegex("^[a-z]+(-[a-z0-9]+)*$")]
    private static partial Regex CodeForm();

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(RepositoryFiles.Path("src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Fact]
    public void Every_event_name_the_code_logs_has_a_Japanese_template()
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in SourceFiles())
            foreach (Match match in EventDeclarations().Matches(File.ReadAllText(file)))
            {
                names.Add(match.Groups["name"].Value);
                if (match.Groups["other"].Success) names.Add(match.Groups["other"].Value);
            }
        Assert.Contains("address-change", names); // the scan finds the declarations
        Assert.Contains("residence certificate (household)", names);
        Assert.Contains("search", names);
        foreach (var kind in new[] { "juminhyo", "kazei", "nozei" }) names.Add(kind + " certificate pdf"); // the staff API's "{kind} certificate pdf"
        var missing = names.Where(n => !EventText.Events.ContainsKey(n)).ToList();
        Assert.True(missing.Count == 0, "events without a Japanese template in EventText.Events: " + string.Join(", ", missing));
        foreach (var name in names)
        {
            var sentence = EventText.Describe(name + "; resident-id=19; refused: affair-mismatch");
            Assert.True(JapaneseText.HasJapanese(sentence) && !sentence.Contains('=', StringComparison.Ordinal) && !JapaneseText.HasEnglishSentence(sentence), sentence);
            Assert.DoesNotContain("コード", sentence, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_refusal_code_the_ward_writes_into_details_has_Japanese_words()
    {
        Type[] holders =
        [
            typeof(StaffException), typeof(WorkflowException.Codes), typeof(NumberVisibilityDecision), typeof(ResidentRecordAccessDecision),
            typeof(EligibilityNotices.Codes), typeof(ResidenceCertificates), typeof(CounterCertificates), typeof(AddresseeException),
        ];
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in holders)
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)))
            {
                // Affair codes (TaxAffair) and the "allowed" reason never appear as a refusal; everything else may.
                if (field.GetRawConstantValue() is not string value || !CodeForm().IsMatch(value)) continue;
                if (field.Name.EndsWith("Affair", StringComparison.Ordinal) || field.Name == nameof(ResidentRecordAccessDecision.AllowedReason)) continue;
                codes.Add(value);
            }
        foreach (var outcome in Enum.GetValues<AuthenticationOutcome>().Where(o => o != AuthenticationOutcome.Success))
            codes.Add(JsonNamingPolicy.CamelCase.ConvertName(outcome.ToString()));
        foreach (var file in SourceFiles())
            foreach (Match match in RegisterCodes().Matches(File.ReadAllText(file)))
                codes.Add(match.Groups["code"].Value);
        Assert.Contains("bad-destination-code", codes); // the scan finds the register's codes
        Assert.Contains("secondFactorFailed", codes);
        Assert.Contains("second-factor-failed", codes);
        var missing = codes.Where(c => !EventText.Knows(c)).ToList();
        Assert.True(missing.Count == 0, "codes without Japanese words in EventText.Codes: " + string.Join(", ", missing));
    }
}
