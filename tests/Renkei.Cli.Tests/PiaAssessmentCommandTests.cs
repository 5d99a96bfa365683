using System.Text.Json;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>
/// <c>renkei pia assessment …</c> and <c>pia yearly-review add</c>: a 全項目評価 taken through its public-comment period and
/// third-party review to publication, each missing step refused with its code, and <c>pia assess --json</c> printing the alerts.
/// </summary>
public class PiaAssessmentCommandTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private Task<CliProcess.Outcome> Run(params string[] arguments) => CliProcess.RunAsync(_data.Path, ["pia", .. arguments, "--municipality", "131091"]);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_full_assessment_goes_through_comment_period_and_review_to_publication_and_assess_prints_the_alerts()
    {
        await PiaCommandTests.ImportShinagawaResidentsAsync(_data, 1);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
        const string File_ = "resident-register";

        var created = await Run("assessment", "new", "--file", File_, "--level", "basic+full", "--by", "admin01", "--json");
        Assert.True(created.ExitCode == 0, created.StandardError);
        using (var json = JsonDocument.Parse(created.StandardOutput))
            Assert.Equal((1, "basic+full", "draft"), (json.RootElement.GetProperty("version").GetInt32(), json.RootElement.GetProperty("level").GetString(),
                json.RootElement.GetProperty("status").GetString()));

        var early = await Run("assessment", "submit", "--file", File_, "--version", "1", "--by", "admin01");
        Assert.Equal(1, early.ExitCode);
        Assert.Contains("comment-period-missing", early.StandardError);
        Assert.Contains("住民意見聴取", early.StandardError);

        Assert.Equal(0, (await Run("assessment", "comment-period", "--file", File_, "--version", "1", "--from", Day(today.AddDays(-40)), "--to", Day(today.AddDays(-5)),
            "--announced", "区報・区ホームページ", "--by", "admin01")).ExitCode);
        Assert.Equal(0, (await Run("assessment", "comment", "--file", File_, "--version", "1", "--received-on", Day(today.AddDays(-20)),
            "--summary", "委託先の監督方法を具体的に", "--reflection", "委託の項に追記", "--by", "admin01")).ExitCode);
        var noReview = await Run("assessment", "submit", "--file", File_, "--version", "1", "--by", "admin01");
        Assert.Equal(1, noReview.ExitCode);
        Assert.Contains("review-missing", noReview.StandardError);
        Assert.Equal(0, (await Run("assessment", "review", "--file", File_, "--version", "1", "--body", "品川区情報公開・個人情報保護審議会",
            "--reviewed-on", Day(today.AddDays(-2)), "--findings", "記載を充実させること", "--result", "適当", "--by", "admin01")).ExitCode);
        var notSubmitted = await Run("assessment", "publish", "--file", File_, "--version", "1", "--by", "admin01");
        Assert.Equal(1, notSubmitted.ExitCode);
        Assert.Contains("not-submitted", notSubmitted.StandardError);
        Assert.Equal(0, (await Run("assessment", "submit", "--file", File_, "--version", "1", "--by", "admin01")).ExitCode);
        var published = await Run("assessment", "publish", "--file", File_, "--version", "1", "--by", "admin02");
        Assert.True(published.ExitCode == 0, published.StandardError);

        var list = await Run("assessment", "list", "--file", File_, "--json");
        Assert.True(list.ExitCode == 0, list.StandardError);
        using (var json = JsonDocument.Parse(list.StandardOutput))
        {
            var version = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal(("published", "admin02", 36), (version.GetProperty("status").GetString(), version.GetProperty("publishedBy").GetString(),
                version.GetProperty("commentPeriod").GetProperty("days").GetInt32()));
            Assert.Equal(1, version.GetProperty("comments").GetArrayLength());
            Assert.Equal("品川区情報公開・個人情報保護審議会", version.GetProperty("reviews")[0].GetProperty("body").GetString());
        }
        var text = await Run("assessment", "list");
        Assert.Contains("住民基本台帳ファイル 第1版 基礎項目評価及び全項目評価 公表中", text.StandardOutput);

        // A contractor added after publication: assess prints the significant-change alert.
        Assert.Equal(0, (await Run("contractor", "add", "--file", File_, "--company", "株式会社デモ情報サービス", "--handlers", "3", "--from", Day(today), "--by", "admin01")).ExitCode);
        var assess = await Run("assess", "--json");
        Assert.True(assess.ExitCode == 0, assess.StandardError);
        using (var json = JsonDocument.Parse(assess.StandardOutput))
        {
            var register = json.RootElement.EnumerateArray().Single(f => f.GetProperty("file").GetString() == File_);
            Assert.Equal("basic+full", register.GetProperty("declaredLevel").GetString());
            var alert = Assert.Single(register.GetProperty("alerts").EnumerateArray());
            Assert.Equal("significant-change", alert.GetProperty("code").GetString());
            Assert.Contains("外部委託先の追加", alert.GetProperty("message").GetString());
        }
        Assert.Contains("注意（significant-change）", (await Run("assess")).StandardOutput);

        var fiscalYear = today.Month >= 4 ? today.Year : today.Year - 1;
        var yearly = await Run("yearly-review", "add", "--file", File_, "--fiscal-year", fiscalYear.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--done-on", Day(today), "--result", "評価書の記載と運用に相違なし", "--by", "admin01");
        Assert.True(yearly.ExitCode == 0, yearly.StandardError);

        var bad = await Run("assessment", "submit", "--file", File_, "--version", "first", "--by", "admin01");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--version", bad.StandardError);
        Assert.DoesNotContain("first", bad.StandardError);
    }
}
