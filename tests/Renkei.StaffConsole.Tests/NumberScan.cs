namespace Renkei.StaffConsole.Tests;

/// <summary>
/// Looks for a ward's numbers in text the console sent. Failures name where the number was found and whose it is,
/// never the digits themselves, so a failing test does not print a number (trust rule 9 holds for test output too).
/// </summary>
public static class NumberScan
{
    public static void AssertNoNumber(ConsoleWard ward, IEnumerable<(string Where, string Text)> texts)
    {
        var forms = ward.Residents.SelectMany(r => ward.Register.NumberHistory(r.Id).SelectMany(n => Forms(n.Number.Digits).Select(f => (r.Id, Form: f)))).ToList();
        Assert.NotEmpty(forms);
        var scanned = 0;
        foreach (var (where, text) in texts)
        {
            scanned++;
            foreach (var (resident, form) in forms)
                if (text.Contains(form, StringComparison.Ordinal))
                    Assert.Fail($"{where} contains the individual number of resident {resident}");
        }
        Assert.True(scanned > 0, "nothing was scanned");
    }

    public static void AssertNoNumber(ConsoleWard ward, ConsoleClient client) =>
        AssertNoNumber(ward, client.Responses.Select((r, i) => ($"response {i + 1} ({(int)r.Status} {r.RequestUri.PathAndQuery})", r.Body + "\n" + r.Text)));

    /// <summary>True when the text holds the resident's current number's 12 digits (a bool, so a failure prints no digits).</summary>
    public static bool ContainsNumberOf(ConsoleWard ward, long residentId, string text) =>
        text.Contains(ward.Register.Find(residentId)!.IndividualNumber!.Value.Digits, StringComparison.Ordinal);

    private static IEnumerable<string> Forms(string digits) =>
        [digits, $"{digits[..4]}-{digits[4..8]}-{digits[8..]}", $"{digits[..4]} {digits[4..8]} {digits[8..]}"];
}
