using Renkei.Core.Policy;
using Renkei.Network.Policy;

namespace Renkei.Network.Tests.Policy;

/// <summary>
/// The citations of the seeds (<c>sourceLine</c>, <c>citationChecked</c>, <c>citationNote</c>; policy/README.md): a
/// malformed or incomplete one stops the policy naming the file, the line and the entry; the shipped policy cites
/// every entry. The seeds are not in the repository, so only the form is checked here.
/// </summary>
public sealed class PolicyCitationTests
{
    private static readonly LinkagePolicy Default = LinkagePolicy.LoadDefault();

    public static TheoryData<string, string, string> BrokenCitations => new()
    {
        // name of the case, the citation properties of row "bad", a fragment the problem must contain
        { "not the seed-line form", """, "sourceLine": "seed 000 line 515", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line (expected seeds/NNN l.N" },
        { "seed number of one digit", """, "sourceLine": "seeds/0 l.515", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "line zero", """, "sourceLine": "seeds/000 l.0", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "range backwards", """, "sourceLine": "seeds/000 l.542-538", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "range of one line", """, "sourceLine": "seeds/000 l.515-515", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "spaces around", """, "sourceLine": " seeds/000 l.515", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "full-width digits", """, "sourceLine": "seeds/000 l.５１５", "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "a number, not a string", """, "sourceLine": 515, "citationChecked": "2026-12-06" """, "sourceLine is not a seed line" },
        { "checked not a date", """, "sourceLine": "seeds/000 l.515", "citationChecked": "06.12.2026" """, "citationChecked is not a date (yyyy-MM-dd)" },
        { "checked an impossible date", """, "sourceLine": "seeds/000 l.515", "citationChecked": "2026-02-30" """, "citationChecked is not a date (yyyy-MM-dd)" },
        { "checked true", """, "sourceLine": "seeds/000 l.515", "citationChecked": true """, "citationChecked is not a date (yyyy-MM-dd)" },
        { "line without checked", """, "sourceLine": "seeds/000 l.515" """, "citationChecked is missing" },
        { "null line without checked", """, "sourceLine": null, "citationNote": "not in the seeds" """, "citationChecked is missing" },
        { "checked without line", """, "citationChecked": "2026-12-06" """, "sourceLine is missing" },
        { "null line without note", """, "sourceLine": null, "citationChecked": "2026-12-06" """, "citationNote is missing" },
        { "null line with an empty note", """, "sourceLine": null, "citationChecked": "2026-12-06", "citationNote": " " """, "citationNote is missing" },
        { "note only", """, "citationNote": "read it" """, "citationChecked is missing" },
        { "typo", """, "sourceLine": "seeds/000 l.515", "citationCheked": "2026-12-06" """, "citationChecked is missing" },
    };

    [Theory]
    [MemberData(nameof(BrokenCitations))]
    public void A_malformed_citation_stops_the_policy_naming_file_line_and_row(string @case, string citation, string problem)
    {
        using var fixture = new PolicyFixture();
        var broken = PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", extra: citation);
        fixture.Rows.Insert(2, broken);
        var directory = fixture.Write();

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(fixture.PathOf(PolicyFixture.RowFile), e.File);
        Assert.Equal(fixture.LineOf(PolicyFixture.RowFile, "\"bad\""), e.Line);
        Assert.True(e.Problem.StartsWith("rows entry 3 (bad): ", StringComparison.Ordinal), $"{@case}: {e.Problem}");
        Assert.True(e.Problem.Contains(problem, StringComparison.Ordinal), $"{@case}: {e.Problem}");
        // The rule and the field are named; the value written is not echoed.
        Assert.DoesNotContain("515", e.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("2026-", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Citations_are_read_onto_the_rows()
    {
        using var fixture = new PolicyFixture();
        fixture.Rows[0] = PolicyFixture.Row("r-tax", from: "2020-04-01", to: "2021-03-31",
            extra: """, "sourceRow": "表4-6", "sourceLine": "seeds/000 l.515", "citationChecked": "2026-12-06" """);
        fixture.Rows[1] = PolicyFixture.Row("r-resident", kind: "resident-record", from: "2020-04-01",
            extra: """, "sourceLine": "seeds/001 l.287-292", "citationChecked": "2026-12-05", "citationNote": "item 117" """);
        fixture.Rows[3] = PolicyFixture.Row("r-insurer", inquirerClass: "HealthInsurer", affair: "insurer-dependant-certification", from: "2020-04-01",
            extra: """, "sourceLine": null, "citationChecked": "2026-12-04", "citationNote": "not in the seeds" """);

        var rows = LinkagePolicy.Load(fixture.Write()).Rows.ToDictionary(r => r.Id);

        var single = rows["r-tax"].Citation!;
        Assert.Equal(("000", 515, 515, new DateOnly(2026, 12, 6), (string?)null), (single.Line!.Seed, single.Line.FirstLine, single.Line.LastLine, single.Checked, single.Note));
        Assert.Equal("seeds/000 l.515", single.Line.ToString());
        Assert.Equal("表4-6", rows["r-tax"].SourceRow);
        var range = rows["r-resident"].Citation!;
        Assert.Equal(("001", 287, 292, "item 117"), (range.Line!.Seed, range.Line.FirstLine, range.Line.LastLine, range.Note));
        Assert.Equal("seeds/001 l.287-292", range.Line.ToString());
        var none = rows["r-insurer"].Citation!;
        Assert.Equal(((SeedLine?)null, new DateOnly(2026, 12, 4), "not in the seeds"), (none.Line, none.Checked, none.Note));
        Assert.Null(rows["r-tax-later"].Citation); // a deployment's own row without a citation still loads
    }

    [Theory]
    [InlineData("affairs", """{ "code": "new-affair", "name": "x", "legalBasis": "x", "performedBy": ["Municipality"], "sourceLine": "表1-9", "citationChecked": "2026-12-06" }""", "affairs entry 3 (new-affair): sourceLine is not a seed line")]
    [InlineData("kinds", """{ "code": "new-kind", "name": "x", "providedBy": ["Municipality"], "sourceLine": "seeds/000 l.616", "citationChecked": "yesterday" }""", "kinds entry 4 (new-kind): citationChecked is not a date")]
    public void A_malformed_citation_in_the_catalogue_names_the_entry(string list, string entry, string problem)
    {
        using var fixture = new PolicyFixture();
        (list == "affairs" ? fixture.Affairs : fixture.Kinds).Add(entry);
        var directory = fixture.Write();

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal((fixture.PathOf(LinkagePolicy.CatalogueFileName), fixture.LineOf(LinkagePolicy.CatalogueFileName, entry)), (e.File, e.Line));
        Assert.StartsWith(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_self_display_kind_without_a_note_for_its_null_line_is_refused()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var path = fixture.PathOf(LinkagePolicy.SelfDisplayFileName);
        File.WriteAllText(path, $$"""
            {
              "version": "{{fixture.Version}}",
              "source": "test",
              "kinds": [
                { "kind": "local-tax", "name": "地方税関係情報", "legalNote": "番号法附則第6条", "effectiveFrom": "2017-11-13", "sourceLine": null, "citationChecked": "2026-12-06" }
              ]
            }
            """);

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal((path, 5), (e.File, e.Line));
        Assert.StartsWith("kinds entry 1 (local-tax): sourceLine is null but citationNote is missing", e.Problem, StringComparison.Ordinal);
    }

    /// <summary>A new row, affair, kind or self-display kind cannot ship without a checked citation (or a note why none).</summary>
    [Fact]
    public void Every_shipped_entry_cites_a_seed_line_or_says_why_not_and_when_it_was_checked()
    {
        var entries = Default.Rows.Select(r => ($"row {r.Id} ({r.DefinedIn})", r.Citation))
            .Concat(Default.Affairs.Select(a => ($"affair {a.Code}", a.Citation)))
            .Concat(Default.Kinds.Select(k => ($"kind {k.Code}", k.Citation)))
            .Concat(Default.SelfDisplay.Select(s => ($"self-display {s.Kind}", s.Citation)))
            .ToList();
        Assert.True(entries.Count > 150, $"{entries.Count} entries");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var uncited = entries.Where(e => e.Citation is null).Select(e => e.Item1).ToList();
        var nullWithoutNote = entries.Where(e => e.Citation is { Line: null } c && string.IsNullOrWhiteSpace(c.Note)).Select(e => e.Item1).ToList();
        var checkedLater = entries.Where(e => e.Citation is { } c && (c.Checked > today || c.Checked.Year < 2026)).Select(e => e.Item1).ToList();

        Assert.True(uncited.Count == 0, "without sourceLine/citationChecked: " + string.Join(", ", uncited));
        Assert.True(nullWithoutNote.Count == 0, "sourceLine null without citationNote: " + string.Join(", ", nullWithoutNote));
        Assert.True(checkedLater.Count == 0, "citationChecked in the future or before the seeds were first checked (2026): " + string.Join(", ", checkedLater));
    }

    [Fact]
    public void A_row_naming_a_table_of_seed_000_cites_a_line_of_seed_000_within_its_tables()
    {
        // 表4–表6 are lines 451–1024 of seed 000; a row naming one of them must point there.
        var tableRows = Default.Rows.Where(r => r.SourceRow is not null).ToList();
        Assert.NotEmpty(tableRows);
        Assert.All(tableRows, r =>
        {
            Assert.Matches("^表[456]-[0-9]{1,2}$", r.SourceRow!);
            var line = r.Citation?.Line;
            Assert.True(line is { Seed: "000", FirstLine: >= 451, LastLine: <= 1024 }, $"{r.Id} ({r.SourceRow}) cites {line?.ToString() ?? "no line"}");
        });
    }

    [Fact]
    public void The_rows_the_review_found_cite_what_the_seed_lists()
    {
        // b2-074-01: 住民票関係情報 for 児童手当 is in 表4 row 1 (row 6 lists only 税情報).
        var childAllowance = Default.Rows.Single(r => r.Id == "b2-074-01");
        Assert.Equal(("表4-1", "resident-record"), (childAllowance.SourceRow, childAllowance.Kind));
        Assert.Equal("seeds/000 l.455", childAllowance.Citation!.Line!.ToString());
        // b2-026-07: 表4 row 17 (生活保護) has no 住基情報 and no seed line lists it: no table row, no line, a note.
        var publicAssistance = Default.Rows.Single(r => r.Id == "b2-026-07");
        Assert.Null(publicAssistance.SourceRow);
        Assert.Null(publicAssistance.Citation!.Line);
        Assert.Contains("表4-17", publicAssistance.Citation.Note, StringComparison.Ordinal);
    }
}
