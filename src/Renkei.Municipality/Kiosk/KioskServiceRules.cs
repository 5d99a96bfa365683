using Renkei.Core.Policy;
using System.Globalization;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Kiosk;

/// <summary>An announced maintenance window (保守作業による休止), from (inclusive) to (exclusive), with what the kiosk says.</summary>
public sealed record KioskMaintenanceWindow(DateTimeOffset From, DateTimeOffset To, string Note);

/// <summary>One certificate the ward offers at kiosks: its kind (<see cref="KioskCertificateKinds"/>), Japanese name and kiosk fee per copy.</summary>
public sealed record KioskMenuEntry(string Kind, string Name, long FeeYen);

/// <summary>Whether the kiosk service is open at an instant, and why not (Japanese, for the kiosk's screen).</summary>
public sealed record KioskOpening(bool Open, string? Reason);

/// <summary>
/// The ward's kiosk service as its own data (コンビニ交付のサービス時間・休止日・交付する証明書と手数料): daily hours within the
/// national service window 06:30–23:00 Japan time (a ward may narrow them, never widen), the year-end holidays (12/29–1/3,
/// closed unless the ward opens them), announced maintenance windows and the menu. <see cref="At"/> is a pure rule: any
/// instant, in any offset, is judged in Japan time.
/// </summary>
public sealed class KioskServiceRules
{
    /// <summary>The earliest opening the national service allows (Japan time).</summary>
    public static readonly TimeOnly EarliestOpening = new(6, 30);

    /// <summary>The latest closing the national service allows (Japan time; closed from this minute).</summary>
    public static readonly TimeOnly LatestClosing = new(23, 0);

