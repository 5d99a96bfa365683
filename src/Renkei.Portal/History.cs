using System.Globalization;
using System.Text;
using System.Text.Json;
using Renkei.Core.Text;
using Renkei.Network.Contracts;

namespace Renkei.Portal;

/// <summary>One provision record as the やりとり履歴 page shows it: names for people, codes for the proof verifier.</summary>
public sealed record HistoryRow(
    ProvisionRecord Record,
    string When,
    string InquirerName,
    string ProviderName,
    string AffairName,
    string KindName,
    string ResultText)
{
    /// <summary>The result as the record's leaf data writes it (camelCase enum name), for the in-page comparison.</summary>
    public string ResultCode => JsonNamingPolicy.CamelCase.ConvertName(Record.Result.ToString());

    /// <summary>The time as an ISO 8601 instant (round-trip form), for the in-page comparison.</summary>
    public string RecordedAtIso => Record.RecordedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>The history's filter: a period (Japan dates, inclusive) and one institution (as inquirer or provider).</summary>
public sealed record HistoryFilter(DateOnly? From, DateOnly? To, string? Institution)
{
    /// <summary>Parses the query (yyyy-MM-dd dates as an &lt;input type=date&gt; sends them); an error names the field, in Japanese.</summary>
    public static HistoryFilter Parse(string? from, string? to, string? institution, out string? error)
    {
        string? problem = null;
        DateOnly? Date(string? text, string label)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
            problem ??= $"{label}の日付の形式が正しくありません（年-月-日で指定してください）。";
            return null;
        }
        var start = Date(from, "期間（開始）");
        var end = Date(to, "期間（終了）");
        error = problem;
        if (start is { } s && end is { } e && s > e)
        {
            error ??= "期間の開始日が終了日より後になっています。";
            end = null;
        }
        var code = string.IsNullOrWhiteSpace(institution) ? null : institution.Trim();
        if (code is not null && (code.Length > 16 || !code.All(char.IsAsciiLetterOrDigit)))
        {
            error ??= "機関の指定が正しくありません。";
            code = null;
        }
        return new HistoryFilter(start, end, code);
    }

    public IEnumerable<ProvisionRecord> Apply(IEnumerable<ProvisionRecord> records) =>
        Institution is null ? records : records.Where(r => r.Inquirer == Institution || r.Provider == Institution);
}

/// <summary>
/// A stretch of the history as the page shows it: one record on its own, or the queries one fetch of わたしの情報 made
/// (<see cref="IsSelfDisplay"/>: consecutive records of the portal's self-display affair whose request ids the same fetch
/// made, <see cref="SelfInformation.SelfDisplayFetch"/>) shown as one line that opens to its records.
/// </summary>
public sealed record HistoryGroup(IReadOnlyList<HistoryRow> Rows, bool IsSelfDisplay)
{
    /// <summary>The holders asked, each once, in the order first asked.</summary>
    public IReadOnlyList<string> Providers => Rows.Select(r => r.ProviderName).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Builds the rows of the history (names looked up once per code) and its CSV export.</summary>
internal static class History
{
    /// <summary>
    /// The rows (newest first) in stretches: the portal's own self-display queries of one fetch together, every other
    /// record on its own, so a few visits to わたしの情報 do not bury the linkages institutions made.
    /// </summary>
    public static IReadOnlyList<HistoryGroup> Groups(IReadOnlyList<HistoryRow> rows, string portal)
    {
        var groups = new List<HistoryGroup>();
        List<HistoryRow>? current = null;
        foreach (var row in rows)
        {
            var selfDisplay = row.Record.Affair == SelfDisplay.Affair && row.Record.Inquirer == portal;
            if (selfDisplay && current is { Count: > 0 } && SelfInformation.SelfDisplayFetch.Same(current[0].Record.RequestId, row.Record.RequestId))
            {
                current.Add(row);
                continue;
            }
            if (current is not null) groups.Add(new HistoryGroup(current, true));
            current = null;
            if (selfDisplay) current = [row];
            else groups.Add(new HistoryGroup([row], false));
        }
        if (current is not null) groups.Add(new HistoryGroup(current, true));
        return groups;
    }

    public static IReadOnlyList<HistoryRow> Rows(VerifiedNames names, IEnumerable<ProvisionRecord> records) =>
        records.OrderByDescending(r => r.RecordedAt).ThenByDescending(r => r.Sequence)
            .Select(record => new HistoryRow(record, PortalText.EraDateTime(record.RecordedAt),
                names.Institution(record.Inquirer), names.Institution(record.Provider), names.Affair(record.Affair), names.Kind(record.Kind),
                PortalText.Result(record.Result)))
            .ToList();

    public static readonly string[] CsvHeaders = ["記録番号", "日時", "照会機関", "提供機関", "事務", "情報", "結果"];

    /// <summary>
    /// UTF-8 with a byte-order mark (so spreadsheet software reads the Japanese), CRLF lines, RFC 4180 quoting; names that
    /// a spreadsheet would run as a formula get a leading apostrophe (<see cref="CsvCell"/>).
    /// </summary>
    public static byte[] Csv(IEnumerable<HistoryRow> rows)
    {
        var text = new StringBuilder();
        text.Append(string.Join(',', CsvHeaders.Select(CsvCell.Text))).Append("\r\n");
        foreach (var row in rows)
        {
            string[] cells = [CsvCell.Value(row.Record.Sequence.ToString(CultureInfo.InvariantCulture)), CsvCell.Value(row.When),
                CsvCell.Text(row.InquirerName), CsvCell.Text(row.ProviderName), CsvCell.Text(row.AffairName), CsvCell.Text(row.KindName),
                CsvCell.Text(row.ResultText)];
            text.Append(string.Join(',', cells)).Append("\r\n");
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
