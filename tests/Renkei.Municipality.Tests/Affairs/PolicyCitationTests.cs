using Renkei.Core.Policy;
using Renkei.Municipality.Affairs;
using static Renkei.Municipality.Tests.Affairs.PolicyFixtures;

namespace Renkei.Municipality.Tests.Affairs;

/// <summary>
/// The ward's policy files cite the seeds like the network's (policy/README.md, "Citations of the seeds"): a malformed or
/// incomplete citation fails the load naming the file, the line and the entry; every shipped affair and rule is cited.
/// </summary>
public sealed class PolicyCitationTests
{
    public static TheoryData<string, string> BrokenCitations => new()
    {
        // the citation properties written into the entry, a fragment the problem must contain
        { """, "sourceLine": "表1-9", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line (expected seeds/NNN l.N" },
        { """, "sourceLine": "seeds/000 l.128-120", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { """, "sourceLine": "seeds/000 l.128", "citationChecked": "2026/12/06" """, "citationChecked is not a date (yyyy-MM-dd)" },
        { """, "sourceLine": "seeds/000 l.128" """, "citationChecked is missing" },
        { """, "citationChecked": "2026-12-06" """, "sourceLine is missing" },
        { """, "sourceLine": null, "citationChecked": "2026-12-06" """, "citationNote is missing" },
        { """, "sourceLine": null, "citationChecked": "2026-12-06", "citationNote": 7 """, "citationNote must be a string" },
    };

    [Theory]
    [MemberData(nameof(BrokenCitations))]
    public void A_malformed_affair_citation_fails_naming_file_line_and_affair(string citation, string problem)
    {
        var json = Catalogue(AffairLine("local-tax", kind: "beppyo1", system: "tax", legal: "番号法別表第一（地方税）"), AffairLine("ord-preschool-fees", extra: citation));

        var e = Assert.Throws<PolicyFileException>(() => ParseCatalogue(json));

        Assert.Equal(("test-affairs.json", FirstAffairLine + 1), (e.File, e.Line));
        Assert.StartsWith("affairs entry 2 (ord-preschool-fees): ", e.Problem, StringComparison.Ordinal);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("128", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("2026", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BrokenCitations))]
    public void A_malformed_rule_citation_fails_naming_file_line_and_rule(string citation, string problem)
    {
        var json = Linkage(RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax", to: "2019-12-31"),
            RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax", from: "2020-01-01", extra: citation));

        var e = Assert.Throws<PolicyFileException>(() => ParseLinkage(json, Basic()));

        Assert.Equal(("test-linkage.json", FirstRuleLine + 1), (e.File, e.Line));
        Assert.StartsWith("rules entry 2 (ord-preschool-fees, local-tax): ", e.Problem, StringComparison.Ordinal);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("2026", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Citations_are_read_onto_affairs_and_rules()
    {
        var catalogue = ParseCatalogue(Catalogue(
            AffairLine("ord-preschool-fees", extra: """, "sourceRow": "表2-7", "sourceLine": "seeds/000 l.313-315", "citationChecked": "2026-12-06" """),
            AffairLine("library", kind: "non-number", system: "library", legal: "根拠なし", numberUse: false,
                extra: """, "sourceLine": null, "citationChecked": "2026-12-05", "citationNote": "demo" """),
            AffairLine("ord-new-aid")));
        var policy = ParseLinkage(Linkage(RuleLine("childcare", "ord-preschool-fees", "tax", "local-tax",
            extra: """, "sourceRow": "表5-6", "sourceLine": "seeds/000 l.796-804", "citationChecked": "2026-12-04" """)), catalogue);

        var fees = catalogue.Find("ord-preschool-fees")!.Citation!;
        Assert.Equal(("seeds/000 l.313-315", new DateOnly(2026, 12, 6)), (fees.Line!.ToString(), fees.Checked));
        var library = catalogue.Find("library")!.Citation!;
        Assert.Equal(((SeedLine?)null, "demo"), (library.Line, library.Note));
        Assert.Null(catalogue.Find("ord-new-aid")!.Citation);
        var rule = Assert.Single(policy.Rules).Citation!;
        Assert.Equal(("000", 796, 804, new DateOnly(2026, 12, 4)), (rule.Line!.Seed, rule.Line.FirstLine, rule.Line.LastLine, rule.Checked));
    }

    /// <summary>A new affair or rule cannot ship without a checked citation (or a note saying why none).</summary>
    [Fact]
    public void Every_shipped_affair_and_rule_cites_a_seed_line_or_says_why_not()
    {
        var entries = AffairCatalogue.LoadDefault().Affairs.Select(a => ($"affair {a.Code}", a.Citation))
            .Concat(IntraMunicipalLinkagePolicy.LoadDefault().Rules.Select(r => ($"rule {r.AffairCode} {r.ProviderSystem} {r.InformationKind}", r.Citation)))
            .ToList();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        Assert.All(entries, e =>
        {
            Assert.True(e.Citation is not null, $"{e.Item1}: no sourceLine/citationChecked");
            Assert.True(e.Citation.Line is not null || !string.IsNullOrWhiteSpace(e.Citation.Note), $"{e.Item1}: sourceLine null without citationNote");
            Assert.True(e.Citation.Checked <= today && e.Citation.Checked.Year >= 2026, $"{e.Item1}: citationChecked in the future or before 2026");
        });
        // Tables 1–6 of 品川区's 基本方針 are lines 108–1024 of seed 000; the ward's files cite nothing else.
        Assert.All(entries.Where(e => e.Citation!.Line is not null), e =>
            Assert.True(e.Citation!.Line is { Seed: "000", FirstLine: >= 108, LastLine: <= 1024 }, $"{e.Item1} cites {e.Citation.Line}"));
    }
}
