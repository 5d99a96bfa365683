using Renkei.Network.Contracts;
using Renkei.Network.Policy;

namespace Renkei.Network.Tests.Policy;

/// <summary>
/// Every way a policy file can be wrong refuses the whole policy with a <see cref="PolicyValidationException"/> that
/// names the file and the line of the offending row (broken files written into a temporary directory).
/// </summary>
public sealed class LinkagePolicyValidationTests
{
    [Fact]
    public void The_fixture_itself_loads()
    {
        using var fixture = new PolicyFixture();
        var policy = LinkagePolicy.Load(fixture.Write());
        Assert.Equal("test.1", policy.Version);
        Assert.Equal(4, policy.Rows.Count);
        Assert.Equal(fixture.LineOf(PolicyFixture.RowFile, "\"r-resident\""), policy.Rows.Single(r => r.Id == "r-resident").Line);
        Assert.All(policy.Rows, r => Assert.Equal(fixture.PathOf(PolicyFixture.RowFile), r.DefinedIn));
    }

    public static TheoryData<string, string, string> BrokenRows => new()
    {
        // name of the case, the broken row (its id is "bad"), a fragment the problem must contain
        { "unknown affair", PolicyFixture.Row("bad", affair: "child-allowence"), "unknown affair \"child-allowence\"" },
        { "unknown kind", PolicyFixture.Row("bad", kind: "local-taxes"), "unknown information kind \"local-taxes\"" },
        { "unknown inquirer class", PolicyFixture.Row("bad", inquirerClass: "Ward"), "inquirerClass \"Ward\" is not a class that inquires or provides" },
        { "numeric class", PolicyFixture.Row("bad", providerClass: "0"), "providerClass \"0\" is not a class that inquires or provides" },
        { "the portal never inquires", PolicyFixture.Row("bad", inquirerClass: "Portal"), "inquirerClass \"Portal\" is not a class that inquires or provides" },
        { "class in lower case", PolicyFixture.Row("bad", providerClass: "municipality"), "providerClass \"municipality\" is not a class that inquires or provides" },
        { "affair of another class", PolicyFixture.Row("bad", inquirerClass: "PensionOrganisation"), "performed by Municipality, not by the inquirer class PensionOrganisation" },
        { "kind of another class", PolicyFixture.Row("bad", providerClass: "HealthInsurer"), "provided by Municipality, not by the provider class HealthInsurer" },
        { "end before start", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", from: "2022-04-01", to: "2022-03-31"), "effectiveTo 2022-03-31 is before effectiveFrom 2022-04-01" },
        { "malformed date", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", from: "2022/04/01"), "effectiveFrom \"2022/04/01\" is not a date" },
        { "impossible date", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", from: "2022-02-30"), "effectiveFrom \"2022-02-30\" is not a date" },
        { "missing source", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", source: null), "source is missing" },
        { "empty source", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", source: "  "), "source is missing" },
        { "duplicate id", PolicyFixture.Row("r-tax", kind: "pension-benefit", providerClass: "PensionOrganisation"), "duplicate row id" },
        { "overlapping period", PolicyFixture.Row("bad", from: "2021-03-01", to: "2021-06-30"), "overlaps row r-tax (2020-04-01 – 2021-03-31" },
        { "overlap with an open row", PolicyFixture.Row("bad", kind: "resident-record", from: "2030-01-01"), "overlaps row r-resident" },
        { "unknown property (typo)", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", extra: ", \"efectiveTo\": null"), "unknown property \"efectiveTo\"" },
        { "property twice", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation", extra: ", \"kind\": \"local-tax\""), "\"kind\" appears twice" },
        { "sourceVerified not a boolean", PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation").Replace("\"sourceVerified\": false", "\"sourceVerified\": \"no\""), "sourceVerified must be true or false" },
        { "id not a code", PolicyFixture.Row("Bad Row", kind: "pension-benefit", providerClass: "PensionOrganisation"), "id \"Bad Row\" must be lower-case ASCII" },
    };

