using System.Globalization;
using System.Text.Json;
using Renkei.Core.Dates;

namespace Renkei.Documents;

/// <summary>One row of an information table: a Japanese label and the value as a resident or a clerk reads it.</summary>
public sealed record InformationRow(string Label, string Value);

/// <summary>A table of rows, with tables nested under it (e.g. each pension of 年金給付関係情報).</summary>
public sealed record InformationTable(string? Caption, IReadOnlyList<InformationRow> Rows, IReadOnlyList<InformationTable> Tables);

/// <summary>
/// Turns a provided information body into readable tables: the shipped kinds (地方税, 住民票, 児童手当, 介護保険, 国民健康保険,
/// 生活保護, 年金給付, 医療保険資格) get Japanese labels in a fixed order, amounts in yen and dates in the Japanese era; any
/// field a known kind does not list, and every field of an unknown kind, is shown as a generic key/value row (nothing the
/// holder sent is hidden). Bodies are read as JSON, not bound to the holders' types: what was received is rendered. One
/// table for everyone who reads linked information: the portal's わたしの情報 and the staff console's linkage results.
/// </summary>
public static class InformationTables
{
    private delegate string Format(JsonElement value);

    private sealed record Field(string Name, string Label, Format Format);

    private sealed record KindLayout(IReadOnlyList<Field> Fields, IReadOnlyDictionary<string, (string Caption, KindLayout Layout)> Lists);

    private static readonly Dictionary<string, string> CareLevels = new(StringComparer.Ordinal)
    {
        ["none"] = "非該当", ["support1"] = "要支援1", ["support2"] = "要支援2", ["care1"] = "要介護1", ["care2"] = "要介護2",
        ["care3"] = "要介護3", ["care4"] = "要介護4", ["care5"] = "要介護5",
    };

    // 続柄 codes as the ward's register writes them (住民票関係情報.relationshipCode).
    private static readonly string[] Relationships =
        ["", "世帯主", "妻", "夫", "子", "父", "母", "孫", "兄", "姉", "弟", "妹", "祖父", "祖母", "子の妻", "子の夫", "義父", "義母", "縁故者", "同居人", "親族"];