    private static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    /// <exception cref="ArgumentException">hours outside 06:30–23:00 or not opening before closing, a window ending before it starts, or a menu entry of an unknown kind, a duplicate or a negative fee.</exception>
    public KioskServiceRules(TimeOnly opens, TimeOnly closes, bool yearEndHolidaysClosed, IReadOnlyList<KioskMaintenanceWindow> maintenance,
        IReadOnlyList<KioskMenuEntry> menu)
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        ArgumentNullException.ThrowIfNull(menu);
        if (opens < EarliestOpening || closes > LatestClosing || opens >= closes)
            throw new ArgumentException("hours: opening and closing within 06:30–23:00 Japan time, opening first (サービス時間は6時30分から23時までの範囲で定めてください)");
        if (maintenance.Any(w => w.To <= w.From))
            throw new ArgumentException("maintenance: each window ends after it starts (保守作業の終了は開始より後にしてください)");
        foreach (var entry in menu)
        {
            if (!KioskCertificateKinds.All.Contains(entry.Kind))
                throw new ArgumentException($"menu: kind is one of {string.Join(", ", KioskCertificateKinds.All)} (証明書の種類が正しくありません)");
            if (entry.FeeYen < 0) throw new ArgumentException("menu: feeYen must not be negative (手数料は0円以上です)");
        }
        if (menu.Select(e => e.Kind).Distinct(StringComparer.Ordinal).Count() != menu.Count)
            throw new ArgumentException("menu: each kind at most once (同じ証明書が重複しています)");
        (Opens, Closes, YearEndHolidaysClosed, Maintenance, Menu) = (opens, closes, yearEndHolidaysClosed, maintenance, menu);
    }

    /// <summary>The daily opening (Japan time).</summary>
    public TimeOnly Opens { get; }

    /// <summary>The daily closing (Japan time, exclusive: closed from this minute).</summary>
    public TimeOnly Closes { get; }

    /// <summary>Whether the service stops from 12/29 to 1/3 (年末年始).</summary>
    public bool YearEndHolidaysClosed { get; }

    public IReadOnlyList<KioskMaintenanceWindow> Maintenance { get; }

    public IReadOnlyList<KioskMenuEntry> Menu { get; }

    /// <summary>The menu entry of <paramref name="kind"/>, or null when the ward does not offer it at kiosks.</summary>
    public KioskMenuEntry? Offered(string? kind) => Menu.FirstOrDefault(e => e.Kind == kind);

    /// <summary>Whether the service is open at <paramref name="instant"/> (converted to Japan time), with the Japanese reason when not.</summary>
    public KioskOpening At(DateTimeOffset instant)
    {
        var japan = instant.ToOffset(JapanOffset);
        if (Maintenance.FirstOrDefault(w => w.From <= instant && instant < w.To) is { } window)
            return new KioskOpening(false, $"保守作業のため休止しています（{Minute(window.To)}まで）。{window.Note}".TrimEnd());
        if (YearEndHolidaysClosed && (japan is { Month: 12, Day: >= 29 } || japan is { Month: 1, Day: <= 3 }))
            return new KioskOpening(false, "年末年始（12月29日から1月3日まで）は休止しています。");
        var time = TimeOnly.FromDateTime(japan.DateTime);
        if (time < Opens || time >= Closes)
            return new KioskOpening(false, $"サービス時間外です（{Clock(Opens)}から{Clock(Closes)}まで）。");
        return new KioskOpening(true, null);
    }

    private static string Clock(TimeOnly time) =>
        time.Minute == 0 ? $"{time.Hour.ToString(CultureInfo.InvariantCulture)}時" : $"{time.Hour.ToString(CultureInfo.InvariantCulture)}時{time.Minute.ToString(CultureInfo.InvariantCulture)}分";

    private static string Minute(DateTimeOffset instant)
    {
        var japan = instant.ToOffset(JapanOffset);
        return $"{japan.Month.ToString(CultureInfo.InvariantCulture)}月{japan.Day.ToString(CultureInfo.InvariantCulture)}日{Clock(TimeOnly.FromDateTime(japan.DateTime))}";
    }

    /// <summary>The demo wards' file, shipped with the module (policy/municipality/kiosk-service-shinagawa.json).</summary>
    public const string DefaultFileName = "kiosk-service-shinagawa.json";

    private static readonly Lazy<KioskServiceRules> Default = new(() => Parse(EmbeddedPolicy.Read(DefaultFileName), "policy/municipality/" + DefaultFileName));

    /// <summary>The rules shipped with the module (the demo's wards offer all four certificates).</summary>
    public static KioskServiceRules LoadDefault() => Default.Value;

    /// <summary>A ward's own file (<c>Ward:Kiosk:File</c>).</summary>
    /// <exception cref="PolicyFileException">the file cannot be read or is not a valid kiosk service file (naming the file and line).</exception>
    public static KioskServiceRules Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyFileException(Path.GetFileName(path), null, "cannot be read");
        }
        return Parse(bytes, Path.GetFileName(path));
    }

    /// <exception cref="PolicyFileException">not a valid kiosk service file: the message names the file, the line and the rule.</exception>
    public static KioskServiceRules Parse(byte[] utf8Json, string fileName)
    {
        var file = PolicyFile.Parse(utf8Json, fileName);
        file.RequiredString("version");
        file.RequiredString("source");
        file.OptionalString("municipality");
        var opens = Time(file, "opens");
        var closes = Time(file, "closes");
        if (opens < EarliestOpening || closes > LatestClosing || opens >= closes)
            throw file.Error("opens/closes: within 06:30–23:00 Japan time, opening before closing (a ward may narrow the national hours, never widen them)", 1);
        var yearEnd = file.OptionalString("yearEndHolidays") ?? "closed";
        if (yearEnd is not ("closed" or "open")) throw file.Error("yearEndHolidays: closed or open", 1);

        var windows = new List<KioskMaintenanceWindow>();
        foreach (var (entry, line, position) in file.Entries<WindowEntry>("maintenance"))
        {
            PolicyFileException Fail(string problem) => file.Error($"maintenance entry {position}: {problem}", line);
            if (!DateTimeOffset.TryParseExact(entry.From, "yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from))
                throw Fail("from: a time with its offset, e.g. 2027-02-14T01:00+09:00");
            if (!DateTimeOffset.TryParseExact(entry.To, "yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to))
                throw Fail("to: a time with its offset, e.g. 2027-02-14T05:00+09:00");
            if (to <= from) throw Fail("to must be after from");
            windows.Add(new KioskMaintenanceWindow(from, to, entry.Note?.Trim() ?? ""));
        }

        var menu = new List<KioskMenuEntry>();
        foreach (var (entry, line, position) in file.Entries<MenuEntry>("menu"))
        {
            PolicyFileException Fail(string problem) => file.Error($"menu entry {position}: {problem}", line);
            if (entry.Kind is null || !KioskCertificateKinds.All.Contains(entry.Kind))
                throw Fail($"kind: one of {string.Join(", ", KioskCertificateKinds.All)}");
            if (menu.Any(m => m.Kind == entry.Kind)) throw Fail("duplicate kind");
            if (string.IsNullOrWhiteSpace(entry.Name)) throw Fail("name (the Japanese name on the kiosk's button) is missing");
            if (entry.FeeYen is not { } fee || fee < 0 || fee > 100_000) throw Fail("feeYen: the kiosk fee per copy, 0 to 100000 yen");
            menu.Add(new KioskMenuEntry(entry.Kind, entry.Name.Trim(), fee));
        }
        return new KioskServiceRules(opens, closes, yearEnd == "closed", windows, menu);
    }

    private static TimeOnly Time(PolicyFile file, string property) =>
        TimeOnly.TryParseExact(file.RequiredString(property), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw file.Error($"{property}: a time of day as HH:mm (Japan time)", 1);

    private sealed class WindowEntry
    {
        public string? From { get; set; }
        public string? To { get; set; }
        public string? Note { get; set; }
    }

    private sealed class MenuEntry
    {
        public string? Kind { get; set; }
        public string? Name { get; set; }
        public long? FeeYen { get; set; }
    }
}