    [Theory]
    [MemberData(nameof(BrokenRows))]
    public void A_broken_row_names_file_and_line(string @case, string brokenRow, string problem)
    {
        using var fixture = new PolicyFixture();
        // Between other rows, so the line is neither the first nor the last row's.
        fixture.Rows.Insert(3, brokenRow);
        var directory = fixture.Write();

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(fixture.PathOf(PolicyFixture.RowFile), e.File);
        Assert.Equal(fixture.LineOf(PolicyFixture.RowFile, brokenRow), e.Line);
        Assert.True(e.Problem.Contains(problem, StringComparison.Ordinal), $"{@case}: {e.Problem}");
        Assert.StartsWith($"{fixture.PathOf(PolicyFixture.RowFile)} line {e.Line}: rows entry 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_id_in_another_file_names_both_files()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var second = fixture.PathOf("zz-more.json");
        File.WriteAllText(second, PolicyFixture.RowFileText(fixture.Version,
            [PolicyFixture.Row("r-other", kind: "pension-benefit", providerClass: "PensionOrganisation"), PolicyFixture.Row("r-resident", affair: "insurer-dependant-certification", inquirerClass: "HealthInsurer", kind: "resident-record")]));

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(second, e.File);
        Assert.Equal(fixture.LineOf("zz-more.json", "\"r-resident\""), e.Line);
        Assert.Contains($"already on {fixture.PathOf(PolicyFixture.RowFile)} line {fixture.LineOf(PolicyFixture.RowFile, "\"r-resident\"")}", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_the_line_of_the_syntax_error()
    {
        using var fixture = new PolicyFixture();
        fixture.Rows.Insert(1, PolicyFixture.Row("bad", kind: "pension-benefit", providerClass: "PensionOrganisation").Replace("\"kind\": \"pension-benefit\",", "\"kind\": \"pension-benefit\""));
        var directory = fixture.Write();

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(fixture.PathOf(PolicyFixture.RowFile), e.File);
        Assert.Equal(fixture.LineOf(PolicyFixture.RowFile, "\"id\": \"bad\""), e.Line);
        Assert.StartsWith("not valid JSON", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_file_is_refused_with_its_name()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var text = File.ReadAllText(fixture.PathOf(PolicyFixture.RowFile));
        File.WriteAllText(fixture.PathOf(PolicyFixture.RowFile), text[..(text.Length / 2)]);

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(fixture.PathOf(PolicyFixture.RowFile), e.File);
        Assert.NotNull(e.Line);
        Assert.StartsWith("not valid JSON", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_file_of_another_version_is_refused()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var other = fixture.PathOf("other.json");
        File.WriteAllText(other, PolicyFixture.RowFileText("test.2", [PolicyFixture.Row("r-new", kind: "pension-benefit", providerClass: "PensionOrganisation")]));

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(other, e.File);
        Assert.Equal(fixture.LineOf("other.json", "\"version\""), e.Line);
        Assert.Contains("differs from the catalogue's \"test.1\"", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_file_without_source_header_is_refused()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var path = fixture.PathOf(PolicyFixture.RowFile);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"source\": \"test rows\",", "\"source\": \"\","));

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(path, e.File);
        Assert.Equal(fixture.LineOf(PolicyFixture.RowFile, "\"source\": \"\""), e.Line);
        Assert.Contains("\"source\"", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_top_level_property_is_refused()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        var path = fixture.PathOf(PolicyFixture.RowFile);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"rows\": [", "\"row\": [], \"rows\": ["));

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(fixture.LineOf(PolicyFixture.RowFile, "\"row\": []"), e.Line);
        Assert.Contains("unknown property \"row\"", e.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BrokenCatalogueEntries => new()
    {
        { "affairs", """{ "code": "child-allowance", "name": "again", "legalBasis": "x", "performedBy": ["Municipality"] }""", "the affair code is already defined on line" },
        { "affairs", """{ "code": "new-affair", "name": "x", "legalBasis": "x", "performedBy": ["Ward"] }""", "performedBy names \"Ward\"" },
        { "affairs", """{ "code": "new-affair", "name": "x", "performedBy": ["Municipality"] }""", "legalBasis is missing" },
        { "affairs", """{ "code": "New_Affair", "name": "x", "legalBasis": "x", "performedBy": ["Municipality"] }""", "code \"New_Affair\" must be lower-case" },
        { "kinds", """{ "code": "local-tax", "name": "again", "providedBy": ["Municipality"] }""", "the information kind code is already defined on line" },
        { "kinds", """{ "code": "new-kind", "name": "x", "providedBy": [] }""", "providedBy must list at least one institution class" },
    };

    [Theory]
    [MemberData(nameof(BrokenCatalogueEntries))]
    public void A_broken_catalogue_entry_names_the_catalogue_and_line(string list, string entry, string problem)
    {
        using var fixture = new PolicyFixture();
        (list == "affairs" ? fixture.Affairs : fixture.Kinds).Add(entry);
        var directory = fixture.Write();

        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));

        Assert.Equal(fixture.PathOf(LinkagePolicy.CatalogueFileName), e.File);
        Assert.Equal(fixture.LineOf(LinkagePolicy.CatalogueFileName, entry), e.Line);
        Assert.Contains(problem, e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_catalogue_or_directory_is_refused()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        File.Delete(fixture.PathOf(LinkagePolicy.CatalogueFileName));
        var e = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(directory));
        Assert.Equal(fixture.PathOf(LinkagePolicy.CatalogueFileName), e.File);

        var missing = Path.Combine(directory, "nowhere");
        var e2 = Assert.Throws<PolicyValidationException>(() => LinkagePolicy.Load(missing));
        Assert.Equal(missing, e2.File);
    }

    [Fact]
    public void Files_other_than_json_are_ignored()
    {
        using var fixture = new PolicyFixture();
        var directory = fixture.Write();
        File.WriteAllText(fixture.PathOf("README.md"), "# not a policy file { ");
        Assert.Equal(4, LinkagePolicy.Load(directory).Rows.Count);
    }

    [Fact]
    public void Rows_in_force_on_adjacent_periods_do_not_overlap()
    {
        using var fixture = new PolicyFixture();
        var policy = LinkagePolicy.Load(fixture.Write());
        // r-tax ends 2021-03-31 and r-tax-later starts 2021-04-01: both kept, each in force on its own days.
        Assert.Equal("r-tax", policy.Check(InstitutionClass.Municipality, "child-allowance", InstitutionClass.Municipality, "local-tax", new DateOnly(2021, 3, 31)).Row?.Id);
        Assert.Equal("r-tax-later", policy.Check(InstitutionClass.Municipality, "child-allowance", InstitutionClass.Municipality, "local-tax", new DateOnly(2021, 4, 1)).Row?.Id);
    }
}