    private static readonly Dictionary<string, KindLayout> Layouts = new(StringComparer.Ordinal)
    {
        ["local-tax"] = Layout(
            new Field("fiscalYear", "賦課年度", FiscalYear),
            new Field("taxable", "課税区分", v => Bool(v, "課税", "非課税")),
            new Field("totalIncome", "総所得金額等", Yen),
            new Field("totalDeductions", "所得控除額の合計", Yen),
            new Field("taxableIncome", "課税標準額", Yen),
            new Field("incomeBasedTaxAmount", "所得割額", Yen),
            new Field("perCapitaLevy", "均等割額", Yen),
            new Field("dependantsCount", "扶養親族の数", v => Count(v, "人"))),
        ["resident-record"] = Layout(
            new Field("status", "住民の状態", v => Choice(v, new() { ["resident"] = "住民", ["movedOut"] = "転出", ["deceased"] = "死亡", ["erased"] = "職権消除" })),
            new Field("householdNumber", "世帯番号", Text),
            new Field("relationshipCode", "続柄", Relationship),
            new Field("householdMemberAddresseeNumbers", "世帯の人数", v => v.ValueKind == JsonValueKind.Array ? v.GetArrayLength() + "人" : Text(v)),
            new Field("movedInOn", "転入日", Date),
            new Field("movedOutOn", "転出日", Date)),
        ["child-allowance"] = Layout(
            new Field("eligible", "受給資格", v => Bool(v, "あり", "なし")),
            new Field("childrenCount", "支給対象児童数", v => Count(v, "人")),
            new Field("monthlyAmount", "手当月額", Yen),
            new Field("periodFrom", "支給期間（始期）", Date),
            new Field("periodTo", "支給期間（終期）", Date)),
        ["nursing-care-insurance"] = Layout(
            new Field("insuredCategory", "被保険者区分", v => Choice(v, new() { ["first"] = "第1号被保険者", ["second"] = "第2号被保険者" })),
            new Field("careLevel", "要介護状態区分", v => Choice(v, CareLevels)),
            new Field("premiumStage", "保険料段階", v => v.ValueKind == JsonValueKind.Number ? $"第{v.GetRawText()}段階" : Text(v)),
            new Field("certifiedUntil", "認定有効期間の終期", Date)),
        ["national-health-insurance"] = Layout(
            new Field("insuredSince", "資格取得日", Date),
            new Field("insuredUntil", "資格喪失日", Date),
            new Field("householdHead", "世帯主", v => Bool(v, "はい", "いいえ")),
            new Field("annualPremium", "保険料（年額）", Yen)),
        ["public-assistance"] = Layout(
            new Field("receiving", "保護の状況", v => Bool(v, "受給中", "受給していません")),
            new Field("since", "保護開始日", Date),
            new Field("aidTypes", "扶助の種類", v => List(v, new()
            {
                ["livelihood"] = "生活扶助", ["housing"] = "住宅扶助", ["education"] = "教育扶助", ["medical"] = "医療扶助",
                ["nursingCare"] = "介護扶助", ["maternity"] = "出産扶助", ["occupational"] = "生業扶助", ["funeral"] = "葬祭扶助",
            }))),
        ["pension-benefit"] = new KindLayout(
            [
                new Field("amountFiscalYear", "年金額の年度", FiscalYear),
                new Field("totalAnnualAmount", "年金額の合計（年額）", Yen),
            ],
            new Dictionary<string, (string, KindLayout)>(StringComparer.Ordinal)
            {
                ["benefits"] = ("年金", Layout(
                    new Field("pensionType", "年金の種類", v => Choice(v, new() { ["oldAge"] = "老齢", ["disability"] = "障害", ["survivor"] = "遺族" })),
                    new Field("scheme", "制度", v => Choice(v, new() { ["basic"] = "基礎年金（国民年金）", ["employees"] = "厚生年金" })),
                    new Field("disabilityGrade", "障害等級", v => v.ValueKind == JsonValueKind.Number ? v.GetRawText() + "級" : Text(v)),
                    new Field("annualAmount", "年金額（年額）", Yen),
                    new Field("rightAcquiredOn", "受給権発生日", Date),
                    new Field("paymentFrom", "支給開始月", Month),
                    new Field("paymentUntil", "支給終了月", Month),
                    new Field("suspended", "支給停止", v => Bool(v, "全額支給停止", "なし")),
                    new Field("suspendedFrom", "支給停止の始期", Date))),
            }),
        ["health-insurance-qualification"] = Layout(
            new Field("insurerType", "保険者の種別", v => Choice(v, new()
            {
                ["healthInsuranceSociety"] = "健康保険組合", ["japanHealthInsuranceAssociation"] = "全国健康保険協会",
                ["mutualAidAssociation"] = "共済組合", ["seamensInsurance"] = "船員保険",
            })),
            new Field("insurerNumber", "保険者番号", Text),
            new Field("insuredCategory", "被保険者・被扶養者の別", v => Choice(v, new() { ["insured"] = "被保険者", ["dependant"] = "被扶養者" })),
            new Field("acquiredOn", "資格取得日", Date),
            new Field("lostOn", "資格喪失日", Date),
            new Field("lossReason", "喪失事由", v => Choice(v, new()
            {
                ["retirement"] = "退職", ["death"] = "死亡", ["lateElderlyMedicalCare"] = "後期高齢者医療制度へ移行", ["transfer"] = "他の保険者へ移行",
                ["dependencyEnded"] = "被扶養者でなくなった", ["insuredLost"] = "被保険者の資格喪失に伴う", ["other"] = "その他",
            }))),
    };

    /// <summary>True for the kinds with a Japanese layout; others are shown generically.</summary>
    public static bool IsKnown(string kind) => Layouts.ContainsKey(kind);

