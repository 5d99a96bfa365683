using System.Text;

namespace Renkei.Cli.Demo;

/// <summary>A town (町丁) of a ward and how many 丁目 it has (0: addresses go straight to 番・号, e.g. 北嶺町12番3号).</summary>
internal readonly record struct Town(string Name, int Chome);

/// <summary>
/// Real town names of the three demo wards and a builder for addresses in the residence-indication style
/// (住居表示): 東京都品川区大井一丁目2番3号, optionally followed by a building and room (パークハウス大井305号室).
/// </summary>
internal sealed class DemoTowns
{
    private static readonly string[] ChomeNumerals = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

    private static readonly string[] BuildingBefore = ["メゾン", "パークハウス", "グランドメゾン", "ライオンズマンション", "コーポ", "パレス", "ルネ", "プラウド", "クリオ", "ハイム"];
    private static readonly string[] BuildingAfter = ["ハイツ", "コーポ", "レジデンス", "マンション", "パレス", "コート", "ヒルズ", "テラス", "荘", "ハウス"];

    private readonly Town[] _towns;
    private readonly WeightedTable _table;

    private DemoTowns(string prefix, Town[] towns)
    {
        Prefix = prefix;
        _towns = towns;
        // Towns with more 丁目 are larger: weight by 丁目 count.
        _table = new WeightedTable(towns.Select(t => (double)Math.Max(1, t.Chome)).ToArray());
    }

    /// <summary>東京都 and the ward name.</summary>
    public string Prefix { get; }

    public IReadOnlyList<Town> Towns => _towns;

    private static Town[] Parse(string table) =>
        table.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Select(entry =>
            {
                var parts = entry.Split(':');
                return new Town(parts[0], parts.Length == 2 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
            })
            .ToArray();

    public static readonly DemoTowns Shinagawa = new("東京都品川区", Parse("""
        北品川:6 東品川:5 南品川:6 西品川:3 広町:2 東五反田:5 西五反田:8 大崎:5 上大崎:4 大井:7 東大井:6 南大井:6
        西大井:6 勝島:3 八潮:5 二葉:4 豊町:6 戸越:6 平塚:3 中延:6 東中延:2 西中延:3 荏原:7 小山:7 小山台:2 旗の台:6
        """));

    public static readonly DemoTowns Ota = new("東京都大田区", Parse("""
        大森北:6 大森本町:2 大森東:5 大森南:5 大森中:3 大森西:7 山王:4 中央:8 池上:8 仲池上:2 上池台:5 東馬込:2
        南馬込:6 中馬込:3 西馬込:2 北馬込:2 羽田:6 羽田旭町 本羽田:3 萩中:3 東糀谷:6 西糀谷:4 南蒲田:3 蒲田:5 西蒲田:8
        東蒲田:2 蒲田本町:2 新蒲田:3 多摩川:2 矢口:3 下丸子:4 千鳥:3 鵜の木:3 久が原:6 南久が原:2 田園調布:5
        田園調布本町 田園調布南 東雪谷:5 南雪谷:5 雪谷大塚町 北嶺町 東嶺町 西嶺町 石川町:2 南千束:3 北千束:3
        南六郷:3 西六郷:4 東六郷:3 仲六郷:4
        """));

    public static readonly DemoTowns Itabashi = new("東京都板橋区", Parse("""
        板橋:4 加賀:2 大山町 大山東町 大山西町 大山金井町 仲宿 氷川町 栄町 大和町 双葉町 富士見町 本町 稲荷台
        中板橋 弥生町 南常盤台:2 常盤台:4 東新町:2 上板橋:3 清水町 蓮沼町 大原町 泉町 宮本町 志村:3 坂下:3 東坂下:2
        小豆沢:4 蓮根:3 西台:4 中台:3 若木:3 前野町:6 三園:2 成増:5 赤塚:8 赤塚新町:3 徳丸:8 四葉:2 大門 高島平:9
        新河岸:3 舟渡:4 相生町 熊野町 中丸町 南町 小茂根:5 向原:3 幸町 桜川:3 東山町 大谷口:2 大谷口上町 大谷口北町 仲町
        """));

    /// <summary>
    /// Appends a full address: prefix, town, 丁目 in kanji numerals, 番 and 号 in digits, and for
    /// <paramref name="inBuilding"/> a building name and room number. Draws a fixed number of values for a given path.
    /// </summary>
    public string Build(ref SplitMix64 random, bool inBuilding, StringBuilder buffer)
    {
        var town = _towns[_table.Sample(ref random)];
        buffer.Clear().Append(Prefix).Append(town.Name);
        if (town.Chome > 0) buffer.Append(ChomeNumerals[random.Between(1, town.Chome)]).Append("丁目");
        buffer.Append(random.Between(1, 30)).Append('番').Append(random.Between(1, 24)).Append('号');
        if (inBuilding)
        {
            buffer.Append(' ');
            var style = random.Next(3);
            var baseName = town.Name; // 大山町ハイツ, 田園調布本町コート
            if (style == 0) buffer.Append(BuildingBefore[random.Next(BuildingBefore.Length)]).Append(baseName);
            else if (style == 1) buffer.Append(baseName).Append(BuildingAfter[random.Next(BuildingAfter.Length)]);
            else buffer.Append(baseName).Append("第").Append(ChomeNumerals[random.Between(1, 3)]).Append(BuildingAfter[random.Next(BuildingAfter.Length)]);
            var floors = random.Between(2, 14);
            buffer.Append(random.Between(1, floors)).Append('0').Append(random.Between(1, 8)).Append("号室");
        }
        return buffer.ToString();
    }
}