    /// <summary>A body of information kind <paramref name="kind"/> as a table (plus its 基準日 and 更新日 when given). A missing body gives an empty table.</summary>
    public static InformationTable Render(string kind, JsonElement? body, DateOnly? asOf = null, DateTimeOffset? updatedAt = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var rows = new List<InformationRow>();
        var tables = new List<InformationTable>();
        if (body is { ValueKind: JsonValueKind.Object } value)
        {
            if (Layouts.TryGetValue(kind, out var layout)) Fill(value, layout, rows, tables);
            else Generic(value, null, rows, tables);
        }
        else if (body is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } other)
        {
            rows.Add(new InformationRow("内容", Text(other)));
        }
        if (asOf is { } day) rows.Add(new InformationRow("基準日", JapaneseEraDate.Format(day)));
        if (updatedAt is { } updated)
        {
            var local = updated.ToOffset(TimeSpan.FromHours(9));
            rows.Add(new InformationRow("情報の更新日時",
                JapaneseEraDate.Format(DateOnly.FromDateTime(local.DateTime)) + " " + local.ToString("HH:mm", CultureInfo.InvariantCulture)));
        }
        return new InformationTable(null, rows, tables);
    }

    private static KindLayout Layout(params Field[] fields) => new(fields, new Dictionary<string, (string, KindLayout)>());

    private static void Fill(JsonElement body, KindLayout layout, List<InformationRow> rows, List<InformationTable> tables)
    {
        foreach (var field in layout.Fields)
            if (body.TryGetProperty(field.Name, out var value)) rows.Add(new InformationRow(field.Label, field.Format(value)));
        foreach (var (name, (caption, itemLayout)) in layout.Lists)
        {
            if (!body.TryGetProperty(name, out var list)) continue;
            if (list.ValueKind != JsonValueKind.Array)
            {
                rows.Add(new InformationRow(caption, Text(list)));
                continue;
            }
            if (list.GetArrayLength() == 0) rows.Add(new InformationRow(caption, "なし"));
            var n = 0;
            foreach (var item in list.EnumerateArray())
            {
                n++;
                var itemRows = new List<InformationRow>();
                var itemTables = new List<InformationTable>();
                if (item.ValueKind == JsonValueKind.Object) Fill(item, itemLayout, itemRows, itemTables);
                else itemRows.Add(new InformationRow(caption, Text(item)));
                tables.Add(new InformationTable($"{caption} {n}", itemRows, itemTables));
            }
        }
        // Whatever the layout does not name is still shown, under its own key.
        foreach (var property in body.EnumerateObject())
        {
            if (layout.Fields.Any(f => f.Name == property.Name) || layout.Lists.ContainsKey(property.Name)) continue;
            Generic(property.Value, property.Name, rows, tables);
        }
    }

    /// <summary>Key/value rows for any JSON: nested objects as dotted keys, arrays of values joined, arrays of objects as numbered tables.</summary>
    private static void Generic(JsonElement value, string? key, List<InformationRow> rows, List<InformationTable> tables)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                    Generic(property.Value, key is null ? property.Name : key + "." + property.Name, rows, tables);
                if (key is not null && !value.EnumerateObject().Any()) rows.Add(new InformationRow(key, "—"));
                break;
            case JsonValueKind.Array when value.EnumerateArray().Any(e => e.ValueKind is JsonValueKind.Object or JsonValueKind.Array):
                var n = 0;
                foreach (var item in value.EnumerateArray())
                {
                    n++;
                    var itemRows = new List<InformationRow>();
                    var itemTables = new List<InformationTable>();
                    Generic(item, item.ValueKind == JsonValueKind.Object ? null : "値", itemRows, itemTables);
                    tables.Add(new InformationTable($"{key ?? "項目"} {n}", itemRows, itemTables));
                }
                break;
            case JsonValueKind.Array:
                rows.Add(new InformationRow(key ?? "値", value.GetArrayLength() == 0 ? "なし" : string.Join("、", value.EnumerateArray().Select(Scalar))));
                break;
            default:
                rows.Add(new InformationRow(key ?? "値", Scalar(value)));
                break;
        }
    }

    /// <summary>A value with no known meaning: ISO dates in the Japanese era, booleans as はい/いいえ, null as —.</summary>
    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String when DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            && d >= JapaneseEraDate.MinSupported => JapaneseEraDate.Format(d),
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.True => "はい",
        JsonValueKind.False => "いいえ",
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        _ => value.GetRawText(),
    };

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => "—",
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Array or JsonValueKind.Object => value.GetRawText(),
        _ => Scalar(value),
    };

    private static string Yen(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var yen) ? yen.ToString("N0", CultureInfo.InvariantCulture) + "円" : Text(value);

    private static string Count(JsonElement value, string unit) =>
        value.ValueKind == JsonValueKind.Number ? value.GetRawText() + unit : Text(value);

    private static string Bool(JsonElement value, string yes, string no) => value.ValueKind switch
    {
        JsonValueKind.True => yes,
        JsonValueKind.False => no,
        _ => Text(value),
    };

    private static string Choice(JsonElement value, Dictionary<string, string> names) =>
        value.ValueKind == JsonValueKind.String && names.TryGetValue(value.GetString()!, out var name) ? name : Text(value);

    private static string List(JsonElement value, Dictionary<string, string> names) =>
        value.ValueKind != JsonValueKind.Array ? Text(value)
        : value.GetArrayLength() == 0 ? "なし"
        : string.Join("、", value.EnumerateArray().Select(e => Choice(e, names)));

    private static string Relationship(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var code) && code > 0 && code < Relationships.Length
            ? Relationships[code] : Text(value);

    private static string Date(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            && d >= JapaneseEraDate.MinSupported
            ? JapaneseEraDate.Format(d) : Text(value);

    /// <summary>A month as 令和8年4月 (the day dropped).</summary>
    private static string Month(JsonElement value)
    {
        var text = Date(value);
        var day = text.LastIndexOf('月');
        return day > 0 && text.EndsWith('日') ? text[..(day + 1)] : text;
    }

    /// <summary>
    /// A fiscal year as 令和8年度: the era year of 1 May, so the year of an era change that began in its first month is named
    /// by the new era as the government renamed it (FY2019 → 令和元年度, FY1989 → 平成元年度) and one that changed later keeps
    /// the old (FY1926 → 大正15年度).
    /// </summary>
    private static string FiscalYear(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var year) || year < 1874 || year > 9998) return Text(value);
        var text = JapaneseEraDate.Format(new DateOnly(year, 5, 1));
        return text[..(text.IndexOf('年') + 1)].Replace("年", "年度");
    }
}
